package videollama.model.generate;

/**
 * How the next token is chosen from the logits, with Hugging Face's meaning of each number.
 *
 * @param temperature 0 means greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK        keep the k most likely tokens (0 = all)
 * @param topP        keep the smallest set of most likely tokens whose probability reaches p (1 = all)
 * @param seed        seeds the random generator, so a sampled run can be repeated exactly
 */
public record SamplingSettings(float temperature, int topK, float topP, long seed) {

    public SamplingSettings {
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
    }

    /** Always the most likely token. */
    public static SamplingSettings greedy() {
        return new SamplingSettings(0f, 0, 1f, 0L);
    }

    /** The same settings with another seed (a run of many questions gives each its own). */
    public SamplingSettings withSeed(long newSeed) {
        return new SamplingSettings(temperature, topK, topP, newSeed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }
}
