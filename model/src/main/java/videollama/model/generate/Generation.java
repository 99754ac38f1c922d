package videollama.model.generate;

import java.util.List;

/**
 * What one generation produced.
 *
 * @param tokens       the generated ids, in order (an EOS that ended generation included)
 * @param text         the answer text, cut before any stop string
 * @param stopReason   why it ended
 * @param promptLength positions in the prompt
 * @param prefillNanos time to run the prompt, up to the first logits
 * @param decodeNanos  time for the tokens after the first
 * @param logits       each step's logits row when asked for (row 0 = the prompt's last position), else empty
 */
public record Generation(int[] tokens, String text, StopReason stopReason, int promptLength,
                         long prefillNanos, long decodeNanos, List<float[]> logits) {

    /** Prompt positions per second. */
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptLength * 1e9 / prefillNanos;
    }

    /** Generated tokens per second, after the first (which is timed with the prompt). */
    public double decodeTokensPerSecond() {
        int steps = tokens.length - 1;
        return steps <= 0 || decodeNanos == 0 ? 0 : steps * 1e9 / decodeNanos;
    }
}
