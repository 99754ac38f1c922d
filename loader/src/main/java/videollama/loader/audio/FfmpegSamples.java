package videollama.loader.audio;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBL;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_DBLP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S16P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S32P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S64;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_S64P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_U8;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_U8P;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;

import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * A decoded sound frame to {@code float[channels][samples]}, converted as libswresample converts to
 * {@code AV_SAMPLE_FMT_FLT} (its {@code audioconvert.c}): {@code (u8 - 0x80) · 2⁻⁷}, {@code s16 · 2⁻¹⁵},
 * {@code s32 · 2⁻³¹}, {@code s64 · 2⁻⁶³}, each integer first rounded to float as C's {@code int * float} does;
 * doubles rounded to float. That is what torchaudio's FFmpeg reader (a {@code fltp} sink) and PyAV's
 * {@code AudioResampler(format="fltp")} return; decoders of lossy codecs already give {@code fltp}.
 */
final class FfmpegSamples {
    private FfmpegSamples() {}

    /** The frame's samples, channel by channel, in FFmpeg's channel order. */
    static float[][] of(AVFrame frame, int channels) {
        int n = frame.nb_samples();
        int format = frame.format();
        boolean planar = switch (format) {
            case AV_SAMPLE_FMT_U8P, AV_SAMPLE_FMT_S16P, AV_SAMPLE_FMT_S32P, AV_SAMPLE_FMT_FLTP, AV_SAMPLE_FMT_DBLP,
                 AV_SAMPLE_FMT_S64P -> true;
            default -> false;
        };
        float[][] out = new float[channels][n];
        if (planar) {
            for (int c = 0; c < channels; c++) {
                convert(frame.extended_data(c), format, n, out[c]);
            }
        } else {
            float[] interleaved = new float[n * channels];
            convert(frame.extended_data(0), format, n * channels, interleaved);
            for (int i = 0, k = 0; i < n; i++) {
                for (int c = 0; c < channels; c++) {
                    out[c][i] = interleaved[k++];
                }
            }
        }
        return out;
    }

    private static void convert(BytePointer data, int format, int count, float[] out) {
        switch (format) {
            case AV_SAMPLE_FMT_FLT, AV_SAMPLE_FMT_FLTP -> new FloatPointer(data).get(out, 0, count);
            case AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P -> {
                short[] s = new short[count];
                new ShortPointer(data).get(s);
                for (int i = 0; i < count; i++) {
                    out[i] = s[i] * (1.0f / (1 << 15));
                }
            }
            case AV_SAMPLE_FMT_S32, AV_SAMPLE_FMT_S32P -> {
                int[] s = new int[count];
                new IntPointer(data).get(s);
                for (int i = 0; i < count; i++) {
                    out[i] = s[i] * (1.0f / (1L << 31));
                }
            }
            case AV_SAMPLE_FMT_U8, AV_SAMPLE_FMT_U8P -> {
                byte[] s = new byte[count];
                data.get(s);
                for (int i = 0; i < count; i++) {
                    out[i] = ((s[i] & 0xff) - 0x80) * (1.0f / (1 << 7));
                }
            }
            case AV_SAMPLE_FMT_DBL, AV_SAMPLE_FMT_DBLP -> {
                double[] s = new double[count];
                new DoublePointer(data).get(s);
                for (int i = 0; i < count; i++) {
                    out[i] = (float) s[i];
                }
            }
            case AV_SAMPLE_FMT_S64, AV_SAMPLE_FMT_S64P -> {
                long[] s = new long[count];
                new LongPointer(data).get(s);
                for (int i = 0; i < count; i++) {
                    out[i] = s[i] * (1.0f / 9.223372036854775808e18f);
                }
            }
            default -> throw new IllegalArgumentException("sample format " + av_get_sample_fmt_name(format).getString());
        }
    }
}
