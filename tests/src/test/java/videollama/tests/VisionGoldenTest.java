package videollama.tests;

import videollama.kernels.reference.LayerNorm;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * The reference vision-language branch against Hugging Face's BLIP-2 modules in float32 on the same weights
 * ({@code scripts/reference/make_vision_golden.py} made the data): every stage within 1e-5 relative (the project's
 * float32 bound is 1e-4; measured at most 2.5e-6 here, 2.7e-6 on PoCL and the CUDA emulator), for a three-frame
 * video with float32 weights and a one-frame image with F16 ViT weights, odd head widths and a BF16 llama_proj.
 */
class VisionGoldenTest extends BranchGoldenTest<VisionOutputs, VideoBranch> {
    VisionGoldenTest() {
        super("vision", VideoBranch::open, "frames", "vision: frame ");
    }

    /** ln_vision, which the encoder applies but does not dump, over the ViT's output. */
    @Override
    void assertLaterStages(GoldenCase c, VideoBranch branch, VisionOutputs out) {
        try (SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            assertClose(lnVision(branch, out.vitOut(), out.frames()), expected.get("ln_vision.out"), c + " ln_vision.out");
        }
    }

    /** ln_vision over the ViT's output, with the branch's weights and eps, as the encoder applies it. */
    private static float[] lnVision(VideoBranch branch, float[] vitOut, int t) {
        float[] out = new float[vitOut.length];
        LayerNorm.layerNorm(out, vitOut, branch.lnVisionWeight().toFloatArray(), branch.lnVisionBias().toFloatArray(),
                t * branch.sizes().vitTokens(), branch.config().lnVisionEps());
        return out;
    }

    static void assertClose(float[] actual, Tensor expected, String what) {
        Tolerance.assertClose(actual, expected.toFloatArray(), TOLERANCE, what);
    }
}
