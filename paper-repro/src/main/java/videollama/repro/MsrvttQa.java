package videollama.repro;

import java.util.ArrayList;
import java.util.List;

/**
 * MSRVTT-QA (Xu et al. 2017): {@code test_qa.json}, a list of {@code {"answer", "category_id", "id", "question",
 * "video_id"}}; the video N is MSR-VTT's {@code videoN.mp4}.
 */
final class MsrvttQa {
    private MsrvttQa() {}

    static List<Question> read(AnnotationFile qa) {
        List<Question> questions = new ArrayList<>();
        for (AnnotationFile.Entry e : qa.jsonObjects()) {
            String video = "video" + e.get("video_id");
            String question = e.get("question");
            questions.add(new Question(e.get("id"), VideoRef.of(video, List.of(video), ".mp4",
                    "video_id " + e.get("video_id") + " of " + qa.name()), question, null, e.get("answer"),
                    Dataset.questionWord(question)));
        }
        return questions;
    }
}
