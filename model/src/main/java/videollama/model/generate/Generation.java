package videollama.model.generate;

import java.util.List;

/**
 * What one generation produced.
 *
 * @param tokens       the generated ids, in order (an EOS that ended generation included; with beams, the EOS
 *                     transformers 4.28's beam search appends to a best sequence shorter than its maximum)
 * @param text         the answer text, cut before any stop string
 * @param stopReason   why it ended
 * @param promptLength positions in the prompt
 * @param prefillNanos time to run the prompt, up to the first logits
 * @param decodeNanos  time for the tokens after the first
 * @param decodeSteps  forward steps after the first logits (each step feeds one token to every beam)
 * @param beams        sequences decoded side by side: 1, or the beams of a beam search
 * @param score        with beams the returned sequence's score (transformers' {@code sequences_scores}), else NaN
 * @param logits       each step's logits row when asked for (row 0 = the prompt's last position; with beams only
 *                     that row), else empty
 */
public record Generation(int[] tokens, String text, StopReason stopReason, int promptLength, long prefillNanos,
                         long decodeNanos, int decodeSteps, int beams, float score, List<float[]> logits) {

    /** Prompt positions per second. */
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptLength * 1e9 / prefillNanos;
    }

    /** Decode steps per second, after the first token (which is timed with the prompt); a step per beam is one token each. */
    public double decodeTokensPerSecond() {
        return decodeSteps <= 0 || decodeNanos == 0 ? 0 : decodeSteps * 1e9 / decodeNanos;
    }
}
