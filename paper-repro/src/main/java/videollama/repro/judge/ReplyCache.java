package videollama.repro.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The judge's answers on disk, so that a re-run (after a kill, or with one more predictions file) asks only what it
 * has not asked before. The key is the SHA-256 of the endpoint's URL and the request body, which holds the judge
 * model and every message, so a changed template, model, answer or endpoint asks again. One file per answer,
 * {@code DIR/ab/abcdef....json}, holding the URL, the request and the response body as it came; written to a
 * temporary file and moved into place, so that a kill leaves no half-written entry and concurrent requests never read
 * one.
 */
public final class ReplyCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    public ReplyCache(Path dir) {
        this.dir = dir;
    }

    public static String key(String url, String requestBody) {
        return HexFormat.of().formatHex(Hashing.sha256((url + "\n" + requestBody).getBytes(StandardCharsets.UTF_8)));
    }

    /** The response body stored under {@code key}; empty when there is none or the entry cannot be read. */
    public Optional<String> get(String key) {
        Path file = file(key);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode entry = JSON.readTree(file.toFile());
            JsonNode response = entry.get("response");
            return response != null && response.isTextual() ? Optional.of(response.asText()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // a damaged entry is asked again and rewritten
        }
    }

    public void put(String key, String url, String requestBody, String responseBody) {
        Path file = file(key);
        try {
            Files.createDirectories(file.getParent());
            ObjectNode entry = JSON.createObjectNode();
            entry.put("url", url);
            entry.set("request", JSON.readTree(requestBody));
            entry.put("response", responseBody);
            Path tmp = Files.createTempFile(file.getParent(), key, ".tmp");
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(entry));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String key) {
        return dir.resolve(key.substring(0, 2)).resolve(key + ".json");
    }
}
