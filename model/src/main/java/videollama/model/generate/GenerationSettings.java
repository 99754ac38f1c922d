package videollama.model.generate;

import java.util.List;

/**
 * @param maxNewTokens the most tokens to generate
 * @param sampling     how each token is chosen
 * @param stopStrings  texts that end the answer; the answer is cut before the first one
 * @param keepLogits   keep every step's logits row (for {@code --dump})
 */
public record GenerationSettings(int maxNewTokens, SamplingSettings sampling, List<String> stopStrings, boolean keepLogits) {
    public GenerationSettings {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max-new-tokens must not be negative, got " + maxNewTokens);
        }
        stopStrings = List.copyOf(stopStrings);
        if (stopStrings.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("a stop string must not be empty");
        }
    }

    /** The same settings with another sampling seed. */
    public GenerationSettings withSeed(long seed) {
        return new GenerationSettings(maxNewTokens, sampling.withSeed(seed), stopStrings, keepLogits);
    }
}
