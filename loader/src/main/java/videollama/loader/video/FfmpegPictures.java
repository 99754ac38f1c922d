package videollama.loader.video;

import static org.bytedeco.ffmpeg.global.avfilter.AV_BUFFERSRC_FLAG_KEEP_REF;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_add_frame_flags;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_create_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_parse_ptr;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_free;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_strdup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avfilter.AVFilterInOut;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import videollama.loader.LoaderException;
import videollama.loader.SampledFrames;
import videollama.loader.ffmpeg.Ffmpeg;
import videollama.loader.ffmpeg.FfmpegLog;

/**
 * A frame FFmpeg decoded, turned upright and resized to 224×224 RGB24 as decord 0.6.0's filter graph
 * {@code [transpose=clock|cclock,...,]scale=224:224} with an RGB24 sink does it on FFmpeg 4.1, whose scale filter
 * defaults to {@code flags=bilinear}.
 *
 * <p>8-bit 4:2:0 frames ({@code yuv420p}, {@code yuvj420p}: H.264, HEVC Main, VP9 profile 0, AV1 Main, MPEG-4
 * Part 2 as they usually come) go through {@link SwsScaler}, the Java twin of libswscale's arithmetic, on FFmpeg's
 * decoded planes ({@link YuvFrame#rotated} for the transposes). Measured on the sampled frames of every bundled
 * video (the 8 of each of testdata/golden/frames' 11 and testdata/golden/media's 7 with both scalers, and the 32
 * of the media fixtures with {@link SwsScaler}: H.264, HEVC, VP9, AV1, MPEG-4 Part 2, rotated 90/180/270), both
 * {@link SwsScaler} and libavfilter 11 / libswscale 9 of this FFmpeg 8.0.1 build with {@code flags=bilinear} give
 * exactly the golden pixels (PyAV's FFmpeg 8.1, the same graph): every SHA-256 equal (FfmpegVideoGoldenTest).
 * {@link SwsScaler} is used because where FFmpeg 4.1 and 8 differ it follows 4.1: for frames tagged BT.709 it keeps
 * 4.1's coefficients (see {@link ColourMatrix}), which current libswscale corrected (no bundled video is tagged
 * BT.709, so no golden tells the two apart).
 *
 * <p>Every other pixel format (10-bit 4:2:0, 4:2:2, 4:4:4, RGB, gray) goes through libavfilter with the same
 * graph and {@code flags=bilinear} (or bicubic, for the comparison with FFmpeg 5.1+'s default): measured equal to
 * the golden on 10-bit HEVC and 4:4:4 H.264. One graph is kept while the frames' size and format stay the same.
 */
final class FfmpegPictures implements AutoCloseable {
    private static final int SIZE = SampledFrames.SIZE;

    private final Path file;
    private final SwsScaler scaler;
    private final int rotation;
    private final boolean libavfilterOnly;
    private Graph graph;

    /**
     * @param libavfilterOnly send 8-bit 4:2:0 frames through libavfilter too (to compare the two scalers)
     */
    FfmpegPictures(Path file, ScaleAlgorithm algorithm, int rotation, boolean libavfilterOnly) {
        this.file = file;
        this.scaler = new SwsScaler(algorithm);
        this.rotation = rotation;
        this.libavfilterOnly = libavfilterOnly;
    }

    /** The frame as {@code 224 × 224 × 3} RGB bytes. */
    byte[] toRgb(AVFrame frame) {
        int format = frame.format();
        if (!libavfilterOnly && (format == AV_PIX_FMT_YUV420P || format == AV_PIX_FMT_YUVJ420P)) {
            return scaler.toRgb(yuv(frame).rotated(rotation), SIZE, SIZE);
        }
        String key = frame.width() + "x" + frame.height() + "/" + format + "/" + frame.colorspace() + "/"
                + frame.color_range();
        if (graph == null || !graph.key.equals(key)) {
            close();
            graph = Graph.create(file, key, frame, rotation, scaler.algorithm());
        }
        return graph.apply(file, frame);
    }

    /** The three planes without row padding, and how to read them (FFmpeg 4.1's scale filter: the frame's tags). */
    private static YuvFrame yuv(AVFrame frame) {
        int w = frame.width();
        int h = frame.height();
        int cw = (w + 1) >> 1;
        int ch = (h + 1) >> 1;
        boolean fullRange = frame.format() == AV_PIX_FMT_YUVJ420P || frame.color_range() == AVCOL_RANGE_JPEG;
        return new YuvFrame(w, h, plane(frame, 0, w, h), plane(frame, 1, cw, ch), plane(frame, 2, cw, ch),
                ColourMatrix.fromH264(frame.colorspace()), fullRange);
    }

    private static byte[] plane(AVFrame frame, int index, int width, int height) {
        BytePointer data = frame.data(index);
        int stride = frame.linesize(index);
        byte[] out = new byte[width * height];
        for (int y = 0; y < height; y++) {
            data.position((long) y * stride).get(out, y * width, width);
        }
        return out;
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
    }

    /** buffer → [transpose…,] scale=224:224:flags=… → format=rgb24 → buffersink, configured for one frame shape. */
    private record Graph(String key, AVFilterGraph graph, AVFilterContext source, AVFilterContext sink, AVFrame out) {
        static Graph create(Path file, String key, AVFrame frame, int rotation, ScaleAlgorithm algorithm) {
            FfmpegLog.clear();
            AVFilterGraph graph = avfilter_graph_alloc();
            graph.nb_threads(1); // as decord sets it
            AVFilterContext source = new AVFilterContext();
            AVFilterContext sink = new AVFilterContext();
            String args = String.format(Locale.ROOT,
                    "video_size=%dx%d:pix_fmt=%d:time_base=1/1:pixel_aspect=1/1:colorspace=%d:range=%d",
                    frame.width(), frame.height(), frame.format(), frame.colorspace(), frame.color_range());
            String transposes = switch (rotation) {
                case 90 -> "transpose=clock,";
                case 180 -> "transpose=clock,transpose=clock,";
                case 270 -> "transpose=cclock,";
                default -> "";
            };
            String description = transposes + "scale=" + SIZE + ":" + SIZE + ":flags="
                    + algorithm.name().toLowerCase(Locale.ROOT) + ",format=rgb24";
            AVFilterInOut outputs = avfilter_inout_alloc();
            AVFilterInOut inputs = avfilter_inout_alloc();
            try {
                check(file, frame, avfilter_graph_create_filter(source, avfilter_get_by_name("buffer"), "in", args, null,
                        graph));
                check(file, frame, avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), "out", null,
                        null, graph));
                outputs.name(av_strdup(new BytePointer("in", StandardCharsets.US_ASCII))).filter_ctx(source).pad_idx(0)
                        .next(null);
                inputs.name(av_strdup(new BytePointer("out", StandardCharsets.US_ASCII))).filter_ctx(sink).pad_idx(0)
                        .next(null);
                check(file, frame, avfilter_graph_parse_ptr(graph, description, inputs, outputs, null));
                check(file, frame, avfilter_graph_config(graph, null));
            } catch (LoaderException e) {
                avfilter_graph_free(graph);
                throw e;
            } finally {
                avfilter_inout_free(inputs);
                avfilter_inout_free(outputs);
            }
            return new Graph(key, graph, source, sink, av_frame_alloc());
        }

        byte[] apply(Path file, AVFrame frame) {
            check(file, frame, av_buffersrc_add_frame_flags(source, frame, AV_BUFFERSRC_FLAG_KEEP_REF));
            check(file, frame, av_buffersink_get_frame(sink, out));
            try {
                byte[] rgb = new byte[SIZE * SIZE * 3];
                BytePointer data = out.data(0);
                for (int y = 0; y < SIZE; y++) {
                    data.position((long) y * out.linesize(0)).get(rgb, y * SIZE * 3, SIZE * 3);
                }
                return rgb;
            } finally {
                av_frame_unref(out);
            }
        }

        private static void check(Path file, AVFrame frame, int code) {
            if (code < 0) {
                throw new LoaderException(file + ": FFmpeg cannot convert " + frame.width() + "x" + frame.height() + " "
                        + av_get_pix_fmt_name(frame.format()).getString() + " frames to RGB (" + Ffmpeg.error(code) + ")"
                        + FfmpegLog.said());
            }
        }

        void close() {
            av_frame_free(out);
            avfilter_graph_free(graph);
        }
    }
}
