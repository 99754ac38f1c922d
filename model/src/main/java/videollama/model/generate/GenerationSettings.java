package videollama.model.generate;

import java.util.List;

/**
 * How an answer is generated, each number with the meaning transformers 4.28's {@code generate} gives it when it starts
 * from {@code inputs_embeds}, as the reference's {@code Chat.answer} calls it. 4.28 then keeps a BOS it never feeds
 * to the model in front of the answer's ids, and counts it: in {@code minLength}, in a beam's length, among the ids
 * the repetition penalty sees.
 *
 * @param maxNewTokens      the most tokens to generate
 * @param sampling          how each token is chosen; greedy (temperature 0) makes beams a beam search, sampling a
 *                          beam sampling
 * @param numBeams          1, or the beams of a beam search
 * @param lengthPenalty     a finished beam's score is its summed log-probability over {@code length^lengthPenalty},
 *                          the length counting that BOS (so: the generated tokens, EOS included)
 * @param repetitionPenalty 1 (off), or Hugging Face's rule on the ids already in the sequence (that BOS and the
 *                          generated tokens): a score below 0 is multiplied by it, any other divided by it
 * @param minLength         EOS is blocked while {@code 1 + generated < minLength} (1: never)
 * @param stopStrings       texts that end the answer; the answer is cut before the first one
 * @param stopTokenIds      id sequences that end generation when the sequence (with beams: the best running beam)
 *                          ends with one: the reference's {@code StoppingCriteriaSub}
 * @param keepLogits        keep every step's logits row (for {@code --dump}; with beams only the prompt's row)
 */
public record GenerationSettings(int maxNewTokens, SamplingSettings sampling, int numBeams, double lengthPenalty,
                                 float repetitionPenalty, int minLength, List<String> stopStrings,
                                 List<int[]> stopTokenIds, boolean keepLogits) {
    public GenerationSettings {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max-new-tokens must not be negative, got " + maxNewTokens);
        }
        if (numBeams < 1) {
            throw new IllegalArgumentException("num-beams must be 1 or more, got " + numBeams);
        }
        if (!Double.isFinite(lengthPenalty)) {
            throw new IllegalArgumentException("length-penalty must be a finite number, got " + lengthPenalty);
        }
        // transformers' RepetitionPenaltyLogitsProcessor: "`penalty` has to be a strictly positive float"
        if (!(repetitionPenalty > 0) || Float.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition-penalty must be positive, got " + repetitionPenalty);
        }
        if (minLength < 0) {
            throw new IllegalArgumentException("min-length must not be negative, got " + minLength);
        }
        // 4.28's generate: "Unfeasible length constraints: the minimum length is larger than the maximum length",
        // the maximum being max_new_tokens plus that BOS
        if (minLength > maxNewTokens + 1) {
            throw new IllegalArgumentException("min-length " + minLength + " exceeds max-new-tokens + 1 = " + (maxNewTokens + 1));
        }
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
        stopTokenIds = stopTokenIds.stream().map(int[]::clone).toList();
        if (stopTokenIds.stream().anyMatch(ids -> ids.length == 0)) {
            throw new IllegalArgumentException("a stop id sequence must not be empty");
        }
    }

    /** One sequence, no penalties: the reference demo's defaults for everything but sampling. */
    public GenerationSettings(int maxNewTokens, SamplingSettings sampling, List<String> stopStrings, boolean keepLogits) {
        this(maxNewTokens, sampling, 1, 1.0, 1f, 1, stopStrings, List.of(), keepLogits);
    }

    /** The same settings with another sampling seed. */
    public GenerationSettings withSeed(long seed) {
        return new GenerationSettings(maxNewTokens, sampling.withSeed(seed), numBeams, lengthPenalty, repetitionPenalty, minLength,
                stopStrings, stopTokenIds, keepLogits);
    }
}
