package videollama.loader.ffmpeg;

import static org.bytedeco.ffmpeg.global.avcodec.AVDISCARD_ALL;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import videollama.loader.LoaderException;

/**
 * One media file opened by libavformat, read as the reference's readers read it: {@code avformat_open_input},
 * {@code avformat_find_stream_info}, then packets of one stream with {@code av_read_frame}.
 *
 * <p>Two settings differ from FFmpeg's defaults, both for reading local files safely and exactly:
 * <ul>
 *   <li>{@code protocol_whitelist=file}: a playlist or concat file cannot make FFmpeg open other URLs;
 *   <li>{@code AVFMT_FLAG_GENPTS}: packets without a presentation time (the anchor frames of MPEG-4 Part 2 with
 *       B-frames in AVI) get one, as PyAV's reads give them, so that frames can be put in presentation order.
 * </ul>
 * Every failure is a {@link LoaderException} naming the file, with what FFmpeg said about it.
 */
public final class MediaInput implements AutoCloseable {
    private final Path file;
    private final AVFormatContext format;
    private final AVPacket packet;

    private MediaInput(Path file, AVFormatContext format) {
        this.file = file;
        this.format = format;
        this.packet = av_packet_alloc();
    }

    /**
     * Opens a file and reads its stream information.
     *
     * @throws LoaderException naming the file: missing, empty, FFmpeg unavailable, or not media FFmpeg reads
     */
    public static MediaInput open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new LoaderException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        if (file.toFile().length() == 0) {
            throw new LoaderException(file + ": empty file");
        }
        Ffmpeg.require(file);
        FfmpegLog.clear();
        AVFormatContext format = new AVFormatContext(null);
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "protocol_whitelist", "file", 0);
        int r;
        try (BytePointer url = new BytePointer("file:" + file.toAbsolutePath(), StandardCharsets.UTF_8)) {
            r = avformat_open_input(format, url, null, options);
        } finally {
            av_dict_free(options);
        }
        if (r < 0) {
            throw new LoaderException(file + ": FFmpeg cannot read it (" + Ffmpeg.error(r) + ")"
                    + FfmpegLog.said());
        }
        r = avformat_find_stream_info(format, (PointerPointer<?>) null);
        if (r < 0) {
            avformat_close_input(format);
            throw new LoaderException(file + ": corrupt or truncated (" + Ffmpeg.error(r) + ")" + FfmpegLog.said());
        }
        format.flags(format.flags() | AVFormatContext.AVFMT_FLAG_GENPTS);
        return new MediaInput(file, format);
    }

    public Path file() {
        return file;
    }

    /** The container as FFmpeg names it, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "avi", "matroska,webm". */
    public String container() {
        return format.iformat().name().getString();
    }

    /**
     * The stream {@code av_find_best_stream} picks for a media type (what decord and torchaudio read), or -1.
     *
     * @param mediaType {@code AVMEDIA_TYPE_VIDEO} or {@code AVMEDIA_TYPE_AUDIO}
     */
    public int bestStream(int mediaType) {
        int index = av_find_best_stream(format, mediaType, -1, -1, (AVCodec) null, 0);
        return Math.max(index, -1);
    }

    public AVStream stream(int index) {
        return format.streams(index);
    }

    /** FFmpeg's name for a stream's codec, e.g. "h264", "vp9", "opus". */
    public String codecName(int streamIndex) {
        return avcodec_get_name(stream(streamIndex).codecpar().codec_id()).getString();
    }

    /** Makes the demuxer drop every stream but one, so that reading it skips the others' data. */
    public void only(int streamIndex) {
        for (int i = 0; i < format.nb_streams(); i++) {
            if (i != streamIndex) {
                format.streams(i).discard(AVDISCARD_ALL);
            }
        }
    }

    /**
     * The next packet of a stream, valid until the next call; null at the end of the file.
     *
     * @throws LoaderException naming the file when the data cannot be read
     */
    public AVPacket next(int streamIndex) {
        while (true) {
            av_packet_unref(packet);
            int r = av_read_frame(format, packet);
            if (r == AVERROR_EOF) {
                return null;
            }
            if (r < 0) {
                throw new LoaderException(file + ": corrupt or truncated (" + Ffmpeg.error(r) + ")" + FfmpegLog.said());
            }
            if (packet.stream_index() == streamIndex) {
                return packet;
            }
        }
    }

    /**
     * Seeks the stream to the last keyframe at or before {@code timestamp} (in the stream's time base, as the
     * demuxer's index keeps it); false when the demuxer cannot seek.
     */
    public boolean seek(int streamIndex, long timestamp) {
        av_packet_unref(packet);
        return av_seek_frame(format, streamIndex, timestamp, AVSEEK_FLAG_BACKWARD) >= 0;
    }

    /**
     * Opens a decoder for one stream of this file.
     *
     * @param threads  decoding threads, 0 for as many as FFmpeg likes (the output is the same)
     * @param bitexact {@code AV_CODEC_FLAG_BITEXACT} (see {@link Decoder})
     */
    public Decoder decoder(int streamIndex, int threads, boolean bitexact) {
        return Decoder.open(this, streamIndex, threads, bitexact);
    }

    @Override
    public void close() {
        av_packet_free(packet);
        avformat_close_input(format);
    }
}
