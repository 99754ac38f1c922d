package videollama.model.videollama;

import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.Map;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.model.CheckedTensors;
import videollama.model.ModelException;
import videollama.model.audio.ImageBindAudioWeights;
import videollama.model.qformer.QFormerWeights;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;

/**
 * Video-LLaMA's audio-language branch (the reference's {@code encode_audioQformer}): ImageBind's audio encoder per clip → plus
 * the clip's position embedding (in ImageBind's 1024-wide embedding space) → the audio Q-Former over all clips →
 * audio_llama_proj → the soft tokens. This holds the checked weights; {@link #encoder} computes on a backend.
 */
public final class AudioBranch extends MediaBranch<AudioEncoder> {
    private final ImageBindAudioWeights imageBind;
    /** {@code audio_position_embedding.weight} [maxClips, embedWidth]. */
    private final Tensor clipPositions;
    private final QFormerWeights qformer;
    private final Projection projection;
    private final AudioSizes sizes;
    private final Map<DeviceBackend, DeviceAudioWeights> deviceWeights = new IdentityHashMap<>();

    private AudioBranch(TensorSource source, VideoLlamaConfig config, VideoLlamaWeights owned) {
        super(config, owned);
        if (!VideoLlamaWeights.of(source).hasAudio()) {
            throw new ModelException(source.describe() + ": no audio branch (no tensor named " + String.join("*, ",
                    VideoLlamaWeights.AUDIO_PREFIXES) + "*); videollama convert writes it from imagebind_huge.pth and"
                    + " the AL checkpoint");
        }
        ReleasedPart.requireAll(ReleasedPart.Branch.AUDIO, source);
        CheckedTensors load = new CheckedTensors(source);
        imageBind = new ImageBindAudioWeights(load, config.audioEncoder());
        Tensor positions = load.rowsOf("audio_position_embedding.weight", "clips", imageBind.outWidth,
                "the audio encoder's output width");
        clipPositions = positions;
        qformer = new QFormerWeights(load, "audio_Qformer.", "audio_query_tokens", config.audioQformer());
        VideoBranch.requireEncoderWidth(load, qformer, imageBind.outWidth, "the audio encoder's output width");
        projection = Projection.load(load, "audio_llama_proj", qformer.hidden, "the audio Q-Former's width");
        sizes = new AudioSizes(ImageBindAudioWeights.MEL_BINS, ImageBindAudioWeights.FRAMES, imageBind.tokens, imageBind.width,
                imageBind.outWidth, qformer.queries, qformer.hidden, projection.dModel(), Math.toIntExact(positions.dim(0)));
    }

    /**
     * The branch from tensors opened elsewhere (they must stay open while this is used).
     *
     * @throws ModelException when the source has no audio-branch tensor at all, or lacks the encoder or the Q-Former
     * @throws videollama.weights.WeightsException naming a missing or mis-shaped tensor
     */
    public static AudioBranch load(TensorSource source, VideoLlamaConfig config) {
        return new AudioBranch(source, config, null);
    }

    /** The branch of a model folder: its branch safetensors files and its {@code videollama.json}; closed with this. */
    public static AudioBranch open(Path modelDir) {
        return open(modelDir, AudioBranch::new);
    }

    @Override
    public Projection projection() {
        return projection;
    }

    public AudioSizes sizes() {
        return sizes;
    }

    public ImageBindAudioWeights imageBind() {
        return imageBind;
    }

    public Tensor clipPositions() {
        return clipPositions;
    }

    public QFormerWeights qformer() {
        return qformer;
    }

    /**
     * Checks a clip count and the fbank's length before any work.
     *
     * @throws ModelException for no clips or more clips than the clip position embedding has rows
     */
    void checkClips(float[] fbank, int clips) {
        if (clips < 1) {
            throw new ModelException("a sound track needs at least one clip, got " + clips);
        }
        if (clips > sizes.maxClips()) {
            throw new ModelException(clips + " audio clips, but audio_position_embedding.weight has " + sizes.maxClips()
                    + " rows: at most " + sizes.maxClips() + " clips");
        }
        if (fbank.length != (long) clips * sizes.clipSize()) {
            throw new IllegalArgumentException(clips + " clips of 1x" + sizes.melBins() + "x" + sizes.frames() + " need "
                    + (long) clips * sizes.clipSize() + " floats, got " + fbank.length);
        }
    }

    @Override
    public AudioEncoder encoder(Backend backend) {
        if (backend instanceof DeviceBackend device) {
            DeviceAudioWeights uploaded = deviceWeights.computeIfAbsent(device, d -> DeviceAudioWeights.upload(this, d));
            return new DeviceAudioEncoder(this, uploaded, device);
        }
        return new ReferenceAudioEncoder(this);
    }
}
