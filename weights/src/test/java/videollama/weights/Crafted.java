package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Safetensors files built byte by byte, for tests that need files our writer would never produce. */
final class Crafted {
    private Crafted() {
    }

    /** A file with this header JSON (not padded) followed by {@code dataBytes} bytes counting 0, 1, 2, ... */
    static Path file(Path dir, String name, String headerJson, int dataBytes) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(header.length).put(header);
        for (int i = 0; i < dataBytes; i++) {
            bytes.put((byte) i);
        }
        return raw(dir, name, bytes.array());
    }

    /** A file holding exactly these bytes. */
    static Path raw(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 8-byte little-endian header length field followed by {@code rest}. */
    static byte[] withLength(long headerLength, byte[] rest) {
        return ByteBuffer.allocate(8 + rest.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(headerLength).put(rest).array();
    }

    /**
     * Runs {@code action}, which must throw a {@link WeightsException} with a one-line message containing the
     * file and every fragment.
     */
    static WeightsException assertWeightsError(Executable action, Object file, String... fragments) {
        WeightsException e = assertThrows(WeightsException.class, action);
        String message = e.getMessage();
        assertFalse(message.contains("\n") || message.contains("\r"), () -> "not one line: " + message);
        assertTrue(message.startsWith(file.toString() + ":"), () -> "does not start with " + file + ": " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "'" + fragment + "' missing from: " + message);
        }
        return e;
    }

    /** {@link #assertWeightsError} for opening {@code file}. */
    static WeightsException assertOpenFails(Path file, String... fragments) {
        return assertWeightsError(() -> SafetensorsFile.open(file).close(), file, fragments);
    }
}
