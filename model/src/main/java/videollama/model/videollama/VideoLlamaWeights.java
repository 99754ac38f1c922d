package videollama.model.videollama;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import videollama.model.ModelException;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsFile;
import videollama.weights.ShardedTensors;
import videollama.weights.TensorSource;

/**
 * The branch weights of a Video-LLaMA model folder: a Hugging Face LLaMA folder plus one or more safetensors
 * files holding the branch tensors under their original names (docs/design.md section 4, docs/model.md section 2). Which
 * branches a model has is read from which tensors exist.
 */
public final class VideoLlamaWeights implements AutoCloseable {
    /** Name prefixes of the vision-language branch's tensors (docs/model.md sections 2.1–2.4). */
    public static final List<String> VISION_PREFIXES = List.of("visual_encoder.", "ln_vision.", "Qformer.", "query_tokens",
            "video_frame_position_embedding.", "video_query_tokens", "video_Qformer.", "llama_proj.");
    /** Name prefixes of the audio-language branch's tensors (docs/model.md sections 2.5, 2.6), read by {@link AudioBranch}. */
    public static final List<String> AUDIO_PREFIXES = List.of("audio_encoder.", "audio_query_tokens", "audio_Qformer.",
            "audio_llama_proj.", "audio_position_embedding.");

    private final TensorSource tensors;
    private final boolean owned;

    private VideoLlamaWeights(TensorSource tensors, boolean owned) {
        this.tensors = tensors;
        this.owned = owned;
    }

    /**
     * The branch tensors of a model folder: every {@code *.safetensors} file of it (in name order) that holds at
     * least one tensor of a branch. Files with LLaMA tensors only are closed again (the LLaMA maps its own); a
     * folder without branch tensors gives an empty source, and {@link #hasVision} says so.
     *
     * @throws ModelException when {@code dir} is not a folder
     * @throws videollama.weights.WeightsException for a damaged file or a tensor in two files
     */
    public static VideoLlamaWeights open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelException(dir + ": not a model folder");
        }
        List<Path> paths = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.safetensors")) {
            stream.forEach(paths::add);
        } catch (IOException e) {
            throw new ModelException(dir + ": cannot list the folder: " + e.getMessage(), e);
        }
        paths.sort(Comparator.comparing(p -> p.getFileName().toString()));
        List<SafetensorsFile> kept = new ArrayList<>();
        try {
            for (Path path : paths) {
                SafetensorsFile file = SafetensorsFile.open(path);
                if (file.names().stream().anyMatch(n -> isVision(n) || isAudio(n))) {
                    kept.add(file);
                } else {
                    file.close();
                }
            }
            return new VideoLlamaWeights(QuantizedTensors.of(ShardedTensors.of(dir.toString(), kept)), true);
        } catch (RuntimeException e) {
            kept.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** A view of tensors opened elsewhere (a test file); closing this leaves them open. */
    public static VideoLlamaWeights of(TensorSource tensors) {
        return new VideoLlamaWeights(tensors, false);
    }

    public TensorSource tensors() {
        return tensors;
    }

    /** True when any tensor of the vision-language branch is present (the rest is checked when it loads). */
    public boolean hasVision() {
        return tensors.names().stream().anyMatch(VideoLlamaWeights::isVision);
    }

    /** True when any tensor of the audio-language branch is present (the rest is checked when it loads). */
    public boolean hasAudio() {
        return tensors.names().stream().anyMatch(VideoLlamaWeights::isAudio);
    }

    static boolean isVision(String name) {
        return VISION_PREFIXES.stream().anyMatch(name::startsWith);
    }

    static boolean isAudio(String name) {
        return AUDIO_PREFIXES.stream().anyMatch(name::startsWith);
    }

    @Override
    public void close() {
        if (owned) {
            tensors.close();
        }
    }
}
