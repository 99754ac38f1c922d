package videollama.model.videollama;

import java.nio.file.Path;
import videollama.kernels.Backend;
import videollama.weights.TensorSource;

/**
 * One of Video-LLaMA's media branches as checked weights: the vision branch ({@link VideoBranch}) or the audio
 * branch ({@link AudioBranch}). What both hold alike lives here: the folder's {@code videollama.json}, the weights
 * a branch opened itself (closed with it), and what a caller that serves both the same way needs (the chat's media
 * encoder, the tests that hold a device to the reference): the projection to the soft tokens and their width, and
 * an encoder on a backend.
 *
 * @param <E> the branch's encoder ({@link VisionEncoder}, {@link AudioEncoder})
 */
public abstract sealed class MediaBranch<E extends BranchEncoder<?>> implements AutoCloseable permits AudioBranch, VideoBranch {
    private final VideoLlamaConfig config;
    /** Set when this branch opened its weights itself: closed with it. */
    private final VideoLlamaWeights owned;

    MediaBranch(VideoLlamaConfig config, VideoLlamaWeights owned) {
        this.config = config;
        this.owned = owned;
    }

    /** How a branch is made from tensors, the config, and the weights it owns (null: the caller's). */
    interface Constructor<B> {
        B make(TensorSource source, VideoLlamaConfig config, VideoLlamaWeights owned);
    }

    /** The branch of a model folder: its branch safetensors files and its {@code videollama.json}; closed with it. */
    static <B> B open(Path modelDir, Constructor<B> constructor) {
        VideoLlamaConfig config = VideoLlamaConfig.load(modelDir);
        VideoLlamaWeights weights = VideoLlamaWeights.open(modelDir);
        try {
            return constructor.make(weights.tensors(), config, weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    public final VideoLlamaConfig config() {
        return config;
    }

    /** The projection whose output rows are the soft tokens. */
    public abstract Projection projection();

    /** The width of the soft tokens: the LLaMA's d_model, the projection's output. */
    public final int dModel() {
        return projection().dModel();
    }

    /** The name of the projection's weight, for an error about the soft tokens' width. */
    public final String projectionName() {
        return projection().name() + ".weight";
    }

    /**
     * The branch on {@code backend}: the plain-Java reference path, or task graphs on a device (the weights are
     * uploaded at the first encoder for that device and shared by later ones).
     */
    public abstract E encoder(Backend backend);

    @Override
    public final void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
