package videollama.weights.pth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Checkpoint archives taken apart and put together again with {@code java.util.zip}, for crafted test files (public:
 * the command-line tests build hostile checkpoints with it too).
 */
public final class Archives {
    private Archives() {
    }

    /** The entries of an archive, by name, in order. */
    public static Map<String, byte[]> entries(Path file) {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> all = zip.entries();
            while (all.hasMoreElements()) {
                ZipEntry entry = all.nextElement();
                entries.put(entry.getName(), zip.getInputStream(entry).readAllBytes());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return entries;
    }

    /**
     * A new archive of {@code entries}, each passed through {@code transform} (null leaves it out), stored unless
     * {@code deflate} says otherwise.
     */
    public static byte[] zip(Map<String, byte[]> entries, BiFunction<String, byte[], byte[]> transform,
            Predicate<String> deflate) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                byte[] data = transform.apply(e.getKey(), e.getValue());
                if (data == null) {
                    continue;
                }
                ZipEntry entry = new ZipEntry(e.getKey());
                if (deflate.test(e.getKey())) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    CRC32 crc = new CRC32();
                    crc.update(data);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(data.length);
                    entry.setCompressedSize(data.length);
                    entry.setCrc(crc.getValue());
                }
                out.putNextEntry(entry);
                out.write(data);
                out.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] zip(Map<String, byte[]> entries, BiFunction<String, byte[], byte[]> transform) {
        return zip(entries, transform, name -> false);
    }
}
