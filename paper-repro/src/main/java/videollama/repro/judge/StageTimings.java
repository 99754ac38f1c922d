package videollama.repro.judge;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import videollama.repro.Prediction;
import videollama.repro.Prediction.Timings;

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
        List<Timings> timed = predictions.stream().filter(Prediction::answered).map(Prediction::timings)
                .filter(Objects::nonNull).toList();
        if (timed.isEmpty()) {
            return null;
        }
        List<Timings> encoded = timed.stream().filter(t -> t.visionMs() > 0).toList();
        int n = timed.size();
        int videos = encoded.size();
        double vision = sum(encoded, Timings::visionMs);
        double prefill = sum(timed, Timings::prefillMs);
        double decode = sum(timed, Timings::decodeMs);
        long promptTokens = timed.stream().mapToLong(Timings::promptTokens).sum();
        long generated = timed.stream().mapToLong(Timings::generatedTokens).sum();
        return new StageTimings(n, videos, videos == 0 ? 0 : vision / videos, prefill / n, decode / n,
                (double) promptTokens / n, (double) generated / n, decode == 0 ? 0 : generated / (decode / 1000),
                (vision + prefill + decode) / 1000);
    }

    /** The plain sum in answer order ({@code DoubleStream.sum} compensates its rounding, and could differ in the last bit). */
    private static double sum(List<Timings> timings, ToDoubleFunction<Timings> value) {
        return timings.stream().mapToDouble(value).reduce(0, Double::sum);
    }
}
