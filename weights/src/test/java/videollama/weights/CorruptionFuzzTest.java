package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages a valid file in many ways and checks the only outcomes are a clean open or a one-line
 * {@link WeightsException}: never another exception, never a read outside the file.
 */
class CorruptionFuzzTest {
    /** Replacement bytes that keep a header looking like JSON, so damage reaches past the parser. */
    private static final String JSONISH = "0123456789[]{},-:\" e.";

    @TempDir
    Path dir;

    private byte[] validFile() throws IOException {
        Path file = dir.resolve("valid.safetensors");
        SafetensorsWriter.write(file, List.of(
                Tensor.ofFloats("a", new float[] {1, 2, 3, 4, 5, 6}, 2, 3),
                Tensor.ofFloats("b", new float[] {7, 8}, 2).convertTo(DType.BF16),
                Tensor.ofLongs("c", new long[] {9}, 1)), Map.of("k", "v"));
        return Files.readAllBytes(file);
    }

    @Test
    void everyTruncation() throws IOException {
        byte[] valid = validFile();
        for (int length = 0; length < valid.length; length++) {
            check(Arrays.copyOf(valid, length), "truncated to " + length);
        }
    }

    @Test
    void randomByteChanges() throws IOException {
        byte[] valid = validFile();
        Random random = new Random(7);
        int rejectedPastTheParser = 0;
        for (int round = 0; round < 2000; round++) {
            byte[] damaged = valid.clone();
            int changes = 1 + random.nextInt(3);
            for (int i = 0; i < changes; i++) {
                // Mostly the header and its length: the data section has no structure to damage.
                int at = random.nextInt(Math.min(damaged.length, 200));
                damaged[at] = random.nextInt(4) == 0
                        ? (byte) random.nextInt(256)
                        : (byte) JSONISH.charAt(random.nextInt(JSONISH.length()));
            }
            if (check(damaged, "round " + round).contains("data_offsets")) {
                rejectedPastTheParser++;
            }
        }
        assertTrue(rejectedPastTheParser > 50, "damage should often reach the offset checks: " + rejectedPastTheParser);
    }

    /** Opens and reads the damaged bytes; returns the error message, or "" if the file opened. */
    private String check(byte[] bytes, String what) throws IOException {
        Path file = Files.write(dir.resolve("damaged.safetensors"), bytes);
        try (SafetensorsFile open = SafetensorsFile.open(file)) {
            for (String name : open.names()) {
                open.get(name).toFloatArray(); // every byte of every tensor is inside the mapping
            }
            return "";
        } catch (WeightsException e) {
            String message = e.getMessage();
            assertTrue(message.startsWith(file + ": ") && !message.contains("\n"), what + ": " + message);
            return message;
        } catch (RuntimeException e) {
            return fail(what + ": " + e, e);
        }
    }
}
