package videollama.model;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A folder given as {@code --model} that holds the released files as downloaded ({@code *.pth} checkpoints, a
 * Hugging Face LLaMA in {@code *.bin} shards) rather than a folder {@code videollama convert} wrote: told apart
 * before anything is read, so the user hears what to run instead of which file is missing.
 */
public final class UnconvertedFolder {
    /** Enough names to recognise the folder and to quote a few: a download holds a handful of files. */
    private static final int MAX_LISTED = 1000;

    private UnconvertedFolder() {
    }

    /**
     * @throws ModelException naming the folder, a file or two in it and the {@code convert} command to run, when
     *         {@code dir} has no {@code *.safetensors} but released {@code .pth} or {@code .bin} files (at its top,
     *         or in a LLaMA folder one level down, as in a downloaded Video-LLaMA-2 repository)
     */
    public static void check(Path dir) {
        List<Path> entries = list(dir);
        if (entries.stream().anyMatch(p -> hasSuffix(p, ".safetensors"))) {
            return;
        }
        List<String> released = new ArrayList<>();
        for (Path entry : entries) {
            if (Files.isRegularFile(entry) && (hasSuffix(entry, ".pth") || hasSuffix(entry, ".bin"))) {
                released.add(entry.getFileName().toString());
            } else if (Files.isDirectory(entry) && Files.exists(entry.resolve("config.json"))
                    && list(entry).stream().anyMatch(p -> hasSuffix(p, ".bin") || hasSuffix(p, ".safetensors"))) {
                released.add(entry.getFileName() + "/");
            }
        }
        if (released.isEmpty()) {
            return;
        }
        released.sort(null);
        String examples = String.join(", ", released.subList(0, Math.min(3, released.size())))
                + (released.size() > 3 ? ", ..." : "");
        Path converted = dir.resolveSibling(dir.getFileName() + "-converted");
        throw new ModelException(dir + ": holds the released files as downloaded (" + examples + "), which"
                + " videollama reads once converted to safetensors: run videollama convert --out " + converted + " "
                + dir + ", then use --model " + converted);
    }

    private static boolean hasSuffix(Path file, String suffix) {
        return file.getFileName().toString().endsWith(suffix);
    }

    private static List<Path> list(Path dir) {
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path entry : stream) {
                if (entries.size() == MAX_LISTED) {
                    break;
                }
                entries.add(entry);
            }
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        return entries;
    }
}
