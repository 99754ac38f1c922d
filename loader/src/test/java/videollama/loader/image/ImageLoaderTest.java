package videollama.loader.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.loader.LoaderException;
import videollama.loader.SampledFrames;
import videollama.loader.TestMedia;
import videollama.loader.TestMedia.Difference;
import videollama.testing.SeededRandom;

/**
 * Images against Pillow 12.3 ({@code Image.open(p).convert('RGB').resize((224, 224), Image.BICUBIC)}):
 * PNG inputs decode identically, so the resize must match exactly; JPEG inputs go through two different
 * libjpeg builds (javax.imageio vs Pillow's libjpeg-turbo) and may differ by a level.
 */
class ImageLoaderTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    static Stream<JsonNode> images() {
        Stream.Builder<JsonNode> b = Stream.builder();
        TestMedia.json("expected.json").get("images").forEach(b);
        return b.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("images")
    void resizeMatchesPillow(JsonNode c) {
        String name = c.get("file").asText();
        SampledFrames frames = ImageLoader.load(TestMedia.image(name));
        assertEquals(1, frames.count());
        assertArrayEquals(new int[] {0}, frames.indices());
        assertEquals("", frames.timestampSentence());
        byte[] expected = TestMedia.pngRgb(c.get("png").asText());
        Difference d = Difference.of(frames.rgb(), 0, expected, 0, expected.length);
        System.out.println(name + ": " + d);
        if (name.endsWith(".png")) {
            assertEquals(0, d.max(), name + ": " + d);
        } else {
            assertTrue(d.max() <= 1, name + ": " + d);
        }
    }

    @Test
    void resizeEqualsPillowFormulaOnRandomPixels() {
        // Identity and the separable structure: a constant image stays constant in both directions.
        int w = 5 + random.nextInt(400);
        int h = 5 + random.nextInt(400);
        byte[] flat = new byte[w * h * 3];
        int value = random.nextInt(256);
        java.util.Arrays.fill(flat, (byte) value);
        byte[] out = PilResize.bicubic(flat, w, h, 224, 224);
        for (byte v : out) {
            assertEquals(value, v & 0xff, w + "x" + h);
        }
        byte[] same = new byte[224 * 224 * 3];
        random.nextBytes(same);
        assertArrayEquals(same, PilResize.bicubic(same, 224, 224, 224, 224));
    }

    @Test
    void notAnImageIsAnError(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("notes.jpg");
        Files.writeString(text, "this is not a picture\n");
        LoaderException e = assertThrows(LoaderException.class, () -> ImageLoader.load(text));
        assertTrue(e.getMessage().startsWith(text.toString()) && e.getMessage().contains("not an image"), e.getMessage());
    }

    @Test
    void truncatedPngIsAnError(@TempDir Path dir) throws Exception {
        byte[] png = Files.readAllBytes(TestMedia.image("alpha.png"));
        Path cut = dir.resolve("cut.png");
        Files.write(cut, java.util.Arrays.copyOf(png, png.length / 2));
        LoaderException e = assertThrows(LoaderException.class, () -> ImageLoader.load(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }

    @Test
    void missingFileIsAnError(@TempDir Path dir) {
        Path missing = dir.resolve("missing.png");
        LoaderException e = assertThrows(LoaderException.class, () -> ImageLoader.load(missing));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
    }
}
