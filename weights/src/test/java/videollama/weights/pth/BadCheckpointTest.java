package videollama.weights.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.weights.pth.PthFileTest.assertMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.WeightsException;

/** Archives that are not what torch.save writes: each a one-line error naming the file, and the entry or tensor. */
class BadCheckpointTest {
    private static final Map<String, byte[]> TENSORS = Archives.entries(PthFileTest.DIR.resolve("tensors.pth"));

    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private WeightsException openFails(Path file) {
        return assertThrows(WeightsException.class, () -> PthFile.open(file).close());
    }

    private WeightsException readFails(Path file, String tensor) {
        try (PthStateDict tensors = PthFile.open(file).stateDict()) {
            return assertThrows(WeightsException.class, () -> tensors.get(tensor));
        }
    }

    @Test
    void rezippedJavaArchiveStillReads() throws IOException {
        // java.util.zip writes data descriptors and no alignment padding: a different but valid layout.
        Path file = write("rezipped.pth", Archives.zip(TENSORS, (name, data) -> data));
        try (PthStateDict tensors = PthFile.open(file).stateDict()) {
            PthFileTest.assertSameTensors(PthFileTest.DIR.resolve("tensors.safetensors"), tensors);
        }
    }

    @Test
    void compressedPickle() throws IOException {
        Path file = write("deflated.pth", Archives.zip(TENSORS, (name, data) -> data, name -> name.endsWith("data.pkl")));
        assertMessage(openFails(file), file, "tensors/data.pkl", "compressed");
    }

    @Test
    void compressedStorageIsAnErrorForItsTensorOnly() throws IOException {
        Path file = write("deflated-storage.pth",
                Archives.zip(TENSORS, (name, data) -> data, name -> name.equals("tensors/data/0")));
        assertMessage(readFails(file, "f32"), file, "tensor 'f32'", "tensors/data/0", "compressed");
        try (PthStateDict tensors = PthFile.open(file).stateDict()) {
            assertEquals(4, tensors.get("f16").size(), "other storages are fine");
        }
    }

    @Test
    void missingStorage() throws IOException {
        Path file = write("missing.pth",
                Archives.zip(TENSORS, (name, data) -> name.equals("tensors/data/1") ? null : data));
        assertMessage(readFails(file, "f16"), file, "tensor 'f16'", "no entry 'tensors/data/1'");
    }

    @Test
    void storageShorterThanItsElements() throws IOException {
        Path file = write("short.pth", Archives.zip(TENSORS,
                (name, data) -> name.equals("tensors/data/0") ? Arrays.copyOf(data, data.length - 1) : data));
        assertMessage(readFails(file, "f32"), file, "tensor 'f32'", "storage '0'", "holds only 23 bytes");
    }

    @Test
    void bigEndian() throws IOException {
        Path file = write("big.pth", Archives.zip(TENSORS,
                (name, data) -> name.endsWith("/byteorder") ? "big".getBytes(StandardCharsets.US_ASCII) : data));
        assertMessage(openFails(file), file, "byte order 'big'");
    }

    @Test
    void noPickle() throws IOException {
        Path file = write("nopickle.pth", Archives.zip(TENSORS, (name, data) -> name.endsWith("data.pkl") ? null : data));
        assertMessage(openFails(file), file, "data.pkl");
    }

    @Test
    void damagedPickleFailsItsChecksum() throws IOException {
        byte[] bytes = Files.readAllBytes(PthFileTest.DIR.resolve("tensors.pth"));
        int at = indexOf(bytes, "shared.row".getBytes(StandardCharsets.US_ASCII));
        bytes[at] = 'S'; // a renamed tensor must not go unnoticed
        Path file = write("crc.pth", bytes);
        assertMessage(openFails(file), file, "tensors/data.pkl", "CRC-32");
    }

    @Test
    void pickleWithoutTensors() throws IOException {
        byte[] emptyDict = {(byte) 0x80, 2, '}', 'q', 0, '.'};
        Path file = write("empty.pth", Archives.zip(Map.of("archive/data.pkl", emptyDict), (name, data) -> data));
        try (PthStateDict tensors = PthFile.open(file).stateDict()) {
            assertTrue(tensors.names().isEmpty());
        }
    }

    @Test
    void pickleWithGarbage() throws IOException {
        byte[] garbage = {(byte) 0x80, 2, '}', 'q', 0, (byte) 0xfe, '.'};
        Path file = write("garbage.pth", Archives.zip(Map.of("archive/data.pkl", garbage), (name, data) -> data));
        assertMessage(openFails(file), file, "pickle", "opcode 0xfe", "at byte 5");
    }

    @Test
    void notAnArchive() throws IOException {
        for (byte[] bytes : new byte[][] {{}, {1, 2, 3}, "hello world, not a zip".getBytes(StandardCharsets.UTF_8)}) {
            Path file = write("not.pth", bytes);
            assertMessage(openFails(file), file, "not a PyTorch checkpoint");
        }
    }

    @Test
    void truncatedArchive() throws IOException {
        byte[] bytes = Files.readAllBytes(PthFileTest.DIR.resolve("tensors.pth"));
        Path file = write("cut.pth", Arrays.copyOf(bytes, bytes.length / 2));
        assertMessage(openFails(file), file, "truncated");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nothing.pth");
        assertMessage(openFails(file), file, "no such file");
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
