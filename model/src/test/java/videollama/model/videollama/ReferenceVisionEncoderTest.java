package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.reference.ReferenceBackend;
import videollama.testing.SeededRandom;

/**
 * Structure of the reference path on the tiny golden model with fresh random frames: frames go through the ViT
 * and the image Q-Former independently (a frame gives the same numbers alone or inside a video), and only the
 * frame position embedding and the video Q-Former see their order.
 */
class ReferenceVisionEncoderTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static Path golden() {
        return Path.of(System.getProperty("videollama.root"), "testdata", "golden", "vision", "video-t3");
    }

    @Test
    void framesAreEncodedIndependentlyUntilTheFramePositions() {
        try (VideoBranch branch = VideoBranch.open(golden());
             ReferenceBackend reference = new ReferenceBackend();
             VisionEncoder encoder = branch.encoder(reference)) {
            VisionSizes s = branch.sizes();
            int frame = s.frameSize();
            float[] a = new float[frame];
            float[] b = new float[frame];
            for (int i = 0; i < frame; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            float[] ab = concat(a, b);
            float[] ba = concat(b, a);
            List<String> progress = new ArrayList<>();
            VisionOutputs video = encoder.encode(ab, 2, progress::add);
            VisionOutputs alone = encoder.encode(b, 1);
            VisionOutputs swapped = encoder.encode(ba, 2);
            assertEquals(List.of("vision: frame 1/2", "vision: frame 2/2", "vision: Q-Formers"), progress);

            int vit = s.vitTokens() * s.vitWidth();
            int queries = s.imageQueries() * s.imageWidth();
            assertArrayEquals(alone.vitOut(), Arrays.copyOfRange(video.vitOut(), vit, 2 * vit));
            assertArrayEquals(alone.imageQformerOut(), Arrays.copyOfRange(video.imageQformerOut(), queries, 2 * queries));
            assertArrayEquals(Arrays.copyOfRange(video.imageQformerOut(), 0, queries),
                    Arrays.copyOfRange(swapped.imageQformerOut(), queries, 2 * queries));
            // the frame positions make the order matter to the video Q-Former (its attention alone would not care
            // beyond rounding)
            assertTrue(relativeDifference(video.videoQformerOut(), swapped.videoQformerOut()) > 1e-2);
            assertEquals(s.videoQueries() * s.dModel(), video.tokens().length);
        }
    }

    private static double relativeDifference(float[] x, float[] y) {
        double diff = 0;
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - y[i]));
            max = Math.max(max, Math.abs(y[i]));
        }
        return diff / max;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
