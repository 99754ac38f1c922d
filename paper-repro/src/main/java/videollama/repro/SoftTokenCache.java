package videollama.repro;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import videollama.model.chat.SoftTokens;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;
import videollama.weights.WeightsException;

/**
 * Videos' soft tokens kept on disk, so that a video is encoded once across runs (a resumed run, another template or
 * sampling setting, a second dataset over the same videos). An entry is a safetensors file named by its key (the
 * SHA-256 of everything that changes the tokens: see {@link QaRun#cacheKey}) holding {@code video.tokens} [32, d]
 * and, in its metadata, the prompt's timestamp sentence. Entries are written whole and renamed into place, so
 * concurrent runs sharing the folder never read half of one; an unreadable entry counts as absent and is rewritten.
 */
final class SoftTokenCache {
    private static final String TOKENS = "video.tokens";
    private static final String SENTENCE = "timestamp_sentence";

    /** A video's tokens and the sentence of its frames' times that the upload message carries. */
    record Entry(SoftTokens tokens, String timestampSentence) {}

    private final Path dir;

    /** @param dir the cache folder, created when needed; null: no cache */
    SoftTokenCache(Path dir) {
        this.dir = dir;
    }

    Optional<Entry> get(String key) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = dir.resolve(key + ".safetensors");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (SafetensorsFile entry = SafetensorsFile.open(file)) {
            Tensor tokens = entry.find(TOKENS).orElse(null);
            String sentence = entry.metadata().get(SENTENCE);
            if (tokens == null || tokens.rank() != 2 || sentence == null) {
                return Optional.empty();
            }
            return Optional.of(new Entry(new SoftTokens("video", tokens.toFloatArray(), Math.toIntExact(tokens.dim(0))), sentence));
        } catch (WeightsException e) {
            return Optional.empty();
        }
    }

    /** Stores an entry (the writer writes a temporary file and renames it into place). */
    void put(String key, Entry entry) throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        SoftTokens t = entry.tokens();
        SafetensorsWriter.write(dir.resolve(key + ".safetensors"), List.of(Tensor.ofFloats(TOKENS, t.rows(), t.count(), t.hidden())),
                Map.of(SENTENCE, entry.timestampSentence()));
    }
}
