package videollama.model.videollama;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.model.CheckedTensors;
import videollama.model.ModelException;
import videollama.model.qformer.QFormerWeights;
import videollama.model.vision.EvaVitWeights;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;

/**
 * Video-LLaMA's vision-language branch (the reference's {@code encode_videoQformer_visual}): EVA ViT-g → ln_vision → image Q-Former per
 * frame → plus the frame's position embedding → the video Q-Former over all frames' queries → llama_proj → the
 * soft tokens. This holds the checked weights; {@link #encoder} computes on a backend.
 */
public final class VideoBranch extends MediaBranch<VisionEncoder> {
    private final EvaVitWeights vit;
    private final Tensor lnVisionWeight;
    private final Tensor lnVisionBias;
    private final QFormerWeights imageQFormer;
    /** {@code video_frame_position_embedding.weight} [maxFrames, imageWidth]. */
    private final Tensor framePositions;
    private final QFormerWeights videoQFormer;
    private final Projection projection;
    private final VisionSizes sizes;
    private final Map<DeviceBackend, DeviceVisionWeights> deviceWeights = new IdentityHashMap<>();

    private VideoBranch(TensorSource source, VideoLlamaConfig config, VideoLlamaWeights owned) {
        super(config, owned);
        if (!VideoLlamaWeights.of(source).hasVision()) {
            throw new ModelException(source.describe() + ": no vision branch (no tensor named " + String.join("*, ",
                    VideoLlamaWeights.VISION_PREFIXES) + "*); a Video-LLaMA folder holds the branch weights in a"
                    + " *.safetensors file beside the LLaMA's (videollama convert writes it)");
        }
        ReleasedPart.requireAll(ReleasedPart.Branch.VIDEO, source);
        CheckedTensors load = new CheckedTensors(source);
        vit = new EvaVitWeights(load, config.vision());
        lnVisionWeight = load.vector("ln_vision.weight", vit.width);
        lnVisionBias = load.vector("ln_vision.bias", vit.width);
        imageQFormer = new QFormerWeights(load, "Qformer.", "query_tokens", config.qformer());
        requireEncoderWidth(load, imageQFormer, vit.width, "the ViT's width");
        Tensor positions = load.rowsOf("video_frame_position_embedding.weight", "frames", imageQFormer.hidden,
                "the image Q-Former's width");
        framePositions = positions;
        videoQFormer = new QFormerWeights(load, "video_Qformer.", "video_query_tokens", config.videoQformer());
        requireEncoderWidth(load, videoQFormer, imageQFormer.hidden, "the image Q-Former's width");
        projection = Projection.load(load, "llama_proj", videoQFormer.hidden, "the video Q-Former's width");
        sizes = new VisionSizes(vit.imageSize, vit.channels, vit.tokens, vit.width, imageQFormer.queries, imageQFormer.hidden,
                videoQFormer.queries, videoQFormer.hidden, projection.dModel(), Math.toIntExact(positions.dim(0)));
    }

    /** A Q-Former's cross-attention must read states as wide as what feeds it. */
    static void requireEncoderWidth(CheckedTensors load, QFormerWeights q, int width, String what) {
        if (q.encoderWidth != width) {
            int l = q.crossAttentionLayers().getFirst();
            String key = q.name + ".bert.encoder.layer." + l + ".crossattention.self.key.weight";
            throw load.error("tensor '" + key + "' has shape [" + q.hidden + ", " + q.encoderWidth + "], expected ["
                    + q.hidden + ", " + width + "] (" + what + ")");
        }
    }

    /**
     * The branch from tensors opened elsewhere (they must stay open while this is used).
     *
     * @throws ModelException when the source has no vision-branch tensor at all
     * @throws videollama.weights.WeightsException naming a missing or mis-shaped tensor
     */
    public static VideoBranch load(TensorSource source, VideoLlamaConfig config) {
        return new VideoBranch(source, config, null);
    }

    /** The branch of a model folder: its branch safetensors files and its {@code videollama.json}; closed with this. */
    public static VideoBranch open(Path modelDir) {
        return open(modelDir, VideoBranch::new);
    }

    @Override
    public Projection projection() {
        return projection;
    }

    public VisionSizes sizes() {
        return sizes;
    }

    public EvaVitWeights vit() {
        return vit;
    }

    public Tensor lnVisionWeight() {
        return lnVisionWeight;
    }

    public Tensor lnVisionBias() {
        return lnVisionBias;
    }

    public QFormerWeights imageQFormer() {
        return imageQFormer;
    }

    public Tensor framePositions() {
        return framePositions;
    }

    public QFormerWeights videoQFormer() {
        return videoQFormer;
    }

    /**
     * Checks a frame count and the frames' length before any work.
     *
     * @throws ModelException for more frames than the frame position embedding has rows
     */
    void checkFrames(float[] frames, int t) {
        if (t < 1) {
            throw new ModelException("a video needs at least one frame, got " + t);
        }
        if (t > sizes.maxFrames()) {
            throw new ModelException(t + " frames, but video_frame_position_embedding.weight has " + sizes.maxFrames()
                    + " rows: at most " + sizes.maxFrames() + " frames");
        }
        if (frames.length != (long) t * sizes.frameSize()) {
            throw new IllegalArgumentException(t + " frames of " + sizes.channels() + "x" + sizes.imageSize() + "x" + sizes.imageSize()
                    + " need " + (long) t * sizes.frameSize() + " floats, got " + frames.length);
        }
    }

    @Override
    public VisionEncoder encoder(Backend backend) {
        if (backend instanceof DeviceBackend device) {
            DeviceVisionWeights uploaded = deviceWeights.computeIfAbsent(device, d -> DeviceVisionWeights.upload(this, d));
            return new DeviceVisionEncoder(this, uploaded, device);
        }
        return new ReferenceVisionEncoder(this);
    }
}
