package videollama.repro;

import java.util.ArrayList;
import java.util.List;

/**
 * TGIF-QA's FrameQA (Jang et al. 2017), the part the Video-ChatGPT protocol evaluates: {@code
 * Test_frameqa_question.csv}, tab-separated with the header {@code gif_name question answer type vid_id key
 * description}; the video is {@code <gif_name>.gif} (or a converted {@code .mp4}). Types as the dataset's README:
 * 0 object, 1 number, 2 color, 3 location.
 */
final class TgifFrameQa {
    private static final List<String> TYPES = List.of("object", "number", "color", "location");

    private TgifFrameQa() {}

    static List<Question> read(AnnotationFile table) {
        List<Question> questions = new ArrayList<>();
        for (AnnotationFile.Entry row : table.tsvRows()) {
            String gif = row.get("gif_name");
            String type = row.optional("type");
            String typeName = null;
            if (type != null) {
                try {
                    typeName = TYPES.get(Integer.parseInt(type.strip()));
                } catch (RuntimeException e) {
                    throw table.error(row.where() + " has type " + type + " (expected 0 to 3)");
                }
            }
            questions.add(new Question(row.get("vid_id"), VideoRef.of(gif, List.of(gif), ".gif", "gif_name of " + table.name()),
                    row.get("question"), null, row.get("answer"), typeName));
        }
        return questions;
    }
}
