package videollama.loader.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import videollama.loader.LoaderException;
import videollama.loader.SampledFrames;

/**
 * A still image (JPEG, PNG, or anything else {@code javax.imageio} reads) to the one frame the model sees
 * (the reference's {@code Blip2ImageEvalProcessor}): PIL's {@code convert('RGB')}, {@code Resize((224, 224), BICUBIC)} as Pillow does it
 * ({@link PilResize}), CLIP normalisation.
 */
public final class ImageLoader {
    private ImageLoader() {}

    /**
     * @throws LoaderException naming the file: missing, not an image, more pixels than Pillow opens, truncated,
     *                         corrupt, or a colour model without an RGB reading (CMYK)
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
        BufferedImage img = decode(image);
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] rgb = toRgb(image, img);
        return PilResize.bicubic(rgb, w, h, SampledFrames.SIZE, SampledFrames.SIZE);
    }

    /**
     * The image decoded, once its header has been read and its size checked ({@link ImageHeader}): nothing as large as
     * the picture is allocated before that. A JPEG whose data ends early is refused as Pillow refuses it ("image file
     * is truncated"); {@code javax.imageio} would fill the rest with grey and only warn.
     */
    private static BufferedImage decode(Path image) {
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
            if (readers == null || !readers.hasNext()) {
                throw new LoaderException(image + ": not an image (no reader recognises it; JPEG and PNG are supported)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                ImageHeader.check(image, reader.getFormatName(), reader.getWidth(0), reader.getHeight(0));
                List<String> truncation = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> {
                    if (ImageHeader.saysTruncated(warning)) {
                        truncation.add(warning);
                    }
                });
                BufferedImage img = reader.read(0);
                if (!truncation.isEmpty()) {
                    throw new LoaderException(image + ": image file is truncated (" + truncation.getFirst() + ")");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (LoaderException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new LoaderException(image + ": corrupt image (" + describe(e) + ")", e);
        }
    }

    /** The exception's message and its cause's ("Error reading PNG image data: Unexpected end of ZLIB input stream"). */
    private static String describe(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable cause = e.getCause();
        return cause == null || cause.getMessage() == null ? message : message + ": " + cause.getMessage();
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
        byte[] out = new byte[Math.toIntExact(3L * w * h)]; // below ImageHeader.MAX_PIXELS: at most 537 MB
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
