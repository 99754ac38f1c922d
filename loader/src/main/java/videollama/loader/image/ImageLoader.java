package videollama.loader.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import videollama.loader.LoaderException;
import videollama.loader.SampledFrames;

/**
 * A still image (JPEG, PNG, or anything else {@code javax.imageio} reads) to the one frame the model sees
 * (spec §5.2): PIL's {@code convert('RGB')}, {@code Resize((224, 224), BICUBIC)} as Pillow does it
 * ({@link PilResize}), CLIP normalisation.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /**
     * @throws LoaderException naming the file: missing, not an image, or a colour model without an RGB
     *                         reading (CMYK)
     */
    public static SampledFrames load(Path image) {
        byte[] rgb = readRgb(image);
        return SampledFrames.of(rgb, 1, new int[] {0}, Double.NaN, "");
    }

    /** The image resized to {@link SampledFrames#SIZE}², RGB bytes, before normalisation. */
    public static byte[] readRgb(Path image) {
        if (!Files.isRegularFile(image)) {
            throw new LoaderException(image + (Files.exists(image) ? ": not a regular file" : ": no such file"));
        }
        BufferedImage img;
        try {
            img = ImageIO.read(image.toFile());
        } catch (IOException | RuntimeException e) {
            throw new LoaderException(image + ": corrupt image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new LoaderException(image + ": not an image (no reader recognises it; JPEG and PNG are supported)");
        }
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = toRgb(image, img);
        return PilResize.bicubic(rgb, w, h, SampledFrames.SIZE, SampledFrames.SIZE);
    }

    /**
     * The stored samples as 8-bit RGB, as PIL's {@code convert('RGB')}: palette entries looked up, gray
     * replicated, alpha dropped (not composited). Samples are read from the raster, never through
     * {@code getRGB}, which would colour-convert gray images.
     */
    static byte[] toRgb(Path file, BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        byte[] out = new byte[w * h * 3];
        if (cm instanceof IndexColorModel icm) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int i = raster.getSample(x, y, 0);
                    int o = (y * w + x) * 3;
                    out[o] = (byte) icm.getRed(i);
                    out[o + 1] = (byte) icm.getGreen(i);
                    out[o + 2] = (byte) icm.getBlue(i);
                }
            }
            return out;
        }
        int type = cm.getColorSpace().getType();
        int bits = cm.getComponentSize(0);
        if (type == ColorSpace.TYPE_GRAY) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    // 16-bit gray: PIL's I;16 -> L conversion clips at 255.
                    int v = raster.getSample(x, y, 0);
                    byte g = (byte) (bits > 8 ? Math.min(v, 255) : v);
                    int o = (y * w + x) * 3;
                    out[o] = g;
                    out[o + 1] = g;
                    out[o + 2] = g;
                }
            }
            return out;
        }
        if (type == ColorSpace.TYPE_RGB && raster.getNumBands() >= 3) {
            int shift = Math.max(bits - 8, 0); // 16-bit RGB: PIL keeps the high byte
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int o = (y * w + x) * 3;
                    for (int c = 0; c < 3; c++) {
                        out[o + c] = (byte) (raster.getSample(x, y, c) >> shift);
                    }
                }
            }
            return out;
        }
        throw new LoaderException(file + ": unsupported colour model (" + cm.getColorSpace().getType()
                + " with " + cm.getNumComponents() + " components; only RGB, gray and palette images are supported)");
    }
}
