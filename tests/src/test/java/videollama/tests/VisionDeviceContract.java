package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.Profile;
import videollama.kernels.reference.ReferenceBackend;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;

/**
 * The vision-language branch as task graphs on a device backend against the reference path and the PyTorch golden
 * data: every stage of the golden cases within 1e-5 relative of the reference (float32 arithmetic on the device,
 * F16/BF16 weights widened exactly as the reference widens them; measured up to 3e-6 on OpenCL;
 * 1e-2 where CUDA rounds activations to 16-bit weights' type, see {@link Tolerance#of}), the graph replayed for new
 * frames and rebuilt for another frame count.
 */
abstract class VisionDeviceContract extends DeviceContract {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static final double DEVICE_TOLERANCE = 1e-5;
    /**
     * Fresh N(0, 1) frames: the summation-order differences of every GEMM and norm accumulate through 2 ViT
     * blocks and 4 + 2 Q-Former layers with peaked attention; measured up to 5.5e-6 over 20 draws, so twice the
     * op tolerance keeps a rare draw from failing.
     */
    private static final double RANDOM_FRAMES_TOLERANCE = 2e-5;

    /** The golden cases this backend runs: all of them unless a subclass narrows the list. */
    Stream<GoldenCase> cases() throws Exception {
        return VisionGoldenTest.cases();
    }

    private static void assertStagesClose(VisionOutputs device, VisionOutputs reference, double tolerance, String what) {
        assertEquals(reference.frames(), device.frames());
        Tolerance.assertStagesClose(device.dumpTensors(), Tolerance.byName(reference.dumpTensors()), tolerance, what);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStageMatchesTheReferenceAndPyTorch(GoldenCase c) {
        int[] t = new int[1];
        float[] frames = c.input("frames", t);
        try (VideoBranch branch = VideoBranch.open(c.dir());
             ReferenceBackend reference = new ReferenceBackend();
             VisionEncoder referenceEncoder = branch.encoder(reference);
             VisionEncoder device = branch.encoder(backend);
             SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            boolean sixteenBit = Tolerance.sixteenBitWeights(c.dir().resolve("model.safetensors"), name -> true);
            double golden = Tolerance.of(backend, sixteenBit, VisionGoldenTest.TOLERANCE);
            String what = c + " " + backend.name();
            List<String> progress = new ArrayList<>();
            VisionOutputs out = device.encode(frames, t[0], progress::add);
            assertStagesClose(out, referenceEncoder.encode(frames, t[0]), Tolerance.of(backend, sixteenBit, DEVICE_TOLERANCE),
                    what + " vs reference");
            Tolerance.assertStagesClose(out.dumpTensors(), expected::get, golden, what);
            assertTrue(progress.getLast().startsWith("vision: ViT + Q-Formers over " + t[0]), progress.toString());
        }
    }

    /** Fresh frames through the same built graph, then another frame count, then the first again. */
    @Test
    void theGraphIsReplayedForNewFramesAndRebuiltForAnotherCount() {
        GoldenCase c = GoldenCase.named("vision", "video-t3");
        try (VideoBranch branch = VideoBranch.open(c.dir());
             ReferenceBackend reference = new ReferenceBackend();
             VisionEncoder referenceEncoder = branch.encoder(reference);
             VisionEncoder device = branch.encoder(backend)) {
            Profile profile = new Profile();
            device.profile(profile);
            for (int t : new int[] {2, 2, 5, 2}) {
                float[] frames = new float[t * branch.sizes().frameSize()];
                for (int i = 0; i < frames.length; i++) {
                    frames[i] = (float) random.nextGaussian();
                }
                assertStagesClose(device.encode(frames, t), referenceEncoder.encode(frames, t), RANDOM_FRAMES_TOLERANCE,
                        t + " random frames");
            }
            assertEquals(4, profile.replays());
            String table = profile.table(0);
            assertTrue(table.contains("vit qkv") && table.contains("Qformer cross attention") && table.contains("llama_proj"), table);
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
             ReferenceBackend reference = new ReferenceBackend();
             VisionEncoder referenceEncoder = branch.encoder(reference);
             VisionEncoder device = branch.encoder(backend)) {
            assertEquals(88, branch.sizes().vitWidth() / branch.config().vision().heads());
            int t = 8;
            float[] frames = new float[t * branch.sizes().frameSize()];
            for (int i = 0; i < frames.length; i++) {
                frames[i] = (float) random.nextGaussian();
            }
            VisionOutputs out = device.encode(frames, t);
            assertEquals(32 * 64, out.tokens().length);
            assertStagesClose(out, referenceEncoder.encode(frames, t), Tolerance.of(backend, true, RANDOM_FRAMES_TOLERANCE),
                    "narrow-heads-88");
        }
    }
}
