package videollama.benchmarks;

import java.util.List;
import videollama.model.videollama.VisionStages;

/** {@link VisionBranchBenchmark} over 2 frames of the demo (3 ViT blocks) and of {@code narrow-heads-88} (2). */
class VisionBranchBenchmarkTest extends BranchBenchmarkContract<VisionBranchBenchmark> {
    @Override
    VisionBranchBenchmark benchmark() {
        VisionBranchBenchmark b = new VisionBranchBenchmark();
        b.frames = 2;
        b.vitDtype = "f16";
        return b;
    }

    @Override
    String narrowShape() {
        return "narrow-heads-88";
    }

    @Override
    int tokenFloats() {
        return 32 * 64; // 32 soft tokens of d_model (64) floats
    }

    @Override
    int blocks(String shape) {
        return shape.equals("demo") ? 3 : 2;
    }

    @Override
    List<String> deviceStages() {
        return List.of(VisionStages.VIT_BLOCKS, VisionStages.IMAGE_QFORMER, VisionStages.VIDEO_QFORMER);
    }

    @Override
    List<String> referenceStages() {
        return List.of(VisionStages.VIT, VisionStages.QFORMERS);
    }
}
