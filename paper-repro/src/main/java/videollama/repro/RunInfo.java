package videollama.repro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import videollama.app.Errors;

/**
 * {@code OUT/run.json}, beside {@code predictions.jsonl}: what the answers were made with, for resuming, merging
 * and the report. Written at the start of every run into the folder.
 *
 * @param answering        every setting that decides the answers: {@code dataset}, {@code annotations} (each file's
 *                         path and SHA-256), {@code videos}, {@code model}, {@code vision_branch_sha256},
 *                         {@code frames}, {@code template}, {@code backend}, {@code decoder} and {@code generation}
 *                         (the generation settings: {@code max_new_tokens}, {@code sampling} with {@code temperature},
 *                         {@code top_k}, {@code top_p}, {@code seed}, ...). A run resumes only with equal settings;
 *                         shards merge only with equal settings.
 * @param shard            {@code "i/n"} for {@code --shard}, else null
 * @param limit            {@code --limit}, else null
 * @param questions        the questions this folder is to hold (the shard's, up to the limit)
 * @param datasetQuestions the questions in the annotation files
 * @param device           the backend's device, as {@code videollama devices} names it
 * @param machine          operating system, CPU threads, memory and Java of the machine
 * @param started          when the first run into this folder started (ISO 8601, UTC)
 */
record RunInfo(ObjectNode answering, String shard, Integer limit, int questions, int datasetQuestions, String device,
               String machine, String started) {

    static final String FILE = "run.json";

    static Optional<RunInfo> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(PredictionFile.JSON.readValue(Files.readString(file, StandardCharsets.UTF_8), RunInfo.class));
        } catch (JsonProcessingException e) {
            throw new Errors.UsageFailure(file + ": not a run description (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new Errors.UsageFailure(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    void write(Path dir) throws IOException {
        Path partial = Files.createTempFile(dir, "run", ".partial");
        Files.writeString(partial, PredictionFile.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this) + "\n",
                StandardCharsets.UTF_8);
        Files.move(partial, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The seed the answers were sampled with. */
    long seed() {
        return answering.path("generation").path("sampling").path("seed").asLong();
    }

    /**
     * The first setting in which {@code other} differs from {@code these}, as "name: A here, B there", or empty
     * when they are equal.
     */
    static Optional<String> difference(JsonNode these, JsonNode other, String here, String there) {
        return difference("", these, other, here, there);
    }

    private static Optional<String> difference(String path, JsonNode a, JsonNode b, String here, String there) {
        if (a.equals(b)) {
            return Optional.empty();
        }
        if (a.isObject() && b.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            a.fieldNames().forEachRemaining(names::add);
            b.fieldNames().forEachRemaining(names::add);
            for (Iterator<String> it = names.iterator(); it.hasNext(); ) {
                String name = it.next();
                Optional<String> d = difference(path.isEmpty() ? name : path + "." + name, a.path(name), b.path(name), here, there);
                if (d.isPresent()) {
                    return d;
                }
            }
        }
        return Optional.of(path + ": " + shown(a) + " " + here + ", " + shown(b) + " " + there);
    }

    private static String shown(JsonNode node) {
        return node.isMissingNode() ? "absent" : node.toString();
    }
}
