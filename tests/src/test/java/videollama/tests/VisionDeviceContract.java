package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.DType;

/**
 * The vision-language branch as task graphs on a device backend against the reference path and the PyTorch golden
 * data: every stage of the golden cases within 1e-5 relative of the reference (float32 arithmetic on the device,
 * F16/BF16 weights widened exactly as the reference widens them; measured up to 3e-6 on OpenCL;
 * 1e-2 where CUDA rounds activations to 16-bit weights' type, see {@link Tolerance#of}), the graph replayed for new
 * frames and rebuilt for another frame count.
 */
abstract class VisionDeviceContract extends BranchDeviceContract {
    VisionDeviceContract() {
        super("vision");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStageMatchesTheReferenceAndPyTorch(GoldenCase c) {
        boolean sixteenBit = Tolerance.sixteenBitWeights(c.dir().resolve("model.safetensors"), name -> true);
        try (VideoBranch branch = VideoBranch.open(c.dir())) {
            assertGoldenCase(c, "frames", branch, Tolerance.of(backend, sixteenBit, DEVICE_TOLERANCE),
                    Tolerance.of(backend, sixteenBit, VisionGoldenTest.TOLERANCE), "vision: ViT + Q-Formers over ");
        }
    }

    /** Fresh frames through the same built graph, then another frame count, then the first again. */
    @Test
    void theGraphIsReplayedForNewFramesAndRebuiltForAnotherCount() {
        try (VideoBranch branch = VideoBranch.open(GoldenCase.named("vision", "video-t3").dir())) {
            assertReplays(branch, new int[] {2, 2, 5, 2}, branch.sizes().frameSize(), random::nextGaussian,
                    "frames", "vit qkv", "Qformer cross attention", "llama_proj");
        }
    }

    /**
     * The released head widths and counts at a small width: ViT heads of 88 over 257 tokens, 32 image and 32 video
     * queries, 8 frames (256 keys for the video Q-Former), F16 ViT weights.
     */
    @Test
    void releasedHeadWidthsAndQueryCountsOverEightFrames(@TempDir Path dir) {
        SyntheticVisionBranch.Shape shape = SyntheticVisionBranch.shape("narrow-heads-88");
        SyntheticVisionBranch.write(dir, shape, DType.F16);
        try (VideoBranch branch = VideoBranch.open(dir);
             Encoders<VisionEncoder> encoders = Encoders.of(branch, backend)) {
            assertEquals(88, branch.sizes().vitWidth() / branch.config().vision().heads());
            int t = 8;
            float[] frames = randomInput(t * branch.sizes().frameSize(), random::nextGaussian);
            VisionOutputs out = encoders.device().encode(frames, t);
            assertEquals(32 * 64, out.tokens().length);
            assertStagesClose(out, encoders.reference().encode(frames, t), Tolerance.of(backend, true, RANDOM_INPUT_TOLERANCE),
                    "narrow-heads-88");
        }
    }
}
