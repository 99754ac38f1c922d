package videollama.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/** {@code --dump DIR}: intermediate tensors as float32 under the stage names the README lists for {@code --dump}. */
final class Dumps {
    private Dumps() {}

    /**
     * Makes sure {@code --dump DIR} can be written before any work: the folder is created, a file is written into it and
     * removed (a read-only mount refuses even root), and the two names it will write are not folders.
     */
    static void prepare(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new Errors.UsageFailure("--dump " + dir + ": a file, not a folder");
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Errors.UsageFailure("--dump " + dir + ": cannot create the folder (" + reason(e) + ")");
        }
        try {
            Files.delete(Files.createTempFile(dir, ".videollama-", ".probe"));
        } catch (IOException e) {
            throw new Errors.UsageFailure("--dump " + dir + ": cannot write there (" + reason(e) + ")");
        }
        for (String name : List.of("dump.safetensors", "prompt.json")) {
            if (Files.isDirectory(dir.resolve(name))) {
                throw new Errors.UsageFailure("--dump " + dir + ": " + name + " there is a folder; the dump writes a file of that name");
            }
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getClass().getSimpleName();
    }

    static void write(Path dir, PromptIds prompt, float[] promptEmbeddings, int hidden, List<float[]> logits, int vocab) {
        write(dir, List.of(), prompt, promptEmbeddings, hidden, logits, vocab);
    }

    /** Writes {@code stages} (already named, e.g. the vision outputs) before the prompt and the logits. */
    static void write(Path dir, List<Tensor> stages, PromptIds prompt, float[] promptEmbeddings, int hidden,
                      List<float[]> logits, int vocab) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new Errors.UsageFailure("--dump " + dir + ": cannot create the folder (" + e.getMessage() + ")");
        }
        List<Tensor> tensors = new ArrayList<>(stages);
        tensors.add(Tensor.ofFloats("prompt.embeds", promptEmbeddings, promptEmbeddings.length / hidden, hidden));
        float[] rows = new float[logits.size() * vocab];
        for (int i = 0; i < logits.size(); i++) {
            System.arraycopy(logits.get(i), 0, rows, i * vocab, vocab);
        }
        tensors.add(Tensor.ofFloats("logits", rows, logits.size(), vocab));
        SafetensorsWriter.write(dir.resolve("dump.safetensors"), tensors, Map.of("producer", "videollama"));
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValue(dir.resolve("prompt.json").toFile(), Map.of("segments", prompt.segments()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
