package videollama.repro.report;

import java.util.List;
import java.util.Map;

/**
 * Video-LLaMA's published results and the setup they come from: its rows in the tables of the Video-ChatGPT paper
 * (Maaz et al., 2023), zero-shot QA judged by GPT-3.5 (accuracy %, score 0–5) and the video-based generative
 * benchmark (score per dimension), and what that paper and its scripts say, or leave unsaid, about how they were made.
 */
final class Published {
    private Published() {}

    /** A published QA row: accuracy in percent and mean score. */
    record QaRow(String dataset, String name, double accuracyPercent, double score, int testQuestions) {}

    /** A published benchmark row: the dimension's mean score. */
    record BenchmarkRow(String dataset, String kind, String name, double score) {}

    /** TGIF-QA has no Video-LLaMA row (a dash in the paper's table), so it is compared with nothing. */
    static final List<QaRow> QA = List.of(
            new QaRow("msvd", "MSVD-QA", 51.6, 2.5, 13_157),
            new QaRow("msrvtt", "MSRVTT-QA", 29.6, 1.8, 72_821),
            new QaRow("activitynet", "ActivityNet-QA", 12.4, 1.1, 8_000));

    static final List<BenchmarkRow> BENCHMARK = List.of(
            new BenchmarkRow("generic", "correctness", "Correctness of information", 1.96),
            new BenchmarkRow("generic", "detail", "Detail orientation", 2.18),
            new BenchmarkRow("generic", "context", "Contextual understanding", 2.16),
            new BenchmarkRow("temporal", "temporal", "Temporal understanding", 1.82),
            new BenchmarkRow("consistency", "consistency", "Consistency", 1.79));

    static final Map<String, String> DATASET_NAMES = Map.of("msvd", "MSVD-QA", "msrvtt", "MSRVTT-QA",
            "activitynet", "ActivityNet-QA", "tgif", "TGIF-QA", "generic", "benchmark, generic questions",
            "temporal", "benchmark, temporal questions", "consistency", "benchmark, consistency pairs");

    /** The judge the published rows were judged by: OpenAI's model of that name in mid-2023, no temperature sent. */
    static final String JUDGE_MODEL = "gpt-3.5-turbo";
    /** Video-LLaMA's own frame count, the one its demo and the published evaluation used. */
    static final int FRAMES = 8;
    /**
     * The reference's {@code Chat.answer()} defaults (video_llama/conversation/conversation_video.py), which the
     * paper does not say it changed: sampling on, one beam, temperature 1.0, top-p 0.9, transformers' top-k 50,
     * 300 new tokens, repetition penalty 1.0, length penalty 1, minimum length 1.
     */
    static final double TEMPERATURE = 1.0;
    static final double TOP_P = 0.9;
    static final int TOP_K = 50;
    static final int MAX_NEW_TOKENS = 300;
    static final int NUM_BEAMS = 1;
    static final double REPETITION_PENALTY = 1.0;
    static final double LENGTH_PENALTY = 1.0;
    static final int MIN_LENGTH = 1;

    static String datasetName(String dataset) {
        return DATASET_NAMES.getOrDefault(dataset, dataset);
    }
}
