package videollama.repro;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import videollama.app.Errors;

/**
 * MSVD-QA (Xu et al. 2017): {@code test_qa.json}, a list of {@code {"answer", "id", "question", "video_id"}} whose
 * {@code video_id} N names the clip {@code vidN}; MSVD's {@code youtube_mapping.txt} has a line
 * {@code <YouTube clip name> vidN} for each clip. The clips come from MSVD as {@code <YouTube clip name>.avi}
 * ({@code YouTubeClips/}); some copies are renamed {@code vidN.avi}, which is tried second (and only, without the
 * mapping file).
 */
final class MsvdQa {
    private MsvdQa() {}

    static List<Question> read(List<AnnotationFile> files) {
        AnnotationFile qa = null;
        AnnotationFile mapping = null;
        for (AnnotationFile f : files) {
            if (f.name().endsWith(".txt")) {
                mapping = mapping == null ? f : duplicate(f);
            } else {
                qa = qa == null ? f : duplicate(f);
            }
        }
        if (qa == null) {
            throw new Errors.UsageFailure("--annotations: msvd needs MSVD-QA's test_qa.json (got only " + mapping.path() + ")");
        }
        Map<String, String> clips = mapping == null ? Map.of() : clipNames(mapping);
        List<Question> questions = new ArrayList<>();
        for (AnnotationFile.Entry e : qa.jsonObjects()) {
            String vid = "vid" + e.get("video_id");
            String clip = clips.get(vid);
            String origin = "video_id " + e.get("video_id") + " of " + qa.name()
                    + (mapping == null ? "" : clip == null ? ", not in " + mapping.name() : ", " + clip + " in " + mapping.name());
            List<String> stems = clip == null ? List.of(vid) : List.of(clip, vid);
            String question = e.get("question");
            questions.add(new Question(e.get("id"), VideoRef.of(vid, stems, ".avi", origin), question, null, e.get("answer"),
                    Dataset.questionWord(question)));
        }
        return questions;
    }

    private static AnnotationFile duplicate(AnnotationFile f) {
        throw new Errors.UsageFailure("--annotations: msvd takes one test_qa.json and one youtube_mapping.txt; "
                + f.path() + " is a second");
    }

    /** {@code vidN} to the YouTube clip name, from lines {@code <clip name> vidN}. */
    private static Map<String, String> clipNames(AnnotationFile mapping) {
        Map<String, String> clips = new HashMap<>();
        List<String> lines = mapping.text().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] parts = lines.get(i).strip().split("\\s+");
            if (parts.length != 2 || !parts[1].startsWith("vid")) {
                throw mapping.error("line " + (i + 1) + " is not '<clip name> vidN'");
            }
            clips.put(parts[1], parts[0]);
        }
        return clips;
    }
}
