package videollama.loader.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import videollama.loader.LoaderException;

/**
 * What an image's header promises, checked before anything as large as the picture is allocated: the pixel count
 * against Pillow's decompression-bomb limit, and for PNG, JPEG, GIF, BMP and WBMP the file's size against the least a
 * file of that many pixels can take (a 69-byte PNG claiming 13000² pixels would otherwise make a 500 MB buffer to fill with
 * nothing). The dimensions come from the format's reader ({@code ImageReader.getWidth/getHeight}: PNG's IHDR, the
 * JPEG frame header, BMP's, GIF's image descriptor), which reads only the header.
 */
final class ImageHeader {
    /**
     * Pillow's {@code Image.open} raises {@code DecompressionBombError} above twice {@code Image.MAX_IMAGE_PIXELS}
     * ({@code 2 × 89,478,485}); between the two it only warns, so images up to this many pixels are read as the
     * reference reads them.
     */
    static final long MAX_PIXELS = 2L * 89_478_485;
    /** zlib's largest compression ratio (deflate's longest match, 258 bytes, coded in at least 2 bits). */
    private static final long DEFLATE_MAX_RATIO = 1032;

    private ImageHeader() {}

    /**
     * @throws LoaderException naming the file when the image has more pixels than Pillow opens, or when the file is
     *                         too small to hold the pixels its header claims
     */
    static void check(Path file, String format, int width, int height) throws IOException {
        long pixels = (long) width * height;
        if (width <= 0 || height <= 0) {
            throw new LoaderException(file + ": corrupt image header (" + width + "×" + height + " pixels)");
        }
        if (pixels > MAX_PIXELS) {
            throw new LoaderException(file + ": " + width + "×" + height + " = " + pixels + " pixels, above the "
                    + MAX_PIXELS + " Pillow opens (a decompression bomb, or an image too large to use)");
        }
        long size = Files.size(file);
        long least = switch (format.toLowerCase(Locale.ROOT)) {
            case "png" -> pngRawBytes(file, width, height) / DEFLATE_MAX_RATIO;
            // ITU-T T.81 F.1.2.1, G.1.2.1: each block's DC difference of the first scan is a Huffman code of at least
            // one bit, and a component has at least ceil(w/32)·ceil(h/32) blocks (sampling factors of at most 4).
            case "jpeg", "jpg" -> ceilDiv(width, 32) * ceilDiv(height, 32) / 8;
            // An LZW code stands for at most 4096 pixels (the table's size) and takes at least 3 bits (minimum code
            // size 2; 2 bits are assumed, for readers that take a code size of 1).
            case "gif" -> pixels * 2 / (4096 * 8);
            case "bmp" -> bmpLeastBytes(file, width, height);
            case "wbmp" -> height * ceilDiv(width, 8);
            default -> 0;
        };
        if (size < least) {
            throw new LoaderException(file + ": image file is truncated (" + size + " bytes cannot hold the " + width
                    + "×" + height + " pixels its header claims; at least " + least + ")");
        }
    }

    /**
     * The bytes a non-interlaced PNG's filtered scanlines take (ISO/IEC 15948 7.2: a filter byte and
     * {@code ceil(w·bits/8)} a row), from IHDR's bit depth and colour type; interlacing only adds to it.
     */
    private static long pngRawBytes(Path file, int width, int height) throws IOException {
        byte[] head = new byte[26];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, head.length) < head.length) {
                return 0;
            }
        }
        int bitDepth = head[24] & 0xff;
        int channels = switch (head[25]) {
            case 2 -> 3; // truecolour
            case 4 -> 2; // grey with alpha
            case 6 -> 4; // truecolour with alpha
            default -> 1; // grey, palette
        };
        return height * (1 + ceilDiv((long) width * bitDepth * channels, 8));
    }

    /**
     * Uncompressed BMP rows are padded to 4 bytes (BI_RGB, BI_BITFIELDS); run-length coded ones (BI_RLE8, BI_RLE4)
     * can skip up to 255×255 pixels with a 4-byte delta escape. Other codings (embedded JPEG or PNG) are left to their
     * reader.
     */
    private static long bmpLeastBytes(Path file, int width, int height) throws IOException {
        byte[] head = new byte[34];
        try (InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, head.length) < head.length || (head[14] & 0xff) < 40) {
                return 0; // an OS/2 header: no compression field
            }
        }
        int bits = (head[28] & 0xff) | (head[29] & 0xff) << 8;
        int compression = (head[30] & 0xff) | (head[31] & 0xff) << 8;
        return switch (compression) {
            case 0, 3 -> (long) height * ceilDiv((long) width * bits, 32) * 4;
            case 1, 2 -> (long) width * height * 4 / (255 * 255);
            default -> 0;
        };
    }

    /** Whether a reader's warning says the data ended early (the JPEG reader's "Truncated File - Missing EOI marker", libjpeg's "Premature end of JPEG file", "premature end of data segment"). */
    static boolean saysTruncated(String warning) {
        String w = warning.toLowerCase(Locale.ROOT);
        return w.contains("truncated") || w.contains("premature end");
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
