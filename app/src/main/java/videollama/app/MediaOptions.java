package videollama.app;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;
import videollama.loader.FrameSampling;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;

/**
 * The media options of {@code chat}: one video, image or sound file, whether a video is heard too, how many frames,
 * how the sound is cut into clips, who decodes; checked before anything is loaded, and turned into the request the
 * {@link MediaEncoder} takes. A picocli mixin, so that another command over the same media (a server, a batch
 * evaluator) takes the same flags with the same checks.
 */
final class MediaOptions {
    static final class Files {
        @Option(names = "--video", paramLabel = "FILE", required = true,
                description = "A video: any container and codec FFmpeg reads (MP4, MOV, MKV, WebM, AVI; H.264, HEVC, VP9, AV1, "
                        + "MPEG-4 Part 2, ...); with --decoder java, H.264 in MP4/MOV or MKV.")
        Path video;

        @Option(names = "--image", paramLabel = "FILE", required = true, description = "A JPEG or PNG image.")
        Path image;

        @Option(names = "--audio-only", paramLabel = "FILE", required = true,
                description = "A sound file or a video's sound track (WAV, MP3, FLAC, AAC, Opus, Vorbis, ...; with --decoder "
                        + "java, WAV, AAC in ADTS or the AAC track of an MP4): the audio branch alone.")
        Path soundOnly;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Files files;

    @Option(names = "--audio", description = "Also hear the video's sound track: the audio + video prompt of the reference demo "
            + "(audio tokens first, empty system message); a video without sound falls back to the pictures with a warning.")
    boolean audio;

    @Option(names = "--clip-step", paramLabel = "N", defaultValue = "8",
            description = "The 8 sound clips start max_start/N apart: 8 as pytorchvideo 0.1.5 in the reference environment, "
                    + "7 as later pytorchvideo (default: ${DEFAULT-VALUE}).")
    int clipStep;

    @Option(names = "--copied-clip-means", description = "Subtract each sound clip's mean from a copy, not in place in the shared "
            + "waveform as the reference does (overlapping clips then see unshifted samples).")
    boolean copiedClipMeans;

    @Option(names = "--frames", paramLabel = "N", description = "Frames sampled from a video, 1 to 32 (default: videollama.json's, else 8).")
    Integer frames;

    @Option(names = "--decoder", paramLabel = "NAME",
            description = "ffmpeg (FFmpeg 8 through JavaCPP: the reference's decoders) or java (JCodec H.264; WAV, AAC-LC) "
                    + "(default: ffmpeg where its natives load, else java; said on stderr).")
    String decoder;

    /** The flags' values that do not fit, as one-line usage errors naming the flag. */
    void check(CommandLine cli) {
        if (frames != null) {
            try {
                FrameSampling.checkRequested(frames);
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(cli, "--frames: " + e.getMessage());
            }
        }
        if (audio && files.video == null) {
            throw new CommandLine.ParameterException(cli, "--audio hears a video's sound track: it needs --video (use --audio-only FILE for a sound file)");
        }
        if (clipStep != 7 && clipStep != 8) {
            throw new CommandLine.ParameterException(cli, "--clip-step must be 8 or 7, got " + clipStep);
        }
    }

    /** The decoder --decoder names or the default one; null for an image without --decoder (no decoder is needed). */
    MediaDecoder decoder(CommandLine cli) {
        return files.image != null && decoder == null ? null : OptionValues.decoder(cli, decoder);
    }

    /** What to encode: the file, --audio, the frames (--frames, else the model's {@code modelFrames}), the clips. */
    MediaEncoder.Request request(int modelFrames, MediaDecoder mediaDecoder) {
        ClipOptions clips = new ClipOptions(clipStep == 8 ? ClipSampler.Step.EIGHTHS : ClipSampler.Step.SEVENTHS, !copiedClipMeans);
        return new MediaEncoder.Request(files.video, files.image, files.soundOnly, audio, frames != null ? frames : modelFrames,
                clips, mediaDecoder);
    }
}
