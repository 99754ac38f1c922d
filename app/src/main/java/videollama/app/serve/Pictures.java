package videollama.app.serve;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/**
 * The lab view's pictures as data URLs the page shows as they are: the sampled frames (JPEG) and the sound clips'
 * fbank (PNG, a colour scale). Java2D's ImageIO writes them; no drawing library is needed for pixels.
 */
final class Pictures {
    private Pictures() {}

    /** Frame {@code frame} of {@code rgb} ({@code count} frames of side × side RGB24 pixels) as a JPEG data URL. */
    static String frame(byte[] rgb, int frame, int side) {
        BufferedImage image = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        int base = frame * side * side * 3;
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int i = base + (y * side + x) * 3;
                image.setRGB(x, y, (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | rgb[i + 2] & 0xff);
            }
        }
        return dataUrl(image, "jpeg");
    }

    /**
     * One clip's fbank [melBins, frames] (row-major, the lowest band first) as a PNG data URL, time to the right and
     * the lowest band at the bottom, each value placed between the clip's least and greatest on the colour scale.
     */
    static String fbank(float[] fbank, int offset, int melBins, int frames) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + melBins * frames; i++) {
            min = Math.min(min, fbank[i]);
            max = Math.max(max, fbank[i]);
        }
        float range = Math.max(max - min, 1e-6f);
        BufferedImage image = new BufferedImage(frames, melBins, BufferedImage.TYPE_INT_RGB);
        for (int bin = 0; bin < melBins; bin++) {
            for (int t = 0; t < frames; t++) {
                image.setRGB(t, melBins - 1 - bin, color((fbank[offset + bin * frames + t] - min) / range));
            }
        }
        return dataUrl(image, "png");
    }

    /** A dark-blue → red → yellow scale for v in [0, 1], as the page draws its heat maps. */
    static int color(float v) {
        int r = (int) (255 * Math.min(1, 2 * v));
        int g = (int) (255 * Math.max(0, 2 * v - 1));
        int b = (int) (255 * Math.max(0, 0.5f - v));
        return r << 16 | g << 8 | b;
    }

    private static String dataUrl(BufferedImage image, String format) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // into memory: not expected
        }
        return "data:image/" + format + ";base64," + Base64.getEncoder().encodeToString(bytes.toByteArray());
    }
}
