package videollama.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Reads a model folder's small files ({@code config.json}, {@code videollama.json}, shard indexes,
 * {@code tokenizer.model}) whole onto the heap, only when they are regular files (a FIFO would block the read
 * forever, a link to {@code /dev/zero} never ends) and no larger than a bound that fits what the file is (checked
 * before reading, and again while reading, as the file may grow).
 */
public final class SmallFile {
    /** A {@code config.json} or {@code videollama.json}: a few hundred bytes in every released model. */
    public static final long CONFIG_BYTES = 1 << 20;
    /** A shard index: about 25 KB for LLaMA-2-7B, a few hundred KB for the largest models. */
    public static final long INDEX_BYTES = 16 << 20;
    /** A {@code tokenizer.model}: 500 KB for LLaMA's 32,000 pieces; 64 MB allows vocabularies of millions. */
    public static final long TOKENIZER_BYTES = 64 << 20;

    private SmallFile() {
    }

    /**
     * The bytes of {@code file}.
     *
     * @param what     what the file is, for the message about its size, e.g. {@code "a config.json"}
     * @throws WeightsException naming the file: not found, not a regular file, larger than {@code maxBytes},
     *         unreadable
     */
    public static byte[] read(Path file, long maxBytes, String what) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class); // follows links, as reading does
        } catch (NoSuchFileException e) {
            throw new WeightsException(file + ": not found");
        } catch (IOException e) {
            throw WeightsException.io(file, "read", e);
        }
        if (!attributes.isRegularFile()) {
            throw new WeightsException(file + ": not a regular file (" + (attributes.isDirectory() ? "a folder"
                    : "a pipe, device or socket") + "); a model folder holds plain files");
        }
        if (attributes.size() > maxBytes) {
            throw new WeightsException(file + ": " + attributes.size() + " bytes, more than " + what + " can be ("
                    + maxBytes + " bytes)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new WeightsException(file + ": grew past " + maxBytes + " bytes while it was read");
            }
            return bytes;
        } catch (IOException e) {
            throw WeightsException.io(file, "read", e);
        }
    }

    /** {@link #read}, as UTF-8 text (malformed bytes become U+FFFD). */
    public static String readText(Path file, long maxBytes, String what) {
        return new String(read(file, maxBytes, what), StandardCharsets.UTF_8);
    }
}
