package videollama.loader.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import org.jcodec.common.SeekableDemuxerTrack;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.Packet;

/**
 * What the MP4 and Matroska tracks read through JCodec share: the frame table and rate listed when the track is
 * opened, and frames read by decode index, in order without a seek (JCodec's demuxers read on from where they
 * stopped), out of order with one.
 */
abstract sealed class JCodecVideoTrack implements VideoTrack permits MkvVideoTrack, Mp4VideoTrack {
    private final SeekableByteChannel channel;
    private final SeekableDemuxerTrack track;
    private final FrameTable frames;
    private final double averageFps;
    private long next; // the decode index the demuxer will read next

    JCodecVideoTrack(SeekableByteChannel channel, SeekableDemuxerTrack track, FrameTable frames, double averageFps, long next) {
        this.channel = channel;
        this.track = track;
        this.frames = frames;
        this.averageFps = averageFps;
        this.next = next;
    }

    @Override
    public final FrameTable frames() {
        return frames;
    }

    @Override
    public final double averageFps() {
        return averageFps;
    }

    @Override
    public final ByteBuffer frame(int decodeIndex) throws IOException {
        Packet packet;
        try {
            if (decodeIndex != next) {
                track.gotoFrame(decodeIndex);
            }
            packet = track.nextFrame();
        } catch (RuntimeException e) { // a damaged sample table or block: the loader names the file
            throw new IOException("frame " + decodeIndex + " cannot be read: " + Mp4VideoTrack.describe(e), e);
        }
        if (packet == null) {
            throw new IOException("frame " + decodeIndex + " cannot be read");
        }
        next = decodeIndex + 1;
        return packet.getData();
    }

    @Override
    public final void close() throws IOException {
        channel.close();
    }
}
