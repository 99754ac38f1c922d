package videollama.weights.pth;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import videollama.testing.SeededRandom;
import videollama.weights.WeightsException;

/**
 * Damages real checkpoints in many ways: the only outcomes may be a checkpoint that opens and whose tensors
 * read (each one, or a one-line {@link WeightsException} naming the file), or such an exception from open.
 * Never another exception, never a read outside the file.
 */
class PthCorruptionFuzzTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static final Path TENSORS = PthFileTest.DIR.resolve("tensors.pth");
    private static final Path CHECKPOINT = PthFileTest.DIR.resolve("checkpoint.pth");

    @TempDir
    Path dir;

    /** Every length within the central directory and end record (where the offsets are), every 11th before. */
    @Test
    void truncations() throws IOException {
        byte[] valid = Files.readAllBytes(TENSORS);
        for (int length = 0; length < valid.length; length += length < valid.length - 600 ? 11 : 1) {
            String outcome = check(Arrays.copyOf(valid, length), "truncated to " + length);
            assertTrue(!outcome.isEmpty(), "a truncated archive must not open: " + length);
        }
    }

    @Test
    void randomByteChangesInTheArchive() throws IOException {
        for (Path source : new Path[] {TENSORS, CHECKPOINT, PthFileTest.DIR.resolve("zip64.pth")}) {
            byte[] valid = Files.readAllBytes(source);
            for (int round = 0; round < 400; round++) {
                byte[] damaged = valid.clone();
                int changes = 1 + random.nextInt(3);
                for (int i = 0; i < changes; i++) {
                    // Half of the changes hit the central directory and end records, where the offsets are.
                    int at = random.nextBoolean() ? random.nextInt(damaged.length)
                            : damaged.length - 1 - random.nextInt(Math.min(damaged.length, 1200));
                    damaged[at] = (byte) random.nextInt(256);
                }
                check(damaged, source.getFileName() + " round " + round);
            }
        }
    }

    /**
     * The pickle is protected by its CRC, so byte changes to the file stop there; to reach the interpreter, the
     * pickle itself is damaged and the archive rebuilt with a correct CRC.
     */
    @Test
    void randomChangesInThePickle() throws IOException {
        int opened = 0;
        for (Path source : new Path[] {TENSORS, CHECKPOINT}) {
            Map<String, byte[]> entries = Archives.entries(source);
            String pickleName = entries.keySet().stream().filter(n -> n.endsWith("/data.pkl")).findFirst().orElseThrow();
            byte[] pickle = entries.get(pickleName);
            for (int round = 0; round < 500; round++) {
                byte[] damaged = pickle.clone();
                int changes = 1 + random.nextInt(3);
                for (int i = 0; i < changes; i++) {
                    int at = random.nextInt(damaged.length);
                    damaged[at] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (damaged[at] + random.nextInt(5) - 2);
                }
                if (random.nextInt(10) == 0) {
                    damaged = Arrays.copyOf(damaged, random.nextInt(damaged.length));
                }
                byte[] newPickle = damaged;
                byte[] archive = Archives.zip(entries, (name, data) -> name.equals(pickleName) ? newPickle : data);
                if (check(archive, source.getFileName() + " pickle round " + round).isEmpty()) {
                    opened++;
                }
            }
        }
        assertTrue(opened > 30, "some damage (a changed value) leaves a readable pickle: " + opened);
    }

    /** Opens the bytes and reads every tensor fully; returns the first error message, or "" if all went well. */
    private String check(byte[] bytes, String what) throws IOException {
        Path file = Files.write(dir.resolve("damaged.pth"), bytes);
        String firstError = "";
        try (PthFile pth = PthFile.open(file)) {
            PthStateDict tensors = pth.root() instanceof Map<?, ?> root && root.get("model") instanceof Map<?, ?>
                    ? pth.stateDict("model") : pth.stateDict();
            for (String name : tensors.names()) {
                try {
                    tensors.get(name).data().toArray(ValueLayout.JAVA_BYTE); // every byte lies inside the mapping
                } catch (WeightsException e) {
                    assertOneLine(e, file, what);
                    firstError = firstError.isEmpty() ? e.getMessage() : firstError;
                }
            }
            return firstError;
        } catch (WeightsException e) {
            assertOneLine(e, file, what);
            return e.getMessage();
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            return fail(what + ": " + e, e);
        }
    }

    private static void assertOneLine(WeightsException e, Path file, String what) {
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString()) && !message.contains("\n"), what + ": " + message);
    }
}
