package videollama.loader;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import videollama.testing.RepositoryFiles;

/** Where the loader's test media and golden data lie, and small helpers to compare pictures. */
public final class TestMedia {
    private TestMedia() {}

    public static Path root() {
        return RepositoryFiles.root();
    }

    /** Small media made by {@code scripts/reference/make_frame_golden.py}, committed. */
    public static Path video(String name) {
        return root().resolve("testdata/video").resolve(name);
    }

    public static Path image(String name) {
        return root().resolve("testdata/image").resolve(name);
    }

    public static Path golden(String name) {
        return root().resolve("testdata/golden/frames").resolve(name);
    }

    /**
     * One of the CC0 sample videos (MDN) kept in testdata/video (see testdata/README.md) so that the
     * tests need nothing outside the repository.
     */
    public static Path sharedVideo(String name) {
        return video(name);
    }

    /** The containers and codecs of {@code scripts/reference/make_media_golden.py}, committed. */
    public static Path media(String name) {
        return root().resolve("testdata/media").resolve(name);
    }

    /** Golden data of the FFmpeg media path: testdata/golden/media. */
    public static Path mediaGolden(String name) {
        return root().resolve("testdata/golden/media").resolve(name);
    }

    public static JsonNode json(String goldenName) {
        return readJson(golden(goldenName));
    }

    public static JsonNode readJson(Path path) {
        try {
            return new ObjectMapper().readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A golden PNG strip of {@code count} pictures of 224×224 as RGB bytes, picture after picture. */
    public static byte[] pngRgb(String goldenName) {
        return pngRgb(golden(goldenName));
    }

    public static byte[] pngRgb(Path png) {
        try {
            BufferedImage img = ImageIO.read(png.toFile());
            int w = img.getWidth();
            int h = img.getHeight();
            byte[] out = new byte[w * h * 3];
            var raster = img.getRaster();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        out[(y * w + x) * 3 + c] = (byte) raster.getSample(x, y, c);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Max and mean absolute difference of two byte pictures, in 0..255 units. */
    public record Difference(int max, double mean) {
        public static Difference of(byte[] a, int aOffset, byte[] b, int bOffset, int length) {
            long sum = 0;
            int max = 0;
            for (int i = 0; i < length; i++) {
                int d = Math.abs((a[aOffset + i] & 0xff) - (b[bOffset + i] & 0xff));
                sum += d;
                max = Math.max(max, d);
            }
            return new Difference(max, (double) sum / length);
        }

        @Override
        public String toString() {
            return String.format("max %d, mean %.4f", max, mean);
        }
    }
}
