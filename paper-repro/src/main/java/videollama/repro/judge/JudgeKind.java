package videollama.repro.judge;

import java.util.List;
import java.util.Locale;

/**
 * What the judge is asked about an answer: the zero-shot QA question (a yes/no match and a 0–5 score, Video-ChatGPT's
 * {@code evaluate_activitynet_qa.py}, used for every QA dataset) or one dimension of the video-based generative
 * benchmark (a 0–5 score, its {@code evaluate_benchmark_1..5_*.py}). Those scripts ask every score as "an integer
 * value between 0 and 5", the benchmark's too.
 *
 * @param fileName the file name Video-ChatGPT's {@code evaluate_benchmark.sh} gives the predictions of this dimension
 *                 (the QA files are named by dataset instead)
 */
public enum JudgeKind {
    QA(null),
    CORRECTNESS("correctness_pred"),
    DETAIL("detailed_orientation_pred"),
    CONTEXT("contextual_pred"),
    TEMPORAL("temporal_understanding_pred"),
    CONSISTENCY("consistency_pred");

    /** The zero-shot QA datasets, all judged the same way. */
    public static final List<String> QA_DATASETS = List.of("msvd", "msrvtt", "activitynet", "tgif");
    /** The generative benchmark's question sets. */
    public static final List<String> BENCHMARK_DATASETS = List.of("generic", "temporal", "consistency");

    private final String fileName;

    JudgeKind(String fileName) {
        this.fileName = fileName;
    }

    /** True when the reply must hold a yes/no verdict besides the score: the QA question's only. */
    public boolean asksYesNo() {
        return this == QA;
    }

    public String fileName() {
        return fileName;
    }

    /** The name in files and on the command line: qa, correctness, detail, context, temporal, consistency. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JudgeKind ofId(String id) {
        for (JudgeKind k : values()) {
            if (k.id().equals(id)) {
                return k;
            }
        }
        return null;
    }

    /**
     * What a dataset's answers are judged on: the QA datasets once, the benchmark's generic questions on correctness,
     * detail and context (its three first scripts read the same predictions), the temporal and the consistency
     * questions on their own dimension. Null for a dataset we do not know.
     */
    public static List<JudgeKind> forDataset(String dataset) {
        if (QA_DATASETS.contains(dataset)) {
            return List.of(QA);
        }
        return switch (dataset) {
            case "generic" -> List.of(CORRECTNESS, DETAIL, CONTEXT);
            case "temporal" -> List.of(TEMPORAL);
            case "consistency" -> List.of(CONSISTENCY);
            default -> null;
        };
    }
}
