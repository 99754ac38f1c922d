package videollama.repro;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The {@code --videos} folder: where each question's video file is looked for, under the names its dataset gives. */
record VideoFolder(Path dir) {

    /** The first candidate of {@code video} that is a file here, as a path relative to this folder. */
    Optional<String> find(VideoRef video) {
        return video.fileNames().stream().filter(name -> Files.isRegularFile(dir.resolve(name))).findFirst();
    }

    /** One line for a video that is not here: which file was expected, where the name came from, what else was tried. */
    String missing(VideoRef video) {
        String tried = (video.stems().size() > 1 ? String.join(" and ", video.stems()) : video.stems().getFirst())
                + " with " + String.join(" ", video.extensions());
        return "missing video: expected " + dir.resolve(video.expected()) + " (" + video.origin() + "; also tried " + tried + ")";
    }
}
