package videollama.repro;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import videollama.app.Errors;

/**
 * The datasets {@code eval qa} reads, each from its annotation files as distributed (README.md of this module says
 * where each comes from), with the id each question gets:
 * <ul>
 *   <li>{@code msvd}: MSVD-QA's {@code test_qa.json} ({@code id}) and, to find MSVD's clips under their YouTube names,
 *       {@code youtube_mapping.txt} ({@link MsvdQa});
 *   <li>{@code msrvtt}: MSRVTT-QA's {@code test_qa.json} ({@code id}; {@link MsrvttQa});
 *   <li>{@code activitynet}: ActivityNet-QA's {@code test_q.json} and {@code test_a.json} ({@code question_id};
 *       {@link ActivityNetQa});
 *   <li>{@code tgif}: TGIF-QA's FrameQA table {@code Test_frameqa_question.csv} ({@code vid_id}; {@link TgifFrameQa});
 *   <li>{@code generic}, {@code temporal}, {@code consistency}: the video-based generative benchmark's
 *       {@code generic_qa.json}, {@code temporal_qa.json}, {@code consistency_qa.json} ({@code <video_name>_<k>};
 *       {@link GenerativeBenchmark}).
 * </ul>
 */
enum Dataset {
    MSVD, MSRVTT, ACTIVITYNET, TGIF, GENERIC, TEMPORAL, CONSISTENCY;

    /** The name {@code --dataset} takes and {@link Prediction#dataset()} holds. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Dataset parse(String name) {
        for (Dataset d : values()) {
            if (d.id().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "' (msvd, msrvtt, activitynet, tgif, generic, temporal, consistency)");
    }

    /** What {@code --annotations} must name, for a usage error. */
    String expectedFiles() {
        return switch (this) {
            case MSVD -> "test_qa.json, and youtube_mapping.txt to find MSVD's clips by their YouTube names";
            case MSRVTT -> "test_qa.json";
            case ACTIVITYNET -> "test_q.json and test_a.json";
            case TGIF -> "Test_frameqa_question.csv";
            case GENERIC -> "generic_qa.json";
            case TEMPORAL -> "temporal_qa.json";
            case CONSISTENCY -> "consistency_qa.json";
        };
    }

    /** How many annotation files it takes: {min, max}. */
    int[] fileCount() {
        return switch (this) {
            case MSVD -> new int[] {1, 2};
            case ACTIVITYNET -> new int[] {2, 2};
            default -> new int[] {1, 1};
        };
    }

    /**
     * The questions of the annotation files, in their order.
     *
     * @throws Errors.UsageFailure naming the file and entry for a missing file, a malformed entry or an id given twice
     */
    List<Question> read(List<Path> files) {
        List<AnnotationFile> annotations = files.stream().map(AnnotationFile::new).toList();
        List<Question> questions = switch (this) {
            case MSVD -> MsvdQa.read(annotations);
            case MSRVTT -> MsrvttQa.read(annotations.getFirst());
            case ACTIVITYNET -> ActivityNetQa.read(annotations);
            case TGIF -> TgifFrameQa.read(annotations.getFirst());
            case GENERIC, TEMPORAL -> GenerativeBenchmark.read(annotations.getFirst(), false);
            case CONSISTENCY -> GenerativeBenchmark.read(annotations.getFirst(), true);
        };
        Map<String, Question> seen = new HashMap<>();
        for (Question q : questions) {
            if (seen.putIfAbsent(q.id(), q) != null) {
                throw new Errors.UsageFailure(files.getFirst() + ": question id " + q.id() + " appears twice");
            }
        }
        if (questions.isEmpty()) {
            throw new Errors.UsageFailure(files.getFirst() + ": holds no questions");
        }
        return questions;
    }

    /**
     * MSVD-QA's and MSRVTT-QA's question type: the question word (what, who, how, when, where), by which the datasets'
     * paper (Xu et al. 2017) counts its types; "other" for any other first word.
     */
    static String questionWord(String question) {
        String first = question.strip().split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
        return switch (first) {
            case "what", "who", "how", "when", "where" -> first;
            default -> "other";
        };
    }
}
