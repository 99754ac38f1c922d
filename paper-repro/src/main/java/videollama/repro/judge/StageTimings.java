package videollama.repro.judge;

import java.util.List;
import videollama.repro.Prediction;

/**
 * Where a dataset's answering time went, from the timings {@code eval qa} records with each answer: the vision
 * branch per video encoded (a video's later questions take its soft tokens from the cache), the prompt's prefill
 * and the answer's decoding per question.
 *
 * @param answered         questions with timings
 * @param videosEncoded    answers whose video was encoded for them (vision time above 0)
 * @param totalSeconds     vision, prefill and decode together
 */
public record StageTimings(int answered, int videosEncoded, double visionMsPerVideo, double prefillMsPerQuestion,
                           double decodeMsPerQuestion, double promptTokensPerQuestion, double generatedTokensPerQuestion,
                           double decodeTokensPerSecond, double totalSeconds) {

    /** The timings of {@code predictions}' answers; null when none has timings. */
    public static StageTimings of(List<Prediction> predictions) {
        int n = 0;
        int videos = 0;
        double vision = 0;
        double prefill = 0;
        double decode = 0;
        long promptTokens = 0;
        long generated = 0;
        for (Prediction p : predictions) {
            Prediction.Timings t = p.timings();
            if (!p.answered() || t == null) {
                continue;
            }
            n++;
            if (t.visionMs() > 0) {
                videos++;
                vision += t.visionMs();
            }
            prefill += t.prefillMs();
            decode += t.decodeMs();
            promptTokens += t.promptTokens();
            generated += t.generatedTokens();
        }
        if (n == 0) {
            return null;
        }
        return new StageTimings(n, videos, videos == 0 ? 0 : vision / videos, prefill / n, decode / n,
                (double) promptTokens / n, (double) generated / n, decode == 0 ? 0 : generated / (decode / 1000),
                (vision + prefill + decode) / 1000);
    }
}
