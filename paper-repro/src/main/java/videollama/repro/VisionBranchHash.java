package videollama.repro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import videollama.model.videollama.VideoLlamaConfig;
import videollama.model.videollama.VideoLlamaWeights;
import videollama.weights.SafetensorsFile;

/**
 * The identity of a model folder's vision branch, which alone makes a video's soft tokens: SHA-256 over the name and
 * SHA-256 of each {@code *.safetensors} file that holds a vision tensor (the LLaMA's own files do not count), and of
 * {@code videollama.json} (heads, eps, ...), in name order.
 */
final class VisionBranchHash {
    private VisionBranchHash() {}

    static String of(Path model, ContentHashes hashes) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(model, "*.safetensors")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        StringBuilder identity = new StringBuilder();
        for (Path file : files) {
            boolean vision;
            try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
                vision = tensors.names().stream().anyMatch(n -> VideoLlamaWeights.VISION_PREFIXES.stream().anyMatch(n::startsWith));
            }
            if (vision) {
                identity.append(file.getFileName()).append(' ').append(hashes.ofUnchecked(file)).append('\n');
            }
        }
        Path config = model.resolve(VideoLlamaConfig.FILE_NAME);
        if (Files.exists(config)) {
            identity.append(VideoLlamaConfig.FILE_NAME).append(' ').append(hashes.ofUnchecked(config)).append('\n');
        }
        return ContentHashes.sha256(identity.toString());
    }
}
