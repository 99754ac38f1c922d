package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import videollama.model.videollama.QueryAttention;
import videollama.model.videollama.VideoBranch;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * The lab view's attention weights ({@link QueryAttention}) against Hugging Face's {@code Blip2QFormerModel} run with
 * {@code output_attentions=True} on the same weights and ViT output ({@code scripts/reference/make_attention_golden.py}
 * made the data from the vision golden case {@code video-t3}: 3 frames, 8 image and 6 video queries, 2 heads): the
 * image and video Q-Formers' cross-attention, averaged over heads and layers, within the vision branch's bound
 * ({@link VisionGoldenTest#TOLERANCE}); and a patch map is the chain of the two.
 */
class QueryAttentionGoldenTest {

    @Test
    void crossAttentionWeightsMatchTransformers() {
        Path dir = TestFiles.golden("vision/video-t3");
        try (VideoBranch branch = VideoBranch.open(dir);
             SafetensorsFile expected = SafetensorsFile.open(dir.resolve("expected.safetensors"));
             SafetensorsFile attention = SafetensorsFile.open(dir.resolve("attention.safetensors"))) {
            QueryAttention a = QueryAttention.of(branch, expected.get("vit.out").toFloatArray(), 3);
            VisionGoldenTest.assertClose(a.imageOverTokens(), attention.get("image_qformer.cross_attention"),
                    "image Q-Former cross-attention");
            VisionGoldenTest.assertClose(a.videoOverImage(), attention.get("video_qformer.cross_attention"),
                    "video Q-Former cross-attention");
            VisionGoldenTest.assertClose(a.videoQformerOut(), expected.get("video_qformer.out"), "video_qformer.out");
            System.err.printf("query attention: relative error image %.2g, video %.2g%n",
                    relativeError(a.imageOverTokens(), attention.get("image_qformer.cross_attention")),
                    relativeError(a.videoOverImage(), attention.get("video_qformer.cross_attention")));

            // the map of video query 5 on frame 2, chained from transformers' weights
            float[] image = attention.get("image_qformer.cross_attention").toFloatArray();
            float[] video = attention.get("video_qformer.cross_attention").toFloatArray();
            float[] map = a.patches(5, 2);
            assertEquals(256, map.length);
            for (int p = 0; p < 256; p += 17) {
                double chained = 0;
                for (int i = 0; i < 8; i++) {
                    chained += video[5 * 24 + 2 * 8 + i] * image[(2 * 8 + i) * 257 + 1 + p];
                }
                assertEquals(chained, map[p], 1e-6, "patch " + p);
            }
        }
    }

    private static double relativeError(float[] actual, Tensor expected) {
        return Tolerance.relativeError(actual, 0, expected.toFloatArray(), 0, actual.length);
    }
}
