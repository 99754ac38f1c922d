package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file past 2 GB, made sparse so the test costs no disk space or time where the file system allows it. */
class LargeFileTest {
    private static final long TWO_GB = 1L << 31;

    @TempDir
    Path dir;

    @Test
    void readsATensorPast2GB() throws IOException {
        long begin = TWO_GB + 1001; // odd on purpose: data offsets need not be aligned
        String json = "{\"far\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":["
                + begin + "," + (begin + 16) + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        Path path = dir.resolve("large.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.setLength(8 + header.length + begin + 4096);
            ByteBuffer start = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            file.write(start.putLong(header.length).put(header).array());
            ByteBuffer values = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            file.seek(8 + header.length + begin);
            file.write(values.putFloat(1.5f).putFloat(-2f).putFloat(3e9f).putFloat(Float.MIN_VALUE).array());
        } catch (IOException e) {
            assumeTrue(false, "file system refused a sparse file past 2 GB: " + e);
        }
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Tensor far = file.get("far");
            assertEquals(begin, file.tensorInfos().getFirst().begin());
            assertArrayEquals(new float[] {1.5f, -2f, 3e9f, Float.MIN_VALUE}, far.toFloatArray());
        }
    }
}
