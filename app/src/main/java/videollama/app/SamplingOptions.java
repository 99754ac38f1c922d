package videollama.app;

import java.util.List;
import picocli.CommandLine.Option;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * The sampling flags; the defaults are the reference demo's (spec section 6.3). Public so that commands of other
 * modules ({@code eval qa}) take the same flags as {@code chat} ({@code @Mixin}).
 */
public final class SamplingOptions {
    @Option(names = "--max-new-tokens", paramLabel = "N", defaultValue = "300",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "1.0",
            description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "50",
            description = "Keep the K most likely tokens; 0 keeps all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.9",
            description = "Keep the most likely tokens up to probability P; 1 keeps all (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed, to repeat a sampled run exactly (default: a fresh one, printed).")
    Long seed;

    /** True when {@code --seed} was given (else {@link #settings} draws a fresh one). */
    public boolean seedGiven() {
        return seed != null;
    }

    /** Checks the values; a bad one is a usage error naming its flag. */
    public SamplingSettings settings(picocli.CommandLine commandLine) {
        if (maxNewTokens < 0) {
            throw new picocli.CommandLine.ParameterException(commandLine, "--max-new-tokens must not be negative, got " + maxNewTokens);
        }
        if (!(temperature >= 0) || Float.isInfinite(temperature)) {
            throw new picocli.CommandLine.ParameterException(commandLine, "--temperature must be 0 (greedy) or positive, got " + temperature);
        }
        if (topK < 0) {
            throw new picocli.CommandLine.ParameterException(commandLine, "--top-k must be 0 (off) or positive, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new picocli.CommandLine.ParameterException(commandLine, "--top-p must be in (0, 1], got " + topP);
        }
        long s = seed != null ? seed : System.nanoTime() ^ System.identityHashCode(this);
        return new SamplingSettings(temperature, topK, topP, s);
    }

    /** How each answer is generated: these flags with {@code sampling} (from {@link #settings}) and the template's stop strings. */
    public GenerationSettings generation(SamplingSettings sampling, List<String> stopStrings, boolean keepLogits) {
        return new GenerationSettings(maxNewTokens, sampling, stopStrings, keepLogits);
    }
}
