package videollama.repro;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import videollama.app.Errors;

/**
 * ActivityNet-QA (Yu et al. 2019): questions in {@code test_q.json} ({@code {"video_name", "question",
 * "question_id"}}), answers in {@code test_a.json} ({@code {"answer", "type", "question_id"}}), joined by
 * {@code question_id}. {@code video_name} is the YouTube id; ActivityNet's files are {@code v_<id>.mp4}, {@code .mkv}
 * or {@code .webm} (tried with and without the {@code v_}). The types are the dataset's README's: 0 motion,
 * 1 spatial relation, 2 temporal relation, and the free questions by answer: 3 yes/no, 4 color, 5 object,
 * 6 location, 7 number, 8 other.
 */
final class ActivityNetQa {
    private static final List<String> TYPES = List.of("motion", "spatial relation", "temporal relation", "yes/no", "color",
            "object", "location", "number", "other");

    private ActivityNetQa() {}

    static List<Question> read(List<AnnotationFile> files) {
        List<AnnotationFile.Entry> first = files.get(0).jsonObjects();
        List<AnnotationFile.Entry> second = files.get(1).jsonObjects();
        boolean firstHasQuestions = !first.isEmpty() && first.getFirst().has("question");
        AnnotationFile qFile = firstHasQuestions ? files.get(0) : files.get(1);
        AnnotationFile aFile = firstHasQuestions ? files.get(1) : files.get(0);
        List<AnnotationFile.Entry> asked = firstHasQuestions ? first : second;
        Map<String, AnnotationFile.Entry> answers = new HashMap<>();
        for (AnnotationFile.Entry a : firstHasQuestions ? second : first) {
            if (!a.has("answer")) {
                throw new Errors.UsageFailure("--annotations: activitynet takes test_q.json (questions) and test_a.json (answers); "
                        + aFile.path() + " " + a.where() + " has no 'answer'");
            }
            answers.put(a.get("question_id"), a);
        }
        List<Question> questions = new ArrayList<>();
        for (AnnotationFile.Entry q : asked) {
            String id = q.get("question_id");
            AnnotationFile.Entry a = answers.get(id);
            if (a == null) {
                throw aFile.error("no answer for question_id " + id + " (" + q.where() + " of " + qFile.name() + ")");
            }
            String name = q.get("video_name");
            questions.add(new Question(id, VideoRef.of(name, List.of("v_" + name, name), ".mp4",
                    "video_name " + name + " of " + qFile.name()), q.get("question"), null, a.get("answer"), type(aFile, a)));
        }
        return questions;
    }

    private static String type(AnnotationFile file, AnnotationFile.Entry a) {
        String type = a.optional("type");
        if (type == null) {
            return null;
        }
        try {
            return TYPES.get(Integer.parseInt(type));
        } catch (RuntimeException e) {
            throw file.error(a.where() + " has type " + type + " (expected 0 to 8)");
        }
    }
}
