package videollama.loader.video;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.jcodec.codecs.h264.H264Decoder;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.VUIParameters;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Picture;
import org.jcodec.common.model.Rect;
import videollama.loader.FrameSampling;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.MediaKind;
import videollama.loader.SampledFrames;
import videollama.loader.TimestampSentence;

/**
 * A video file to the frames the model sees (the reference's {@code load_video} on decord): {@code n = min(N, frames)} frames sampled in
 * presentation order; each turned upright, resized to 224×224 RGB as decord's FFmpeg filter graph does, and
 * normalised. Two decoders ({@link MediaDecoder}; the constructors and methods without one use
 * {@link MediaDecoder#preferred()}):
 * <ul>
 *   <li>{@link MediaDecoder#FFMPEG}: any container and codec FFmpeg reads, indexed, seeked and decoded as decord
 *       does ({@link FfmpegVideo}), resized by {@link FfmpegPictures};
 *   <li>{@link MediaDecoder#JAVA}: H.264 in MP4/MOV or Matroska, decoded by JCodec, resized by {@link SwsScaler};
 *       anything else is refused naming its container or codec ({@link MediaKind}).
 * </ul>
 *
 * <p>Only what is needed is decoded: for every sampled frame, decoding starts at the keyframe before it and
 * runs forward to it (frames of one GOP share the run), so the cost depends on the GOP length, not on the
 * video's length. JCodec returns pictures in decode order, one per packet; the frame table maps
 * presentation indices to packets, so B-frames need no reordering buffer.
 *
 * <p>JCodec gets two kinds of B-slices wrong ({@link JCodecFaults}); where the decode runs meet one that reaches a
 * sampled frame, the result carries a warning for the user instead of silently differing from the reference.
 *
 * <p>An instance remembers how many frames its last {@link #load} decoded (for tests and benchmarks).
 */
public final class VideoLoader {
    /** What the Java path says it reads, after a refusal. */
    private static final String JAVA_READS = " (the Java decoder reads H.264 in MP4/MOV and Matroska; --decoder ffmpeg"
            + " reads it)";

    private final SwsScaler scaler;
    private final MediaDecoder decoder;
    private boolean libavfilterOnly;
    private int framesDecoded;

    /** A loader that resizes as the reference demo did: {@link ScaleAlgorithm#BILINEAR}. */
    public VideoLoader() {
        this(ScaleAlgorithm.BILINEAR);
    }

    public VideoLoader(ScaleAlgorithm algorithm) {
        this(algorithm, MediaDecoder.preferred());
    }

    public VideoLoader(MediaDecoder decoder) {
        this(ScaleAlgorithm.BILINEAR, decoder);
    }

    public VideoLoader(ScaleAlgorithm algorithm, MediaDecoder decoder) {
        this.scaler = new SwsScaler(algorithm);
        this.decoder = decoder;
    }

    /** {@code new VideoLoader().load(video, frames)}. */
    public static SampledFrames load(Path video, int frames) {
        return new VideoLoader().loadFrames(video, frames);
    }

    /** {@code new VideoLoader(decoder).load(video, frames)}. */
    public static SampledFrames load(Path video, int frames, MediaDecoder decoder) {
        return new VideoLoader(decoder).loadFrames(video, frames);
    }

    public MediaDecoder decoder() {
        return decoder;
    }

    /** On the FFmpeg path, resize 8-bit 4:2:0 frames with libavfilter too instead of {@link SwsScaler} (tests). */
    VideoLoader libavfilterOnly() {
        libavfilterOnly = true;
        return this;
    }

    /** Frames decoded by the last {@link #loadFrames} call, keyframe runs included (packets sent, on FFmpeg). */
    public int framesDecoded() {
        return framesDecoded;
    }

    /**
     * Samples, decodes, resizes and normalises {@code frames} frames (fewer if the video is shorter).
     *
     * @throws LoaderException naming the file: missing, unsupported container or codec, no video track,
     *                         no frames, corrupt data, or {@code frames} outside 1..32
     */
    public SampledFrames loadFrames(Path video, int frames) {
        FrameSampling.checkRequested(frames);
        framesDecoded = 0;
        if (decoder == MediaDecoder.FFMPEG) {
            return loadWithFfmpeg(video, frames);
        }
        try (VideoTrack track = open(video)) {
            FrameTable table = track.frames();
            int[] indices = FrameSampling.indices(table.count(), frames);
            StreamInfo info = StreamInfo.of(video, track.codecPrivate());
            JCodecFaults faults = new JCodecFaults(video, track.codecPrivate());
            byte[] rgb = decodeAndResize(video, track, info, indices, faults);
            double fps = track.averageFps();
            if (!(fps > 0)) {
                throw new LoaderException(video + ": the video track has no usable frame rate");
            }
            return SampledFrames.of(rgb, indices.length, indices, fps, TimestampSentence.of(indices, fps),
                    faults.warnings());
        } catch (IOException e) {
            throw new LoaderException(video + ": cannot be read (" + Mp4VideoTrack.describe(e) + ")", e);
        } catch (LoaderException e) {
            throw e;
        } catch (RuntimeException e) {
            // JCodec on damaged data past the container checks (Mp4BoxCheck, EbmlCheck): whatever it throws
            throw new LoaderException(video + ": corrupt video (" + Mp4VideoTrack.describe(e) + ")", e);
        }
    }

    private SampledFrames loadWithFfmpeg(Path video, int frames) {
        try (FfmpegVideo v = FfmpegVideo.open(video);
             FfmpegPictures pictures = new FfmpegPictures(video, scaler.algorithm(), v.rotation(), libavfilterOnly)) {
            int[] indices = FrameSampling.indices(v.frameCount(), frames);
            double fps = v.averageFps();
            if (!(fps > 0)) {
                throw new LoaderException(video + ": the video track has no usable frame rate");
            }
            byte[] rgb = v.decode(indices, pictures);
            framesDecoded = v.packetsDecoded();
            return SampledFrames.of(rgb, indices.length, indices, fps, TimestampSentence.of(indices, fps));
        }
    }

    /** The video track on the Java path (JCodec), after refusing what that path does not read. */
    static VideoTrack open(Path video) throws IOException {
        if (!Files.isRegularFile(video)) {
            throw new LoaderException(video + (Files.exists(video) ? ": not a regular file" : ": no such file"));
        }
        refuseWhatJavaCannotRead(video);
        JCodecLog.silence();
        return switch (Container.sniff(video)) {
            case MP4 -> {
                Mp4BoxCheck.check(video);
                yield Mp4VideoTrack.open(video);
            }
            case MATROSKA -> {
                EbmlCheck.check(video);
                yield MkvVideoTrack.open(video);
            }
            case UNKNOWN -> throw new LoaderException(video
                    + ": unsupported container (only MP4/MOV and Matroska with H.264 video are supported)");
        };
    }

    /**
     * Containers other than MP4/MOV and Matroska, and video codecs other than H.264 in them, named, with the
     * decoder that reads them; unrecognised files are left to the container check.
     */
    private static void refuseWhatJavaCannotRead(Path video) throws IOException {
        MediaKind kind = MediaKind.of(video);
        if (!kind.recognised()) {
            return;
        }
        boolean container = switch (kind.container()) {
            case "MP4/MOV", "Matroska", "WebM" -> true;
            default -> false;
        };
        if (!container && kind.video() == null && kind.sound() != null) {
            throw new LoaderException(video + ": no video track (" + kind.describe(false, true) + ")");
        }
        if (!container) {
            throw new LoaderException(video + ": unsupported container " + kind.describe(true, false) + JAVA_READS);
        }
        if (kind.video() != null && !kind.video().equals("H.264")) {
            throw new LoaderException(video + ": unsupported video codec " + kind.video() + " in " + kind.container()
                    + JAVA_READS);
        }
    }

    /** Decodes the runs to the sampled frames; {@code faults} sees every frame before JCodec does. */
    private byte[] decodeAndResize(Path video, VideoTrack track, StreamInfo info, int[] indices, JCodecFaults faults)
            throws IOException {
        FrameTable table = track.frames();
        ByteBuffer codecPrivate = track.codecPrivate();
        int frameBytes = SampledFrames.SIZE * SampledFrames.SIZE * 3;
        byte[] rgb = new byte[indices.length * frameBytes];

        // Targets in decode order, each with its slot in the output.
        Integer[] slots = IntStream.range(0, indices.length).boxed().toArray(Integer[]::new);
        Arrays.sort(slots, Comparator.comparingInt(s -> table.decodeIndex(indices[s])));

        H264Decoder decoder = null;
        int nextToDecode = -1;
        for (int slot : slots) {
            int target = table.decodeIndex(indices[slot]);
            int start = table.decodeStart(target);
            if (decoder == null || start >= nextToDecode || target < nextToDecode) {
                // Jump: a fresh decoder at the keyframe (frames between here and there are not needed).
                decoder = H264Decoder.createH264DecoderFromCodecPrivate(codecPrivate.duplicate());
                nextToDecode = start;
            }
            Picture picture = null;
            for (; nextToDecode <= target; nextToDecode++) {
                try {
                    ByteBuffer data = track.frame(nextToDecode);
                    faults.inspect(data, nextToDecode == target);
                    picture = decoder.decodeFrame(data, info.newBuffer());
                } catch (RuntimeException e) {
                    throw new LoaderException(video + ": corrupt H.264 data in frame " + nextToDecode
                            + " (decode order): " + Mp4VideoTrack.describe(e), e);
                }
                framesDecoded++;
            }
            if (picture == null) {
                throw new LoaderException(video + ": frame " + indices[slot] + " could not be decoded");
            }
            YuvFrame frame = toYuvFrame(video, picture, info).rotated(track.rotation());
            byte[] resized = scaler.toRgb(frame, SampledFrames.SIZE, SampledFrames.SIZE);
            System.arraycopy(resized, 0, rgb, slot * frameBytes, frameBytes);
        }
        return rgb;
    }

    /** The displayed part of a JCodec picture (JCodec stores 8-bit samples as {@code value - 128}). */
    private static YuvFrame toYuvFrame(Path video, Picture picture, StreamInfo info) {
        ColorSpace cs = picture.getColor();
        if (cs != ColorSpace.YUV420 && cs != ColorSpace.YUV420J || picture.isHiBD()) {
            throw new LoaderException(video + ": unsupported picture format " + cs
                    + " (the Java decoder reads 8-bit 4:2:0 H.264; --decoder ffmpeg reads it)");
        }
        Rect crop = picture.getCrop();
        int x0 = crop == null ? 0 : crop.getX();
        int y0 = crop == null ? 0 : crop.getY();
        int w = crop == null ? picture.getWidth() : crop.getWidth();
        int h = crop == null ? picture.getHeight() : crop.getHeight();
        int cw = (w + 1) >> 1;
        int ch = (h + 1) >> 1;
        return new YuvFrame(w, h,
                plane(picture, 0, x0, y0, w, h),
                plane(picture, 1, x0 >> 1, y0 >> 1, cw, ch),
                plane(picture, 2, x0 >> 1, y0 >> 1, cw, ch),
                info.matrix(), info.fullRange());
    }

    private static byte[] plane(Picture picture, int index, int x0, int y0, int w, int h) {
        byte[] data = picture.getPlaneData(index);
        int stride = picture.getPlaneWidth(index);
        byte[] out = new byte[w * h];
        for (int y = 0; y < h; y++) {
            int src = (y0 + y) * stride + x0;
            int dst = y * w;
            for (int x = 0; x < w; x++) {
                out[dst + x] = (byte) (data[src + x] + 128);
            }
        }
        return out;
    }

    /** What the sequence parameter set tells: coded size (for decode buffers), colour matrix and range. */
    private record StreamInfo(int codedWidth, int codedHeight, ColourMatrix matrix, boolean fullRange) {
        static StreamInfo of(Path video, ByteBuffer codecPrivate) {
            SeqParameterSet sps;
            try {
                sps = H264Utils.readSPS(H264Utils.getRawSPS(codecPrivate.duplicate()).getFirst());
            } catch (RuntimeException e) {
                throw new LoaderException(video + ": the H.264 track has no readable SPS", e);
            }
            if (sps.profileIdc == 244 || sps.profileIdc == 44) {
                // High 4:4:4 (Predictive) and CAVLC 4:4:4 Intra: JCodec does not even parse their SPS (ITU-T H.264 A.2.10)
                throw new LoaderException(video + ": H.264 High 4:4:4 profile is not supported (the Java decoder reads"
                        + " 8-bit 4:2:0; --decoder ffmpeg reads it)");
            }
            if (sps.bitDepthLumaMinus8 != 0 || sps.bitDepthChromaMinus8 != 0) {
                throw new LoaderException(video + ": " + (8 + sps.bitDepthLumaMinus8)
                        + "-bit H.264 is not supported (the Java decoder reads 8-bit 4:2:0; --decoder ffmpeg reads it)");
            }
            if (sps.chromaFormatIdc != ColorSpace.YUV420 && sps.chromaFormatIdc != ColorSpace.YUV420J) {
                throw new LoaderException(video + ": H.264 chroma format " + sps.chromaFormatIdc
                        + " is not supported (the Java decoder reads 4:2:0; --decoder ffmpeg reads it)");
            }
            int width = (sps.picWidthInMbsMinus1 + 1) * 16;
            int height = (sps.picHeightInMapUnitsMinus1 + 1) * 16 * (sps.frameMbsOnlyFlag ? 1 : 2);
            VUIParameters vui = sps.vuiParams;
            boolean fullRange = vui != null && vui.videoSignalTypePresentFlag && vui.videoFullRangeFlag;
            ColourMatrix matrix = vui != null && vui.videoSignalTypePresentFlag && vui.colourDescriptionPresentFlag
                    ? ColourMatrix.fromH264(vui.matrixCoefficients) : ColourMatrix.BT601;
            return new StreamInfo(width, height, matrix, fullRange);
        }

        /** A fresh picture buffer: the decoder keeps decoded pictures as references, so none is reused. */
        byte[][] newBuffer() {
            return Picture.create(codedWidth, codedHeight, ColorSpace.YUV420).getData();
        }
    }

    /** Containers told apart by their first bytes. */
    enum Container {
        MP4, MATROSKA, UNKNOWN;

        static Container sniff(Path file) throws IOException {
            byte[] head = new byte[12];
            int n;
            try (InputStream in = Files.newInputStream(file)) {
                n = in.readNBytes(head, 0, head.length);
            }
            if (n >= 4 && (head[0] & 0xff) == 0x1a && (head[1] & 0xff) == 0x45 && (head[2] & 0xff) == 0xdf
                    && (head[3] & 0xff) == 0xa3) {
                return MATROSKA;
            }
            if (n >= 8) {
                String box = new String(head, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
                if (switch (box) {
                    case "ftyp", "moov", "mdat", "free", "skip", "wide", "pnot" -> true;
                    default -> false;
                }) {
                    return MP4;
                }
            }
            return UNKNOWN;
        }
    }
}
