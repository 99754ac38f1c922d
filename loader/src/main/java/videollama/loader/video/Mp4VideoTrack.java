package videollama.loader.video;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jcodec.common.Codec;
import org.jcodec.common.DemuxerTrackMeta;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Packet;
import org.jcodec.containers.mp4.boxes.CompositionOffsetsBox;
import org.jcodec.containers.mp4.boxes.SampleEntry;
import org.jcodec.containers.mp4.boxes.SyncSamplesBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.jcodec.containers.mp4.boxes.VideoSampleEntry;
import org.jcodec.containers.mp4.demuxer.AbstractMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.CodecMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;
import org.jcodec.containers.mp4.demuxer.MP4DemuxerTrack;
import videollama.loader.LoaderException;

/**
 * The first video track of an MP4/MOV file through JCodec's demuxer. Frame times and keyframes come from
 * the sample tables ({@code stts}, {@code ctts}, {@code stss}), so listing the frames reads no frame data.
 */
final class Mp4VideoTrack extends JCodecVideoTrack {
    private final MP4DemuxerTrack track;
    private final int rotation;

    private Mp4VideoTrack(SeekableByteChannel channel, MP4DemuxerTrack track) {
        TrakBox box = track.getBox();
        super(channel, track, frameTable(box, (int) track.getFrameCount()), averageFps(box, (int) track.getFrameCount()), -1);
        this.track = track;
        this.rotation = rotation(box.getTrackHeader().getMatrix());
    }

    /**
     * Opens the file and finds its video track.
     *
     * @throws LoaderException naming the file: not a readable MP4, no video track, or not H.264
     */
    static Mp4VideoTrack open(Path file) throws IOException {
        SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile());
        try {
            MP4Demuxer demuxer = JCodecMp4.demuxer(file, channel, Mp4VideoTrack::describe);
            AbstractMP4DemuxerTrack video = null;
            for (AbstractMP4DemuxerTrack t : demuxer.getTracks()) {
                if (t.getBox().isVideo()) {
                    video = t;
                    break;
                }
            }
            if (video == null) {
                throw new LoaderException(file + ": no video track");
            }
            String fourcc = Mp4BoxCheck.printable(String.valueOf(video.getFourcc())); // any 4 bytes of the file
            if (!"avc1".equals(fourcc) && !"avc3".equals(fourcc)) {
                throw new LoaderException(file + ": unsupported video codec '" + fourcc
                        + "' (only H.264 is supported)");
            }
            TrakBox trak = video.getBox();
            SampleEntry[] entries = trak.getSampleEntries();
            if (entries.length == 0 || !(entries[0] instanceof VideoSampleEntry)) {
                // JCodec parses only 'avc1' as a visual sample entry (its SampleBoxes), and needs one for the frame size
                throw new LoaderException(file + ": the video track's sample description '" + fourcc
                        + "' is not one the Java decoder reads (only 'avc1'; --decoder ffmpeg reads more)");
            }
            // A constant sample size (one-frame videos have one) makes JCodec take the track for PCM audio;
            // with the sizes listed it opens it as a video track.
            JCodecMp4.listConstantSampleSizes(file, trak, channel, "frames");
            MP4DemuxerTrack track;
            DemuxerTrackMeta meta;
            try {
                track = video instanceof CodecMP4DemuxerTrack codecTrack ? codecTrack
                        : new CodecMP4DemuxerTrack(demuxer.getMovie(), trak, channel);
                meta = track.getMeta();
            } catch (RuntimeException e) { // JCodec reads the H.264 parameter set here: "Colorspace not supported", ...
                throw new LoaderException(file + ": the video's H.264 parameter set cannot be read ("
                        + Mp4BoxCheck.printable(String.valueOf(e.getMessage())) + ")", e);
            }
            if (meta == null || meta.getCodec() != Codec.H264) {
                throw new LoaderException(file + ": unsupported video codec '" + fourcc + "' (only H.264 is supported)");
            }
            if (track.getFrameCount() == 0) {
                throw new LoaderException(file + ": the video track has no frames");
            }
            try {
                return new Mp4VideoTrack(channel, track);
            } catch (RuntimeException e) {
                throw new LoaderException(file + ": corrupt MP4 sample tables (" + describe(e) + ")", e);
            }
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static FrameTable frameTable(TrakBox box, int count) {
        long[] pts = new long[count];
        int sample = 0;
        long dts = 0;
        for (TimeToSampleBox.TimeToSampleEntry e : box.getStts().getEntries()) {
            for (int i = 0; i < e.getSampleCount() && sample < count; i++) {
                pts[sample++] = dts;
                dts += e.getSampleDuration();
            }
        }
        for (; sample < count; sample++) { // a short stts: FFmpeg repeats the last duration
            pts[sample] = dts;
        }
        CompositionOffsetsBox ctts = box.getCtts();
        if (ctts != null) {
            sample = 0;
            for (CompositionOffsetsBox.Entry e : ctts.getEntries()) {
                for (int i = 0; i < e.getCount() && sample < count; i++) {
                    pts[sample++] += e.getOffset();
                }
            }
        }
        boolean[] keyframe = new boolean[count];
        SyncSamplesBox stss = box.getStss();
        if (stss == null) { // no sync sample table: every sample is a sync sample
            Arrays.fill(keyframe, true);
        } else {
            for (int s : stss.getSyncSamples()) {
                if (s >= 1 && s <= count) {
                    keyframe[s - 1] = true;
                }
            }
        }
        return new FrameTable(pts, keyframe);
    }

    /**
     * FFmpeg's MP4 demuxer: {@code avg_frame_rate = samples × timescale / (sum of stts durations)}.
     */
    private static double averageFps(TrakBox box, int count) {
        long duration = 0;
        long samples = 0;
        for (TimeToSampleBox.TimeToSampleEntry e : box.getStts().getEntries()) {
            duration += (long) e.getSampleCount() * e.getSampleDuration();
            samples += e.getSampleCount();
        }
        if (duration <= 0 || samples <= 0) {
            return Double.NaN;
        }
        return (double) (samples * box.getTimescale()) / duration;
    }

    /**
     * The clockwise display rotation in whole degrees from the track header's matrix, as decord reads it:
     * FFmpeg 4.1 stores {@code -av_display_rotation_get(matrix)} as the stream's "rotate" tag with
     * {@code %g} (six significant digits), decord parses it, takes it modulo 360 and truncates to int.
     */
    static int rotation(int[] matrix) {
        if (matrix == null || matrix.length < 5) {
            return 0;
        }
        double a = matrix[0] / 65536.0;
        double b = matrix[1] / 65536.0;
        double c = matrix[3] / 65536.0;
        double d = matrix[4] / 65536.0;
        double scale0 = Math.hypot(a, c);
        double scale1 = Math.hypot(b, d);
        if (scale0 == 0 || scale1 == 0) {
            return 0;
        }
        double theta = Math.atan2(b / scale1, a / scale0) * 180 / Math.PI;
        theta = new BigDecimal(theta).round(new MathContext(6)).doubleValue();
        theta = theta % 360;
        if (theta < 0) {
            theta += 360;
        }
        int degrees = (int) theta;
        return degrees == 90 || degrees == 180 || degrees == 270 ? degrees : 0;
    }

    @Override
    public int rotation() {
        return rotation;
    }

    @Override
    public ByteBuffer codecPrivate() {
        return track.getMeta().getCodecPrivate().duplicate();
    }

    /**
     * What went wrong, in a few words: the first line of the message of the exception a decoder thread threw, past
     * the exceptions that only wrap it (JCodec's {@code new RuntimeException(cause)} among them).
     */
    static String describe(Throwable e) {
        while (e.getCause() != null && (e instanceof ExecutionException || e instanceof CompletionException
                || e.getCause().toString().equals(e.getMessage()))) {
            e = e.getCause();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message.lines().findFirst().orElse("");
    }
}
