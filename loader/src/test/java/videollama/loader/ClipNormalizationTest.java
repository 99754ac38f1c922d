package videollama.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.testing.SeededRandom;

class ClipNormalizationTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @Test
    void layoutIsFrameChannelRowColumnAndValuesAreClipNormalised() {
        int count = 3;
        int h = 7;
        int w = 5;
        byte[] rgb = new byte[count * h * w * 3];
        random.nextBytes(rgb);
        float[] out = ClipNormalization.normalize(rgb, count, h, w);
        double[] mean = {0.48145466, 0.4578275, 0.40821073};
        double[] std = {0.26862954, 0.26130258, 0.27577711};
        for (int t = 0; t < count; t++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int v = rgb[((t * h + y) * w + x) * 3 + c] & 0xff;
                        double expected = (v / 255.0 - mean[c]) / std[c];
                        assertEquals(expected, out[((t * 3 + c) * h + y) * w + x], 2e-6);
                    }
                }
            }
        }
    }
}
