package videollama.loader.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.common.Codec;
import org.jcodec.common.DemuxerTrack;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Packet;
import org.jcodec.containers.mkv.MKVType;
import org.jcodec.containers.mkv.boxes.EbmlUint;
import org.jcodec.containers.mkv.demuxer.MKVDemuxer;
import videollama.loader.LoaderException;

/**
 * The first video track of a Matroska file through JCodec's {@link MKVDemuxer} ({@code FrameGrab} does not
 * recognise Matroska). Block timestamps are presentation times; listing the frames reads every block once.
 * No rotation: Matroska has no display matrix decord would read.
 */
final class MkvVideoTrack extends JCodecVideoTrack {
    private final ByteBuffer codecPrivate;

    private MkvVideoTrack(SeekableByteChannel channel, MKVDemuxer demuxer, MKVDemuxer.VideoTrack track,
                          Path file) throws IOException {
        ByteBuffer cp = track.getMeta().getCodecPrivate();
        if (cp == null) {
            throw new LoaderException(file + ": the H.264 track has no codec private data (SPS/PPS)");
        }
        // Matroska stores an avcC record (version byte 1); the decoder wants Annex B.
        ByteBuffer annexB = cp.remaining() > 0 && cp.get(cp.position()) == 1
                ? H264Utils.avcCToAnnexB(H264Utils.parseAVCCFromBuffer(cp.duplicate()))
                : cp.duplicate();
        int count = track.getFrameCount();
        long[] pts = new long[count];
        boolean[] keyframe = new boolean[count];
        track.gotoFrame(0);
        for (int i = 0; i < count; i++) {
            Packet p = track.nextFrame();
            if (p == null) {
                throw new LoaderException(file + ": corrupt or truncated Matroska file (frame " + i + " missing)");
            }
            pts[i] = p.getPts();
            keyframe[i] = p.isKeyFrame();
        }
        super(channel, track, new FrameTable(pts, keyframe), averageFps(demuxer, pts), count);
        this.codecPrivate = annexB;
    }

    static MkvVideoTrack open(Path file) throws IOException {
        NoRewindChannel channel = new NoRewindChannel(NIOUtils.readableChannel(file.toFile()));
        try {
            MKVDemuxer demuxer;
            try {
                demuxer = new MKVDemuxer(channel);
            } catch (RuntimeException | IOException e) {
                throw new LoaderException(file + ": corrupt or truncated Matroska file ("
                        + Mp4VideoTrack.describe(e) + ")", e);
            }
            channel.unbounded();
            List<DemuxerTrack> videos = demuxer.getVideoTracks();
            if (videos.isEmpty()) {
                throw new LoaderException(file + ": no video track");
            }
            DemuxerTrack first = videos.getFirst(); // null for a codec ID JCodec does not know
            if (!(first instanceof MKVDemuxer.VideoTrack track) || track.getMeta().getCodec() != Codec.H264) {
                Codec codec = first == null || first.getMeta() == null ? null : first.getMeta().getCodec();
                throw new LoaderException(file + ": unsupported video codec '" + (codec == null ? "unknown" : codec)
                        + "' (only H.264 is supported)");
            }
            if (track.getFrameCount() == 0) {
                throw new LoaderException(file + ": the video track has no frames");
            }
            try {
                return new MkvVideoTrack(channel, demuxer, track, file);
            } catch (LoaderException e) {
                throw e;
            } catch (RuntimeException e) { // JCodec's reader meeting a block at a damaged offset or size
                throw new LoaderException(file + ": corrupt Matroska file (" + Mp4VideoTrack.describe(e) + ")", e);
            }
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * FFmpeg's Matroska demuxer: {@code 1e9 / DefaultDuration} reduced to a fraction with terms up to 30000.
     * Without DefaultDuration FFmpeg estimates the rate from the first packets; we take the mean frame
     * interval of the whole track (an approximation).
     */
    private static double averageFps(MKVDemuxer demuxer, long[] pts) {
        EbmlUint defaultDuration = MKVType.findFirstTree(demuxer.getTree(),
                new MKVType[] {MKVType.Segment, MKVType.Tracks, MKVType.TrackEntry, MKVType.DefaultDuration});
        if (defaultDuration != null && defaultDuration.getUint() > 0) {
            return Rationals.reduce(1_000_000_000L, defaultDuration.getUint(), 30000);
        }
        EbmlUint scale = MKVType.findFirstTree(demuxer.getTree(),
                new MKVType[] {MKVType.Segment, MKVType.Info, MKVType.TimecodeScale});
        double secondsPerTick = (scale == null ? 1_000_000L : scale.getUint()) / 1e9;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        for (long t : pts) {
            min = Math.min(min, t);
            max = Math.max(max, t);
        }
        return pts.length < 2 || max == min ? Double.NaN : (pts.length - 1) / ((max - min) * secondsPerTick);
    }

    @Override
    public int rotation() {
        return 0;
    }

    @Override
    public ByteBuffer codecPrivate() {
        return codecPrivate.duplicate();
    }
}
