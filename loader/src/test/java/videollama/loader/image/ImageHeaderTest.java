package videollama.loader.image;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.loader.LoaderException;

/** Images refused from their header before decoding, and truncated images refused as Pillow refuses them. */
class ImageHeaderTest {
    @TempDir
    Path dir;

    private LoaderException refused(Path file, String expected) {
        LoaderException e = assertThrows(LoaderException.class, () -> ImageLoader.readRgb(file));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        return e;
    }

    /** Pillow's limit, 2 × Image.MAX_IMAGE_PIXELS, in long arithmetic: 30000² does not overflow into a small count. */
    @Test
    void pixelLimitIsPillows() throws IOException {
        Path png = Files.write(dir.resolve("x.png"), new byte[100_000]);
        assertDoesNotThrow(() -> ImageHeader.check(png, "png", 13377, 13377)); // 178,944,129: under the limit
        for (int[] wh : new int[][] {{13378, 13378}, {30000, 30000}, {65535, 65535}, {Integer.MAX_VALUE, 2}}) {
            LoaderException e = assertThrows(LoaderException.class, () -> ImageHeader.check(png, "png", wh[0], wh[1]));
            assertTrue(e.getMessage().contains((long) wh[0] * wh[1] + " pixels, above the 178956970 Pillow opens"),
                    e.getMessage());
        }
    }

    /** A file too small for its pixels: deflate's 1032:1 for PNG, a bit a 32×32 square for JPEG. */
    @Test
    void fileTooSmallForItsPixels() throws IOException {
        byte[] ihdr = ByteBuffer.allocate(26).put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})
                .putInt(13).put("IHDR".getBytes()).putInt(13000).putInt(13000).put((byte) 8).put((byte) 0).array();
        Path png = Files.write(dir.resolve("claims.png"), Arrays.copyOf(ihdr, 69));
        LoaderException e = assertThrows(LoaderException.class, () -> ImageHeader.check(png, "png", 13000, 13000));
        assertTrue(e.getMessage().contains("image file is truncated (69 bytes cannot hold the 13000×13000 pixels"), e.getMessage());
        // 13000 rows of a filter byte and 13000 grey bytes, / 1032
        assertTrue(e.getMessage().contains("at least " + 13000L * 13001 / 1032 + ")"), e.getMessage());
        Path jpeg = Files.write(dir.resolve("claims.jpg"), new byte[20_000]);
        assertThrows(LoaderException.class, () -> ImageHeader.check(jpeg, "JPEG", 13000, 13000)); // needs 20,706
        assertDoesNotThrow(() -> ImageHeader.check(jpeg, "JPEG", 12000, 12000)); // needs 17,578
    }

    /** A JPEG cut anywhere after its header, even just before its EOI marker, as Pillow ("image file is truncated"). */
    @Test
    void truncatedJpeg() throws IOException {
        BufferedImage img = new BufferedImage(320, 240, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(12);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                img.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "jpeg", out);
        byte[] whole = out.toByteArray();
        Path ok = Files.write(dir.resolve("whole.jpg"), whole);
        assertDoesNotThrow(() -> ImageLoader.readRgb(ok));
        for (int keep : new int[] {whole.length / 2, whole.length - 2}) {
            Path cut = Files.write(dir.resolve("cut" + keep + ".jpg"), Arrays.copyOf(whole, keep));
            refused(cut, "image file is truncated");
        }
    }
}
