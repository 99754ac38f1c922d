package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.Tensor;

/**
 * The media of a chat turned into soft tokens, as the reference demo's upload functions do it (spec sections 4.1–4.3,
 * 6.2): the upload message with its placeholders, the items in placeholder order (audio before video), the
 * system message the demo sets for that kind of upload, and every stage for {@code --dump}. The branches are opened
 * for the encoding and closed after it; the soft tokens are plain arrays.
 */
record ChatMedia(String upload, String defaultSystem, List<SoftTokens> items, List<Tensor> dumps) {

    /**
     * What to encode: exactly one of video, image and sound file; {@code withAudio} hears the video's sound track too;
     * {@code decoder} reads videos and sounds.
     */
    record Request(Path video, Path image, Path soundOnly, boolean withAudio, int frames, ClipOptions clipOptions,
                   MediaDecoder decoder) {}

    static ChatMedia encode(Path modelDir, Request request, Backend compute, int dModel, Progress progress, PrintWriter err,
                            Profile visionProfile, Profile audioProfile) {
        List<Tensor> dumps = new ArrayList<>();
        if (request.soundOnly() != null) {
            AudioInput sound = progress.time("reading the sound of " + request.soundOnly(), () -> AudioClips.prepare(request.soundOnly(), request.clipOptions(), request.decoder()),
                    ChatMedia::describe);
            SoftTokens audio = encodeAudio(modelDir, sound, compute, dModel, err, audioProfile, dumps);
            // demo_audiovideo.py, whose sound uploads these are, sets an empty system message
            return new ChatMedia(DemoMessages.AUDIO, "", List.of(audio), dumps);
        }
        SampledFrames frames = request.video() != null
                ? progress.time("decoding " + request.video(), () -> VideoLoader.load(request.video(), request.frames(), request.decoder()),
                        f -> f.count() + " frames at " + Arrays.toString(f.indices()))
                : progress.time("reading " + request.image(), () -> ImageLoader.load(request.image()), f -> "224x224");
        frames.warnings().forEach(w -> err.println("warning: " + w));
        dumps.add(Tensor.ofFloats("frames", frames.pixels(), frames.count(), 3, SampledFrames.SIZE, SampledFrames.SIZE));
        AudioInput sound = null;
        if (request.withAudio()) {
            try {
                sound = progress.time("reading the sound track", () -> AudioClips.prepare(request.video(), request.clipOptions(), request.decoder()),
                        ChatMedia::describe);
            } catch (NoAudioTrackException e) {
                // the reference demo falls back to the video alone too, printing 'no audio is found'
                err.println("warning: " + e.getMessage() + ": answering from the pictures alone");
            }
        }
        SoftTokens video = encodeVision(modelDir, frames, request.video() != null ? "video" : "image", compute, dModel, err,
                visionProfile, dumps);
        if (sound != null) {
            SoftTokens audio = encodeAudio(modelDir, sound, compute, dModel, err, audioProfile, dumps);
            return new ChatMedia(DemoMessages.AUDIO_VIDEO, "", List.of(audio, video), dumps);
        }
        String upload = request.video() != null ? DemoMessages.video(frames.timestampSentence()) : DemoMessages.IMAGE;
        return new ChatMedia(upload, DemoMessages.VISUAL_SYSTEM, List.of(video), dumps);
    }

    private static SoftTokens encodeVision(Path modelDir, SampledFrames frames, String name, Backend compute, int dModel,
                                           PrintWriter err, Profile profile, List<Tensor> dumps) {
        try (VideoBranch branch = VideoBranch.open(modelDir); VisionEncoder encoder = branch.encoder(compute)) {
            requireWidth(modelDir, "llama_proj.weight", branch.sizes().dModel(), dModel);
            encoder.profile(profile);
            err.println("encoding " + frames.count() + (frames.count() == 1 ? " frame" : " frames") + " on " + compute.name() + " ...");
            long start = System.nanoTime();
            VisionOutputs vision = encoder.encode(frames.pixels(), frames.count(), line -> err.println("  " + line));
            err.println(String.format(Locale.ROOT, "encoded: %d soft tokens (%.2f s)", vision.sizes().videoQueries(),
                    (System.nanoTime() - start) / 1e9));
            dumps.addAll(vision.dumpTensors());
            return new SoftTokens(name, vision.tokens(), vision.sizes().videoQueries());
        }
    }

    private static SoftTokens encodeAudio(Path modelDir, AudioInput sound, Backend compute, int dModel, PrintWriter err,
                                          Profile profile, List<Tensor> dumps) {
        try (AudioBranch branch = AudioBranch.open(modelDir); AudioEncoder encoder = branch.encoder(compute)) {
            requireWidth(modelDir, "audio_llama_proj.weight", branch.sizes().dModel(), dModel);
            encoder.profile(profile);
            err.println("encoding " + AudioInput.CLIPS + " sound clips on " + compute.name() + " ...");
            long start = System.nanoTime();
            AudioOutputs audio = encoder.encode(sound.fbank(), AudioInput.CLIPS, line -> err.println("  " + line));
            err.println(String.format(Locale.ROOT, "encoded: %d soft tokens (%.2f s)", audio.sizes().queries(),
                    (System.nanoTime() - start) / 1e9));
            dumps.add(Tensor.ofFloats("audio.fbank", sound.fbank(), AudioInput.CLIPS, 1, AudioInput.MEL_BINS, AudioInput.TARGET_LENGTH));
            dumps.addAll(audio.dumpTensors());
            return new SoftTokens("audio", audio.tokens(), audio.sizes().queries());
        }
    }

    private static void requireWidth(Path modelDir, String tensor, int tokenWidth, int dModel) {
        if (tokenWidth != dModel) {
            throw new Errors.UsageFailure(modelDir + ": " + tensor + " gives " + tokenWidth + "-wide tokens, but the LLaMA is "
                    + dModel + " wide");
        }
    }

    private static String describe(AudioInput sound) {
        return String.format(Locale.ROOT, "%.2f s at %d Hz, %d channel(s), %d clips of %s frames", sound.samples16k() / 16000.0,
                sound.sourceRate(), sound.sourceChannels(), AudioInput.CLIPS, Arrays.toString(sound.framesPerClip()));
    }
}
