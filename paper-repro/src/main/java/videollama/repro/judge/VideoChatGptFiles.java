package videollama.repro.judge;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import videollama.repro.Prediction;

/**
 * The answers in the files Video-ChatGPT's judging scripts read ({@code --pred_path}), so that a user can judge them
 * with those scripts instead of {@code eval judge}: a JSON list per dataset of {@code video_name} (the video's file
 * name without folder or extension, as its inference scripts write it), {@code Q}, {@code A}, {@code pred}, and for the
 * consistency pairs {@code Q1}, {@code Q2}, {@code pred1}, {@code pred2}. Questions {@code eval qa} could not answer
 * are left out, as its inference scripts leave out a video that fails. The QA files also carry our {@code id}, which
 * the scripts ignore. Names: {@code <dataset>_qa_pred.json}, and for the benchmark the names of its {@code
 * evaluate_benchmark.sh} with {@code .json} (the generic answers three times, once per dimension's script).
 */
public final class VideoChatGptFiles {
    public static final String FOLDER = "video-chatgpt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private VideoChatGptFiles() {}

    /** Writes the files for {@code predictions} into {@code out}/video-chatgpt and returns their paths. */
    public static List<Path> write(Path out, List<Prediction> predictions) throws IOException {
        Path dir = Files.createDirectories(out.resolve(FOLDER));
        Map<String, List<Map<String, String>>> byFile = new LinkedHashMap<>();
        for (Prediction p : predictions) {
            if (!p.answered()) {
                continue;
            }
            for (String file : fileNames(p.dataset())) {
                byFile.computeIfAbsent(file, f -> new ArrayList<>()).add(entry(p));
            }
        }
        List<Path> written = new ArrayList<>();
        for (var e : byFile.entrySet()) {
            Path file = dir.resolve(e.getKey());
            JSON.writeValue(file.toFile(), e.getValue());
            written.add(file);
        }
        return written;
    }

    private static List<String> fileNames(String dataset) {
        List<JudgeKind> kinds = JudgeKind.forDataset(dataset);
        if (kinds.equals(List.of(JudgeKind.QA))) {
            return List.of(dataset + "_qa_pred.json");
        }
        return kinds.stream().map(k -> k.fileName() + ".json").toList();
    }

    private static Map<String, String> entry(Prediction p) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put("video_name", videoName(p.video()));
        if (p.dataset().equals("consistency")) {
            e.put("Q1", p.question());
            e.put("Q2", p.question2());
            e.put("A", p.answer());
            e.put("pred1", p.prediction());
            e.put("pred2", p.prediction2());
            return e;
        }
        if (JudgeKind.QA_DATASETS.contains(p.dataset())) {
            e.put("id", p.id());
        }
        e.put("Q", p.question());
        e.put("A", p.answer());
        e.put("pred", p.prediction());
        return e;
    }

    static String videoName(String video) {
        String name = Path.of(video).getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
