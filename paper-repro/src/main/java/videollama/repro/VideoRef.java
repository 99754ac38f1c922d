package videollama.repro;

import java.util.ArrayList;
import java.util.List;

/**
 * A video as an annotation file names it: the dataset's name for it (the questions with the same name share one
 * encode) and the file names it may have in the {@code --videos} folder, tried in order: each stem with each
 * extension, the dataset's own extension first.
 *
 * @param name       the dataset's name of the video (MSVD-QA's {@code vid12}, ActivityNet-QA's {@code video_name}, ...)
 * @param stems      file names without extension, relative to the videos folder, the expected one first
 * @param extensions the extensions tried, with their dot, the expected one first
 * @param origin     how the name was found, for the message when no file exists
 *                   ({@code "video_id 12 of test_qa.json, abc_1_5 in youtube_mapping.txt"})
 */
record VideoRef(String name, List<String> stems, List<String> extensions, String origin) {
    /** The containers the datasets come in; each dataset tries its own first. */
    static final List<String> EXTENSIONS = List.of(".mp4", ".webm", ".mkv", ".avi", ".mov", ".gif");

    VideoRef {
        stems = List.copyOf(stems);
        extensions = List.copyOf(extensions);
    }

    /** The stems with the dataset's extension {@code first}, then every other one of {@link #EXTENSIONS}. */
    static VideoRef of(String name, List<String> stems, String first, String origin) {
        List<String> extensions = new ArrayList<>(List.of(first));
        EXTENSIONS.stream().filter(e -> !e.equals(first)).forEach(extensions::add);
        return new VideoRef(name, stems, extensions, origin);
    }

    /** Every candidate file name, in the order tried. */
    List<String> fileNames() {
        List<String> files = new ArrayList<>();
        for (String stem : stems) {
            for (String extension : extensions) {
                files.add(stem + extension);
            }
        }
        return files;
    }

    /** The file the dataset expects: the first candidate. */
    String expected() {
        return stems.getFirst() + extensions.getFirst();
    }
}
