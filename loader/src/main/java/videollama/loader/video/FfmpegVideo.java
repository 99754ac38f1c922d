package videollama.loader.video;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_get;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.IntPointer;
import videollama.loader.LoaderException;
import videollama.loader.SampledFrames;
import videollama.loader.ffmpeg.Decoder;
import videollama.loader.ffmpeg.MediaInput;

/**
 * The first video stream of any file FFmpeg reads, as decord 0.6.0's {@code VideoReader} sees it (its
 * {@code src/video/video_reader.cc}):
 * <ul>
 *   <li>the stream is {@code av_find_best_stream}'s;
 *   <li>{@code IndexKeyframes}: every packet of the stream is read once; the frame count is the number of packets
 *       ({@code frame_ts_.size()}), frames are the packets sorted by presentation time, keyframes are the packets
 *       flagged {@code AV_PKT_FLAG_KEY};
 *   <li>{@code get_avg_fps}: {@code avg_frame_rate.num / avg_frame_rate.den} as a double;
 *   <li>{@code GetRotation}: the {@code rotate} tag, else {@code -av_display_rotation_get} of the stream's display
 *       matrix, modulo 360 (FFmpeg 4.1's MOV demuxer turned the matrix into that tag with {@code %g}, six
 *       significant digits, which {@link Mp4VideoTrack#rotation} reproduces); 90, 180 and 270 become transposes;
 *   <li>{@code get_batch} / {@code SeekAccurate}: for each wanted frame, seek to the keyframe before it and decode
 *       forward, dropping the frames in between; frames of one run are shared.
 * </ul>
 * A frame is told by its {@code best_effort_timestamp}, as decord tells it. Two things decord does are not
 * reproduced, because they only show on files where it returns other frames than a sequential decode: its keyframe
 * list holds decode-order positions that it compares with presentation-order indices (so it may start from a
 * keyframe shown after the wanted frame), and it seeks by packet timestamps that are missing where the container
 * stores none (the anchor frames of MPEG-4 Part 2 with B-frames in AVI). Here a run starts at the last keyframe, in
 * decode order, that is shown no later than the wanted frame; packets get generated timestamps
 * ({@code AVFMT_FLAG_GENPTS}); so frame k is always the k-th frame a decode from the start shows, which is what the
 * goldens hold. Should a run not produce its frame (a damaged file), the wanted frames are taken from one decode
 * from the start, counted in the order they are shown, as decord counts them.
 */
final class FfmpegVideo implements AutoCloseable {
    private final Path file;
    private final int stream;
    private final FrameTable table;
    private final long[] pts; // decode order
    private final long[] dts; // decode order, AV_NOPTS_VALUE where the container has none
    private final Map<Long, Integer> decodeIndexOfPts;
    private final Map<Long, Integer> presentationOfPts;
    private final double averageFps;
    private final int rotation;
    private final String codec;

    private MediaInput input; // reopened to start again
    private AVPacket peeked; // the packet a seek landed on, read but not yet sent
    private Decoder decoder;
    private int packetsDecoded;

    private FfmpegVideo(Path file, MediaInput input, int stream, long[] pts, long[] dts, boolean[] keyframe) {
        this.file = file;
        this.input = input;
        this.stream = stream;
        this.table = new FrameTable(pts, keyframe);
        this.pts = pts;
        this.dts = dts;
        this.decodeIndexOfPts = new HashMap<>();
        this.presentationOfPts = new HashMap<>();
        for (int d = 0; d < pts.length; d++) {
            decodeIndexOfPts.putIfAbsent(pts[d], d);
        }
        for (int p = 0; p < pts.length; p++) {
            presentationOfPts.putIfAbsent(pts[table.decodeIndex(p)], p);
        }
        AVStream s = input.stream(stream);
        this.averageFps = s.avg_frame_rate().den() == 0 ? Double.NaN
                : (double) s.avg_frame_rate().num() / s.avg_frame_rate().den();
        this.rotation = rotation(s);
        this.codec = input.codecName(stream);
        this.decoder = input.decoder(stream, 0, true);
    }

    /**
     * Opens the file and indexes its video stream (reads every packet of it once, as decord does).
     *
     * @throws LoaderException naming the file: not readable media, no video stream, no frames, no decoder
     */
    static FfmpegVideo open(Path file) {
        MediaInput input = MediaInput.open(file);
        try {
            int stream = input.bestStream(AVMEDIA_TYPE_VIDEO);
            if (stream < 0) {
                throw new LoaderException(file + ": no video track");
            }
            input.only(stream);
            PacketIndex index = new PacketIndex();
            for (AVPacket p = input.next(stream); p != null; p = input.next(stream)) {
                index.add(p.pts(), p.dts(), (p.flags() & AV_PKT_FLAG_KEY) != 0);
            }
            if (index.count == 0) {
                throw new LoaderException(file + ": the video track has no frames");
            }
            long[] pts = Arrays.copyOf(index.pts, index.count);
            for (int d = 0; d < pts.length; d++) {
                if (pts[d] == AV_NOPTS_VALUE) {
                    pts[d] = index.dts[d];
                }
                if (pts[d] == AV_NOPTS_VALUE) {
                    throw new LoaderException(file + ": video frame " + d + " (decode order) has no timestamp");
                }
            }
            return new FfmpegVideo(file, input, stream, pts, Arrays.copyOf(index.dts, index.count),
                    Arrays.copyOf(index.keyframe, index.count));
        } catch (RuntimeException e) {
            input.close();
            throw e;
        }
    }

    /** decord's frame count: the packets of the video stream. */
    int frameCount() {
        return table.count();
    }

    double averageFps() {
        return averageFps;
    }

    int rotation() {
        return rotation;
    }

    /** Packets sent to the decoder so far (keyframe runs and the decoder's look-ahead included). */
    int packetsDecoded() {
        return packetsDecoded;
    }

    /**
     * The frames at presentation {@code indices}, each {@code 224 × 224 × 3} RGB, in the order asked.
     */
    byte[] decode(int[] indices, FfmpegPictures pictures) {
        int frameBytes = SampledFrames.SIZE * SampledFrames.SIZE * 3;
        byte[] rgb = new byte[indices.length * frameBytes];
        TreeMap<Integer, byte[]> wanted = new TreeMap<>();
        for (int index : indices) {
            wanted.put(index, null);
        }
        Run run = null;
        for (int target : wanted.keySet()) {
            if (wanted.get(target) != null) {
                continue; // made by the run of an earlier target
            }
            int start = table.decodeStart(table.decodeIndex(target));
            if (run == null || !run.covers(start)) {
                run = seek(start);
            }
            if (!run.decodeUntil(target, wanted, pictures)) {
                fromTheStart(wanted, pictures);
                break;
            }
        }
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(wanted.get(indices[i]), 0, rgb, i * frameBytes, frameBytes);
        }
        return rgb;
    }

    /** A decode running forward from a keyframe; frames of the wanted ones it shows correctly are kept. */
    private final class Run {
        private final int start; // decode index of the keyframe it began at
        private int next; // decode index of the next packet to send
        private boolean ended;

        Run(int start) {
            this.start = start;
            this.next = start;
        }

        /** Whether continuing this run reaches a frame whose decoding starts at {@code keyframe}, without waste. */
        boolean covers(int keyframe) {
            return !ended && keyframe >= start && keyframe <= next;
        }

        /** Decodes until {@code target} is shown; false when the run ends without showing it. */
        boolean decodeUntil(int target, Map<Integer, byte[]> wanted, FfmpegPictures pictures) {
            while (wanted.get(target) == null && !ended) {
                AVPacket packet = peeked != null ? peeked : input.next(stream);
                peeked = null;
                if (packet == null) {
                    ended = true; // drain the frames the decoder still holds
                }
                String what = "frame " + next + " (decode order)";
                decoder.decode(packet, what, frame -> keep(frame, wanted, pictures));
                if (packet != null) {
                    next++;
                    packetsDecoded++;
                }
            }
            return wanted.get(target) != null;
        }

        private void keep(AVFrame frame, Map<Integer, byte[]> wanted, FfmpegPictures pictures) {
            Integer shown = presentationOfPts.get(frame.best_effort_timestamp());
            if (shown != null && wanted.containsKey(shown) && wanted.get(shown) == null
                    && table.decodeStart(table.decodeIndex(shown)) >= start) {
                wanted.put(shown, pictures.toRgb(frame));
            }
        }
    }

    /**
     * Starts a run at keyframe {@code keyframe} (decode order): seeks the demuxer to it and checks where it landed.
     * Demuxers index by different clocks (MOV and Matroska by presentation time, AVI by decode order), so the
     * keyframe's presentation time is tried first, its decode time second. Landing on it is best; an earlier
     * keyframe will do (more to decode); anything else (a demuxer that cannot seek, or lands past it) restarts the
     * file.
     */
    private Run seek(int keyframe) {
        decoder.flush();
        long bestTimestamp = AV_NOPTS_VALUE;
        int bestLanding = -1;
        for (long timestamp : keyframe == 0 ? new long[0] : new long[] {pts[keyframe], dts[keyframe]}) {
            int landed = seekTo(timestamp, keyframe);
            if (landed == keyframe) {
                return new Run(landed);
            }
            if (landed > bestLanding) {
                bestLanding = landed;
                bestTimestamp = timestamp;
            }
        }
        if (bestLanding >= 0 && seekTo(bestTimestamp, keyframe) == bestLanding) {
            return new Run(bestLanding);
        }
        return new Run(restart());
    }

    /**
     * Seeks to {@code timestamp} and reads the first packet ({@link #peeked}); the decode index it landed on when that
     * is a keyframe at or before {@code keyframe}, else -1.
     */
    private int seekTo(long timestamp, int keyframe) {
        peeked = null;
        if (timestamp == AV_NOPTS_VALUE || !input.seek(stream, timestamp)) {
            return -1;
        }
        peeked = input.next(stream);
        if (peeked == null || (peeked.flags() & AV_PKT_FLAG_KEY) == 0) {
            return -1;
        }
        Integer landed = decodeIndexOfPts.get(peeked.pts() != AV_NOPTS_VALUE ? peeked.pts() : peeked.dts());
        return landed == null || landed > keyframe ? -1 : landed;
    }

    /** The file opened afresh, exactly as at the start; returns 0, the decode index it will read first. */
    private int restart() {
        peeked = null;
        decoder.close();
        input.close();
        input = MediaInput.open(file);
        input.only(stream);
        decoder = input.decoder(stream, 0, true);
        return 0;
    }

    /**
     * The fallback: one decode from the start, frames counted in the order they are shown (decord's count), the
     * wanted ones kept.
     */
    private void fromTheStart(Map<Integer, byte[]> wanted, FfmpegPictures pictures) {
        restart();
        wanted.replaceAll((index, frame) -> null);
        int[] shown = {0};
        int sent = 0;
        AVPacket packet;
        do {
            packet = input.next(stream);
            decoder.decode(packet, "frame " + sent + " (decode order)", frame -> {
                int k = shown[0]++;
                if (wanted.containsKey(k)) {
                    wanted.put(k, pictures.toRgb(frame));
                }
            });
            if (packet != null) {
                sent++;
                packetsDecoded++;
            }
        } while (packet != null);
        for (Map.Entry<Integer, byte[]> e : wanted.entrySet()) {
            if (e.getValue() == null) {
                throw new LoaderException(file + ": frame " + e.getKey() + " of " + table.count() + " could not be decoded"
                        + " (the " + codec + " decoder showed " + shown[0] + " frames)");
            }
        }
    }

    /** decord's GetRotation: the 'rotate' tag, else the display matrix; 90, 180 or 270, anything else 0. */
    private static int rotation(AVStream stream) {
        AVDictionaryEntry tag = av_dict_get(stream.metadata(), "rotate", null, 0);
        if (tag != null && !tag.isNull()) {
            String value = tag.value().getString();
            try {
                double theta = Double.parseDouble(value.strip()) % 360;
                int degrees = (int) (theta < 0 ? theta + 360 : theta);
                if (theta != 0) {
                    return degrees == 90 || degrees == 180 || degrees == 270 ? degrees : 0;
                }
            } catch (NumberFormatException e) {
                // atof gives 0: fall through to the matrix, as decord does
            }
        }
        AVCodecParameters par = stream.codecpar();
        AVPacketSideData side = av_packet_side_data_get(par.coded_side_data(), par.nb_coded_side_data(),
                AV_PKT_DATA_DISPLAYMATRIX);
        if (side == null || side.isNull() || side.size() < 9 * 4) {
            return 0;
        }
        int[] matrix = new int[9];
        new IntPointer(side.data()).get(matrix);
        return Mp4VideoTrack.rotation(matrix);
    }

    @Override
    public void close() {
        decoder.close();
        input.close();
    }

    /** The packets of the stream in decode order, growing as they are read. */
    private static final class PacketIndex {
        long[] pts = new long[1024];
        long[] dts = new long[1024];
        boolean[] keyframe = new boolean[1024];
        int count;

        void add(long p, long d, boolean key) {
            if (count == pts.length) {
                pts = Arrays.copyOf(pts, count * 2);
                dts = Arrays.copyOf(dts, count * 2);
                keyframe = Arrays.copyOf(keyframe, count * 2);
            }
            pts[count] = p;
            dts[count] = d;
            keyframe[count++] = key;
        }
    }
}
