package videollama.app;

import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * The generation flags; the defaults are the reference demo's ({@code Chat.answer}'s, in its {@code conversation_video.py}), each number
 * meaning what transformers 4.28's {@code generate} makes of it there. Public so that commands of other modules
 * ({@code eval qa}) take the same flags as {@code chat} ({@code @Mixin}).
 */
public final class SamplingOptions {
    public static final int MAX_BEAMS = 64;

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

    @Option(names = "--num-beams", paramLabel = "N", defaultValue = "1",
            description = "Beams, 1 to 64: 1, or a beam search (with --temperature 0) or beam sampling, as transformers 4.28 (default: ${DEFAULT-VALUE}).")
    int numBeams;

    @Option(names = "--length-penalty", paramLabel = "L", defaultValue = "1",
            description = "With beams: a finished beam's log-probability is divided by its length^L; above 0 favours longer answers "
                    + "(default: ${DEFAULT-VALUE}).")
    double lengthPenalty;

    @Option(names = "--repetition-penalty", paramLabel = "P", defaultValue = "1.0",
            description = "Penalise tokens already generated: a score below 0 times P, any other over P; 1 is off (default: ${DEFAULT-VALUE}).")
    float repetitionPenalty;

    @Option(names = "--min-length", paramLabel = "N", defaultValue = "1",
            description = "No EOS before the N-th token counting the BOS transformers 4.28 puts before the answer, i.e. at least "
                    + "N-1 generated tokens (default: ${DEFAULT-VALUE}).")
    int minLength;

    /** True when {@code --seed} was given (else {@link #settings} draws a fresh one). */
    public boolean seedGiven() {
        return seed != null;
    }

    /** Checks the values; a bad one is a usage error naming its flag. */
    public SamplingSettings settings(CommandLine commandLine) {
        require(commandLine, maxNewTokens >= 0, "--max-new-tokens must not be negative, got " + maxNewTokens);
        require(commandLine, temperature >= 0 && !Float.isInfinite(temperature),
                "--temperature must be 0 (greedy) or positive, got " + temperature);
        require(commandLine, topK >= 0, "--top-k must be 0 (off) or positive, got " + topK);
        require(commandLine, topP > 0 && topP <= 1, "--top-p must be in (0, 1], got " + topP);
        long s = seed != null ? seed : System.nanoTime() ^ System.identityHashCode(this);
        return new SamplingSettings(temperature, topK, topP, s);
    }

    /** Checks the beam and penalty flags and makes the settings of a run; a bad value is a usage error naming its flag. */
    public GenerationSettings generation(CommandLine commandLine, SamplingSettings sampling, List<String> stopStrings,
                                         List<int[]> stopTokenIds, boolean keepLogits) {
        // every beam holds its own key/value cache; the reference demo's slider goes to 10
        require(commandLine, numBeams >= 1 && numBeams <= MAX_BEAMS, "--num-beams must be 1 to " + MAX_BEAMS + ", got " + numBeams);
        require(commandLine, Double.isFinite(lengthPenalty), "--length-penalty must be a finite number, got " + lengthPenalty);
        require(commandLine, repetitionPenalty > 0 && !Float.isInfinite(repetitionPenalty),
                "--repetition-penalty must be positive (1 is off), got " + repetitionPenalty);
        require(commandLine, minLength >= 0, "--min-length must not be negative, got " + minLength);
        require(commandLine, minLength <= maxNewTokens + 1L, "--min-length " + minLength + " is more than --max-new-tokens + 1 = "
                + (maxNewTokens + 1L) + " (the count includes the BOS before the answer)");
        return new GenerationSettings(maxNewTokens, sampling, numBeams, lengthPenalty, repetitionPenalty, minLength,
                stopStrings, stopTokenIds, keepLogits);
    }

    /** A usage error naming the flag, unless {@code ok}. */
    private static void require(CommandLine commandLine, boolean ok, String message) {
        if (!ok) {
            throw new CommandLine.ParameterException(commandLine, message);
        }
    }

    /** The stderr line describing how tokens are chosen, or null for plain greedy decoding. */
    public static String describe(GenerationSettings g) {
        SamplingSettings s = g.sampling();
        StringBuilder line = new StringBuilder();
        if (!s.isGreedy()) {
            line.append("sampling: temperature ").append(s.temperature()).append(", top-k ").append(s.topK())
                    .append(", top-p ").append(s.topP()).append(", seed ").append(s.seed());
        }
        if (g.numBeams() > 1) {
            line.append(line.isEmpty() ? "" : "; ").append(s.isGreedy() ? "beam search: " : "beam sampling: ")
                    .append(g.numBeams()).append(" beams, length penalty ").append(String.format(Locale.ROOT, "%g", g.lengthPenalty()));
        }
        if (g.repetitionPenalty() != 1f) {
            line.append(line.isEmpty() ? "" : "; ").append("repetition penalty ").append(g.repetitionPenalty());
        }
        if (g.minLength() > 1) {
            line.append(line.isEmpty() ? "" : "; ").append("min length ").append(g.minLength());
        }
        return line.isEmpty() ? null : line.toString();
    }
}
