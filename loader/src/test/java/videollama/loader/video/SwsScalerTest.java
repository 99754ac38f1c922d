package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.testing.SeededRandom;

/**
 * The scaler on pictures whose answer is known without FFmpeg: flat colours must come out as the textbook
 * Y'CbCr → RGB conversion whatever the sizes, within three levels: swscale's tables truncate each chroma
 * offset to whole steps of the luma ramp (FFmpeg itself gives 245 for a textbook 246.7). A few flat
 * colours are pinned to what FFmpeg 8's {@code scale=224:224,format=rgb24} gives.
 */
class SwsScalerTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static YuvFrame flat(int w, int h, int y, int u, int v, ColourMatrix m, boolean full) {
        int cw = (w + 1) / 2;
        int ch = (h + 1) / 2;
        byte[] yp = new byte[w * h];
        byte[] up = new byte[cw * ch];
        byte[] vp = new byte[cw * ch];
        Arrays.fill(yp, (byte) y);
        Arrays.fill(up, (byte) u);
        Arrays.fill(vp, (byte) v);
        return new YuvFrame(w, h, yp, up, vp, m, full);
    }

    /** Kr, Kb of the matrix; textbook conversion in double. */
    private static int[] expected(int y, int u, int v, double kr, double kb, boolean full) {
        double yy = full ? y : (y - 16) * 255.0 / 219;
        double pb = full ? (u - 128) : (u - 128) * 255.0 / 224;
        double pr = full ? (v - 128) : (v - 128) * 255.0 / 224;
        double kg = 1 - kr - kb;
        double r = yy + 2 * (1 - kr) * pr;
        double b = yy + 2 * (1 - kb) * pb;
        double g = (yy - kr * r - kb * b) / kg;
        return new int[] {clip(r), clip(g), clip(b)};
    }

    private static int clip(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v)));
    }

    @Test
    void flatColoursConvertAsTheTextbookSays() {
        for (int trial = 0; trial < 40; trial++) {
            int w = 2 + random.nextInt(700);
            int h = 2 + random.nextInt(500);
            int y = 16 + random.nextInt(220);
            int u = 16 + random.nextInt(225);
            int v = 16 + random.nextInt(225);
            boolean bt709 = random.nextBoolean();
            boolean full = random.nextBoolean();
            ScaleAlgorithm algorithm = random.nextBoolean() ? ScaleAlgorithm.BILINEAR : ScaleAlgorithm.BICUBIC;
            ColourMatrix m = bt709 ? ColourMatrix.BT709 : ColourMatrix.BT601;
            byte[] rgb = new SwsScaler(algorithm).toRgb(flat(w, h, y, u, v, m, full), 224, 224);
            int[] want = bt709 ? expected(y, u, v, 0.2126, 0.0722, full) : expected(y, u, v, 0.299, 0.114, full);
            String what = w + "x" + h + " " + algorithm + " " + m + (full ? " full" : " limited") + " yuv " + y + "," + u + "," + v;
            for (int p = 0; p < 224 * 224; p++) {
                for (int c = 0; c < 3; c++) {
                    int got = rgb[p * 3 + c] & 0xff;
                    assertTrue(Math.abs(got - want[c]) <= 3, what + ": channel " + c + " " + got + " vs " + want[c]);
                }
            }
        }
    }

    @Test
    void flatColoursAsFfmpegGivesThem() {
        // PyAV 18.1: yuv420p 500x472 filled with (206, 189, 144), colorspace 6 / 1, scale=224:224, rgb24.
        assertPixel(new SwsScaler(ScaleAlgorithm.BICUBIC).toRgb(flat(500, 472, 206, 189, 144, ColourMatrix.BT601, false), 224, 224), 245, 183, 255);
        assertPixel(new SwsScaler(ScaleAlgorithm.BILINEAR).toRgb(flat(500, 472, 206, 189, 144, ColourMatrix.BT709, false), 224, 224), 247, 198, 255);
        // 331x216 (218, 143, 89), BT.709: green 251 where the textbook says 252.8.
        assertPixel(new SwsScaler(ScaleAlgorithm.BILINEAR).toRgb(flat(331, 216, 218, 143, 89, ColourMatrix.BT709, false), 224, 224), 164, 251, 255);
    }

    private static void assertPixel(byte[] rgb, int r, int g, int b) {
        for (int p = 0; p < rgb.length / 3; p++) {
            assertEquals(r, rgb[3 * p] & 0xff);
            assertEquals(g, rgb[3 * p + 1] & 0xff);
            assertEquals(b, rgb[3 * p + 2] & 0xff);
        }
    }

    @Test
    void rotationTransposesPlanes() {
        // 4x2 luma, 2x1 chroma; clockwise: the left column becomes the top row, read bottom-up.
        byte[] y = {1, 2, 3, 4, 5, 6, 7, 8};
        YuvFrame frame = new YuvFrame(4, 2, y, new byte[] {10, 11}, new byte[] {20, 21}, ColourMatrix.BT601, false);
        YuvFrame cw = frame.rotated(90);
        assertEquals(2, cw.width());
        assertEquals(4, cw.height());
        assertEquals("[5, 1, 6, 2, 7, 3, 8, 4]", Arrays.toString(cw.y()));
        assertEquals("[10, 11]", Arrays.toString(cw.u()));
        YuvFrame ccw = frame.rotated(270);
        assertEquals("[4, 8, 3, 7, 2, 6, 1, 5]", Arrays.toString(ccw.y()));
        assertEquals("[8, 7, 6, 5, 4, 3, 2, 1]", Arrays.toString(frame.rotated(180).y()));
    }
}
