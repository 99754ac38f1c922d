package videollama.loader.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_BITEXACT;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;

import java.util.function.Consumer;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.presets.avutil;
import videollama.loader.LoaderException;

/**
 * A libavcodec decoder for one stream, driven by the send/receive API: every packet sent, every frame it
 * completes handed on. The decoder FFmpeg picks for the codec id is the one decord and torchaudio get
 * ({@code avcodec_find_decoder}; for AV1 in this build, libaom).
 *
 * <p>Video decoders run with {@code AV_CODEC_FLAG_BITEXACT}. H.264, HEVC, VP8/9 and AV1 define their output to
 * the bit, so the flag changes nothing there (the golden frames, decoded without it, are met exactly). Codecs
 * whose standard leaves the inverse DCT's rounding open (MPEG-4 Part 2, MPEG-1/2, Motion JPEG) otherwise get
 * whichever SIMD version this CPU and FFmpeg release pick: measured on the AVI fixture, FFmpeg 8.0.1's default,
 * its C code and PyAV's FFmpeg 8.1 give three different decodes (24 to 37 of 50 frames differ; at most 3 levels,
 * mean 8e-5, after the resize); with the flag all three agree. decord's FFmpeg 4.1 used its SIMD IDCT, which
 * nobody can reproduce to the bit on another machine; the flag makes the frames the same everywhere.
 */
public final class Decoder implements AutoCloseable {
    private final MediaInput input;
    private final AVCodecContext context;
    private final AVFrame frame;
    private final String name;

    private Decoder(MediaInput input, AVCodecContext context, String name) {
        this.input = input;
        this.context = context;
        this.frame = av_frame_alloc();
        this.name = name;
    }

    static Decoder open(MediaInput input, int streamIndex, int threads, boolean bitexact) {
        AVStream stream = input.stream(streamIndex);
        AVCodec codec = avcodec_find_decoder(stream.codecpar().codec_id());
        if (codec == null || codec.isNull()) {
            throw new LoaderException(input.file() + ": FFmpeg has no decoder for " + input.codecName(streamIndex));
        }
        AVCodecContext context = avcodec_alloc_context3(codec);
        int r = avcodec_parameters_to_context(context, stream.codecpar());
        if (r >= 0) {
            context.pkt_timebase(stream.time_base());
            context.thread_count(threads);
            if (bitexact) {
                context.flags(context.flags() | AV_CODEC_FLAG_BITEXACT);
            }
            r = avcodec_open2(context, codec, (AVDictionary) null);
        }
        if (r < 0) {
            avcodec_free_context(context);
            throw new LoaderException(input.file() + ": the " + input.codecName(streamIndex) + " decoder cannot start ("
                    + Ffmpeg.error(r) + ")" + FfmpegLog.said());
        }
        return new Decoder(input, context, codec.name().getString());
    }

    /** The decoder's name, e.g. "h264", "libaom-av1", "mp3float". */
    public String name() {
        return name;
    }

    /**
     * Sends one packet ({@code null}: the end of the stream, which drains the decoder) and hands on every frame
     * that is then ready. A frame is valid only during the call.
     *
     * @param what the packet for error messages, e.g. "frame 12"
     * @throws LoaderException naming the file when the decoder rejects the data
     */
    public void decode(AVPacket packet, String what, Consumer<AVFrame> frames) {
        int r = avcodec_send_packet(context, packet);
        while (r == avutil.AVERROR_EAGAIN()) { // frames must be taken out first (frame threading)
            receive(what, frames);
            r = avcodec_send_packet(context, packet);
        }
        if (r < 0 && r != AVERROR_EOF) {
            throw corrupt(what, r);
        }
        receive(what, frames);
    }

    private void receive(String what, Consumer<AVFrame> frames) {
        while (true) {
            int r = avcodec_receive_frame(context, frame);
            if (r == avutil.AVERROR_EAGAIN() || r == AVERROR_EOF) {
                return;
            }
            if (r < 0) {
                throw corrupt(what, r);
            }
            try {
                frames.accept(frame);
            } finally {
                av_frame_unref(frame);
            }
        }
    }

    private LoaderException corrupt(String what, int code) {
        return new LoaderException(input.file() + ": corrupt " + name + " data in " + what + " (" + Ffmpeg.error(code)
                + ")" + FfmpegLog.said());
    }

    /** Forgets every frame in flight and the end-of-stream state: after a seek, or to decode again. */
    public void flush() {
        avcodec_flush_buffers(context);
    }

    @Override
    public void close() {
        av_frame_free(frame);
        avcodec_free_context(context);
    }
}
