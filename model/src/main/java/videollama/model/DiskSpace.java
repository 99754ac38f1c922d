package videollama.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The check before a large write (a benchmark's random 7B model is 13.5–27 GB): the folder's file system must have
 * the bytes free, else one line names the folder, the bytes needed and the bytes free, before anything is written.
 */
public final class DiskSpace {
    private DiskSpace() {}

    /**
     * Throws {@link ModelException} when the file system that holds {@code dir} (or, if it does not exist yet, its
     * nearest existing parent) has less than {@code bytes} usable; {@code what} says what would be written.
     */
    public static void check(Path dir, long bytes, String what) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return; // no file system to ask; the write itself will say what is wrong
        }
        long free;
        try {
            free = Files.getFileStore(existing).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (free < bytes) {
            throw new ModelException(dir + ": " + what + " needs " + gigabytes(bytes) + " (" + bytes + " bytes), the disk has "
                    + gigabytes(free) + " (" + free + " bytes) free; free some space or choose another folder");
        }
    }

    /** "13.48 GB". */
    public static String gigabytes(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / 1e9);
    }
}
