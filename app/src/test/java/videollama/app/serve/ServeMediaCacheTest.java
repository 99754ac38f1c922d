package videollama.app.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import videollama.model.chat.ChatTemplate;

/**
 * The server's two pieces that work without a model: uploads kept by content hash within a bound, and the streamed
 * answer adding up to the cleaned one.
 */
class ServeMediaCacheTest {

    private static String dataUrl(String text) {
        return "data:video/mp4;base64," + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theSameBytesNameTheSameFileAndOnlySoManyAreKept() throws Exception {
        try (MediaCache cache = new MediaCache(1000, 2)) {
            Path a = cache.dataUrl(dataUrl("first video"), "p");
            assertEquals(a, cache.dataUrl(dataUrl("first video"), "p"), "the same bytes, the same file");
            assertArrayEquals("first video".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(a));
            assertTrue(a.getFileName().toString().endsWith(".mp4"), a.toString());
            Path b = cache.dataUrl(dataUrl("second video"), "p");
            assertNotEquals(a, b);
            cache.dataUrl(dataUrl("first video"), "p"); // sent again: the most recent now
            Path c = cache.dataUrl(dataUrl("third video"), "p");
            assertTrue(Files.exists(a) && Files.exists(c), "the two most recently sent are kept");
            assertFalse(Files.exists(b), "the least recently sent is deleted");
        }
    }

    @Test
    void refusesWhatIsNotAnUploadItTakes() {
        try (MediaCache cache = new MediaCache(10, 2)) {
            assertEquals(413, assertThrows(ApiError.class, () -> cache.dataUrl(dataUrl("eleven byte"), "p")).status());
            assertEquals(413, assertThrows(ApiError.class, () -> cache.dataUrl(dataUrl("x".repeat(100)), "p")).status());
            ApiError notBase64 = assertThrows(ApiError.class, () -> cache.dataUrl("data:video/mp4;base64,@@@", "p.url"));
            assertEquals(400, notBase64.status());
            assertTrue(notBase64.getMessage().startsWith("p.url: "), notBase64.getMessage());
            assertEquals(400, assertThrows(ApiError.class, () -> cache.dataUrl("file:///etc/passwd", "p")).status());
            assertEquals(400, assertThrows(ApiError.class, () -> cache.dataUrl("data:video/mp4;base64,", "p")).status());
        }
    }

    @Test
    void theStreamAddsUpToTheCleanedAnswer() {
        for (ChatTemplate template : ChatTemplate.values()) {
            for (String raw : List.of("  A stream of water runs down the rocks.  ", "Water.###Human: more", "Short",
                    " It flows</s> and then", "", "x".repeat(40) + " #")) {
                List<String> sent = new ArrayList<>();
                CleanedStream stream = new CleanedStream(template::cleanAnswer, sent::add);
                for (int i = 0; i < raw.length(); i += 3) {
                    stream.add(raw.substring(i, Math.min(raw.length(), i + 3)));
                }
                String answer = template.cleanAnswer(raw);
                assertTrue(stream.finish(answer), template + ": " + raw);
                assertEquals(answer, String.join("", sent), template + ": " + raw);
            }
        }
    }
}
