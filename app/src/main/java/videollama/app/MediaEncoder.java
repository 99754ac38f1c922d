package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.NoAudioTrackException;
import videollama.loader.image.ImageLoader;
import videollama.loader.video.VideoLoader;
import videollama.model.chat.DemoMessages;
import videollama.model.chat.SoftTokens;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.BranchOutputs;
import videollama.model.videollama.MediaBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.Tensor;

/**
 * Media turned into the soft tokens of a chat, as the reference demo's upload functions do it ({@code Chat.upload_video},
 * {@code upload_img}, {@code upload_video_without_audio} in its {@code conversation_video.py}). A long-lived service: a branch's weights are opened, and its encoder made (on a device: the weights uploaded),
 * at the first file that needs that branch, and kept until {@link #close}, so one encoder serves every file of a run
 * ({@code chat}: one upload; {@code eval qa}: a whole dataset). Messages about the work ("encoding 8 frames on ...")
 * go to the log writer the caller gives.
 */
public final class MediaEncoder implements AutoCloseable {

    /**
     * What {@code chat} uploads: exactly one of video, image and sound file; {@code withAudio} hears the video's sound
     * track too; {@code decoder} reads videos and sounds.
     */
    public record Request(Path video, Path image, Path soundOnly, boolean withAudio, int frames, ClipOptions clipOptions,
                          MediaDecoder decoder) {}

    /**
     * One upload encoded: the upload message with its placeholders, the items in placeholder order (audio before
     * video), the system message the demo sets for that kind of upload, every stage for {@code --dump}, and the
     * time of each step (reading, each branch).
     */
    public record Upload(String message, String defaultSystem, List<SoftTokens> items, List<Tensor> dumps, List<Step> steps) {
        /** An upload encoded elsewhere (a cache of soft tokens on disk): no steps timed. */
        public Upload(String message, String defaultSystem, List<SoftTokens> items, List<Tensor> dumps) {
            this(message, defaultSystem, items, dumps, List.of());
        }
    }

    /** One step of encoding an upload and its wall time, in order (the serve page's lab view shows them). */
    public record Step(String name, long nanos) {}

    private static final String AUDIO_BRANCH = "audio branch (ImageBind, Q-Former, projection)";

    private final Path modelDir;
    private final Backend compute;
    private final int dModel;
    private final PrintWriter log;
    private final Progress progress;
    private final Profile visionProfile;
    private final Profile audioProfile;
    private Opened<VisionEncoder> vision;
    private Opened<AudioEncoder> audio;

    /** A branch opened and its encoder made on {@link #compute}; closed together. */
    private record Opened<E extends BranchEncoder<?>>(MediaBranch<E> branch, E encoder) {
        void close() {
            encoder.close();
            branch.close();
        }
    }

    /**
     * Opens nothing yet: each branch opens at its first file.
     *
     * @param dModel        the LLaMA's width, which the soft tokens must have
     * @param log           where progress messages go (the command line: stderr)
     * @param visionProfile receives the vision branch's kernel times (null: none)
     * @param audioProfile  receives the audio branch's kernel times (null: none)
     */
    public MediaEncoder(Path modelDir, Backend compute, int dModel, PrintWriter log, Profile visionProfile,
                        Profile audioProfile) {
        this.modelDir = modelDir;
        this.compute = compute;
        this.dModel = dModel;
        this.log = log;
        this.progress = new Progress(log);
        this.visionProfile = visionProfile;
        this.audioProfile = audioProfile;
    }

    /** Reads and encodes one upload of {@code chat}. */
    public Upload encode(Request request) {
        openFor(request);
        List<Tensor> dumps = new ArrayList<>();
        List<Step> steps = new ArrayList<>();
        if (request.soundOnly() != null) {
            AudioInput sound = timed(steps, "reading the sound", () -> progress.time("reading the sound of " + request.soundOnly(), () -> AudioClips.prepare(request.soundOnly(), request.clipOptions(), request.decoder()),
                    MediaEncoder::describe));
            SoftTokens audio = timed(steps, AUDIO_BRANCH, () -> encodeAudio(sound, request.soundOnly(), dumps));
            // demo_audiovideo.py, whose sound uploads these are, sets an empty system message
            return new Upload(DemoMessages.AUDIO, "", List.of(audio), dumps, steps);
        }
        SampledFrames frames = timed(steps, request.video() != null ? "decoding the frames" : "reading the image", () -> request.video() != null
                ? progress.time("decoding " + request.video(), () -> VideoLoader.load(request.video(), request.frames(), request.decoder()),
                        f -> f.count() + " frames at " + Arrays.toString(f.indices()))
                : progress.time("reading " + request.image(), () -> ImageLoader.load(request.image()), f -> "224x224"));
        frames.warnings().forEach(w -> log.println("warning: " + w));
        dumps.add(Tensor.ofFloats("frames", frames.pixels(), frames.count(), 3, SampledFrames.SIZE, SampledFrames.SIZE));
        AudioInput sound = null;
        if (request.withAudio()) {
            try {
                sound = timed(steps, "reading the sound track", () -> progress.time("reading the sound track of " + request.video(),
                        () -> AudioClips.prepare(request.video(), request.clipOptions(), request.decoder()), MediaEncoder::describe));
            } catch (NoAudioTrackException e) {
                // the reference demo falls back to the video alone too, printing 'no audio is found'
                log.println("warning: " + e.getMessage() + ": answering from the pictures alone");
            }
        }
        VisionOutputs outputs = timed(steps, "vision branch (ViT, Q-Formers, llama_proj)",
                () -> encodeVision(frames, request.video() != null ? request.video() : request.image()));
        dumps.addAll(outputs.dumpTensors());
        SoftTokens video = tokens(request.video() != null ? "video" : "image", outputs);
        if (sound != null) {
            AudioInput heard = sound;
            SoftTokens audio = timed(steps, AUDIO_BRANCH, () -> encodeAudio(heard, request.video(), dumps));
            return new Upload(DemoMessages.AUDIO_VIDEO, "", List.of(audio, video), dumps, steps);
        }
        String upload = request.video() != null ? DemoMessages.video(frames.timestampSentence()) : DemoMessages.IMAGE;
        return new Upload(upload, DemoMessages.VISUAL_SYSTEM, List.of(video), dumps, steps);
    }

    /** Runs {@code work}, adding its wall time to {@code steps} under {@code name}. */
    private static <T> T timed(List<Step> steps, String name, Supplier<T> work) {
        long start = System.nanoTime();
        T result = work.get();
        steps.add(new Step(name, System.nanoTime() - start));
        return result;
    }

    /** The soft tokens of a video's sampled frames (the pictures alone, as {@code Chat.upload_video_without_audio}). */
    public SoftTokens video(SampledFrames frames) {
        return tokens("video", encodeVision(frames, null));
    }

    /** The soft tokens of a branch's outputs, each as wide as the LLaMA (checked when the branch was opened). */
    private SoftTokens tokens(String name, BranchOutputs outputs) {
        return new SoftTokens(name, outputs.tokens(), tokenCount(outputs));
    }

    private int tokenCount(BranchOutputs outputs) {
        return outputs.tokens().length / dModel;
    }

    /**
     * Opens the vision branch now (a run over many videos checks the model before its first video).
     *
     * @throws videollama.model.ModelException for a model without a vision branch, naming the tensor at fault
     */
    public void openVision() {
        if (vision != null) {
            return;
        }
        vision = open(VideoBranch.open(modelDir), visionProfile);
    }

    /** {@code branch}'s encoder, its soft tokens checked to be as wide as the LLaMA; the branch closed if that fails. */
    private <E extends BranchEncoder<?>> Opened<E> open(MediaBranch<E> branch, Profile profile) {
        E encoder;
        try {
            requireWidth(branch.projectionName(), branch.dModel());
            encoder = branch.encoder(compute);
        } catch (RuntimeException e) {
            branch.close();
            throw e;
        }
        encoder.profile(profile);
        return new Opened<>(branch, encoder);
    }

    private VisionOutputs encodeVision(SampledFrames frames, Path source) {
        openVision();
        String what = "encoding " + frames.count() + (frames.count() == 1 ? " frame" : " frames") + (source != null ? " of " + source : "")
                + " on " + compute.name();
        return progress.counted(what, lines -> vision.encoder().encode(frames.pixels(), frames.count(), lines),
                outputs -> tokenCount(outputs) + " soft tokens");
    }

    /**
     * Opens the audio branch now, as {@link #openVision} the vision branch.
     *
     * @throws videollama.model.ModelException for a model without an audio branch, naming what is missing
     */
    public void openAudio() {
        if (audio != null) {
            return;
        }
        audio = open(AudioBranch.open(modelDir), audioProfile);
    }

    /** Opens every branch {@code request} needs, so that a model without one is refused before any file is read. */
    public void openFor(Request request) {
        if (request.soundOnly() == null) {
            openVision();
        }
        if (request.soundOnly() != null || request.withAudio()) {
            openAudio();
        }
    }

    private SoftTokens encodeAudio(AudioInput sound, Path source, List<Tensor> dumps) {
        openAudio();
        AudioOutputs outputs = progress.counted("encoding " + AudioInput.CLIPS + " sound clips of " + source + " on " + compute.name(),
                lines -> audio.encoder().encode(sound.fbank(), AudioInput.CLIPS, lines), o -> tokenCount(o) + " soft tokens");
        dumps.add(Tensor.ofFloats("audio.fbank", sound.fbank(), AudioInput.CLIPS, 1, AudioInput.MEL_BINS, AudioInput.TARGET_LENGTH));
        dumps.addAll(outputs.dumpTensors());
        return tokens("audio", outputs);
    }

    private void requireWidth(String tensor, int tokenWidth) {
        if (tokenWidth != dModel) {
            throw new Errors.UsageFailure(modelDir + ": " + tensor + " gives " + tokenWidth + "-wide tokens, but the LLaMA is "
                    + dModel + " wide");
        }
    }

    private static String describe(AudioInput sound) {
        return String.format(Locale.ROOT, "%.2f s at %d Hz, %d channel(s), %d clips of %s frames", sound.samples16k() / 16000.0,
                sound.sourceRate(), sound.sourceChannels(), AudioInput.CLIPS, Arrays.toString(sound.framesPerClip()));
    }

    @Override
    public void close() {
        if (vision != null) {
            vision.close();
        }
        if (audio != null) {
            audio.close();
        }
    }
}
