package videollama.repro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import videollama.app.Errors;

/**
 * {@code run.json}: how a run's answers were made, written by {@code eval qa} beside its {@code predictions.jsonl}
 * (and carried along by {@code eval merge}), read by {@code eval judge} into {@code metrics.json} and shown by {@code
 * eval report} beside the published setup. Unknown fields are ignored when reading, so fields can be added.
 *
 * @param tool      the program and its version, "videollama 0.1.0"
 * @param command   the command line, as arguments
 * @param started   ISO-8601 instant the run started
 * @param model     the model folder as given
 * @param modelName what the model calls itself (its folder's name, or videollama.json's)
 * @param template  the conversation template: llama2 or vicuna
 * @param frames    frames sampled per video
 * @param audio     whether the sound track was heard too
 * @param decoder   the media decoder: ffmpeg or java
 * @param backend   the compute backend: reference, opencl, cuda
 * @param dtype     the weights' number format as run (bf16, f16, f32)
 */
public record RunManifest(String tool, List<String> command, String started, String model, String modelName, String template,
                          int frames, boolean audio, Sampling sampling, String decoder, String backend, String dtype,
                          Machine machine) {
    public static final String FILE = "run.json";

    /** The generation settings (the reference's {@code answer()} arguments). */
    public record Sampling(int maxNewTokens, double temperature, int topK, double topP, Long seed, int numBeams,
                           double repetitionPenalty, int minLength) {}

    /** Where it ran: CPU model and cores, operating system, Java, the accelerator the backend used (null: none). */
    public record Machine(String cpu, int cores, String os, String java, String device) {
        /** This machine, with {@code device} as the backend names it. */
        public static Machine current(String device) {
            return new Machine(cpuModel(), Runtime.getRuntime().availableProcessors(),
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                    "Java " + System.getProperty("java.version"), device);
        }

        private static String cpuModel() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
                        return line.substring(line.indexOf(':') + 1).strip();
                    }
                }
            } catch (IOException | RuntimeException e) {
                // not Linux, or not readable: say so below
            }
            return "unknown CPU";
        }
    }

    public void write(Path dir) throws IOException {
        Json.SNAKE_CASE.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(FILE).toFile(), this);
    }

    /** The manifest in {@code dir}, or null when there is none; a broken one is an error naming the file. */
    public static RunManifest read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.SNAKE_CASE.readValue(file.toFile(), RunManifest.class);
        } catch (IOException e) {
            throw new Errors.UsageFailure(file + ": not a run manifest (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }
}
