package videollama.loader.video;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The H.264 video track of a container, as the frame sampler needs it. */
interface VideoTrack extends Closeable {
    /** Every frame of the track, without reading any frame data. */
    FrameTable frames();

    /** FFmpeg's {@code avg_frame_rate} for this track, what decord's {@code get_avg_fps()} returns. */
    double averageFps();

    /** Clockwise rotation to apply for display, 0, 90, 180 or 270 (other angles are ignored, as decord does). */
    int rotation();

    /** SPS and PPS as Annex B NAL units. */
    ByteBuffer codecPrivate();

    /** The frame at {@code decodeIndex} as Annex B NAL units; reading frames in decode order is fastest. */
    ByteBuffer frame(int decodeIndex) throws IOException;

    @Override
    void close() throws IOException;
}
