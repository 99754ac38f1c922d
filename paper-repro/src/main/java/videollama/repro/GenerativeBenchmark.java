package videollama.repro;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Video-ChatGPT's video-based generative benchmark (Maaz et al. 2023): {@code generic_qa.json} (correctness, detail
 * and context are judged on it) and {@code temporal_qa.json}, lists of {@code {"Q", "A", "video_name"}};
 * {@code consistency_qa.json}, a list of {@code {"Q1", "Q2", "A", "video_name"}} whose two questions ask the same
 * thing in other words. The videos are {@code Test_Videos/<video_name>.mp4}. A video may have several questions; the
 * id is {@code <video_name>_<k>}, k counting that video's earlier questions, as the benchmark's judging scripts
 * number them.
 */
final class GenerativeBenchmark {
    private GenerativeBenchmark() {}

    static List<Question> read(AnnotationFile file, boolean pairs) {
        List<Question> questions = new ArrayList<>();
        Map<String, Integer> perVideo = new HashMap<>();
        for (AnnotationFile.Entry e : file.jsonObjects()) {
            String video = e.get("video_name");
            int k = perVideo.merge(video, 1, Integer::sum) - 1;
            VideoRef ref = VideoRef.of(video, List.of(video), ".mp4", "video_name of " + file.name());
            questions.add(pairs
                    ? new Question(video + "_" + k, ref, e.get("Q1"), e.get("Q2"), e.get("A"), null)
                    : new Question(video + "_" + k, ref, e.get("Q"), null, e.get("A"), null));
        }
        return questions;
    }
}
