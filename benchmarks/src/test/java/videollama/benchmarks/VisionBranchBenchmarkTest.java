package videollama.benchmarks;

import java.util.List;
import java.util.Map;
import videollama.model.videollama.VisionStages;

/** {@link VisionBranchBenchmark} over 2 frames of the demo (3 ViT blocks) and of {@code narrow-heads-88} (2). */
class VisionBranchBenchmarkTest extends BranchBenchmarkContract<VisionBranchBenchmark> {
    VisionBranchBenchmarkTest() {
        super(new Case<>(() -> {
            VisionBranchBenchmark b = new VisionBranchBenchmark();
            b.frames = 2;
            b.vitDtype = "f16";
            return b;
        }, "narrow-heads-88", 32 * 64, Map.of("demo", 3, "narrow-heads-88", 2),
                List.of(VisionStages.VIT_BLOCKS, VisionStages.IMAGE_QFORMER, VisionStages.VIDEO_QFORMER),
                List.of(VisionStages.VIT, VisionStages.QFORMERS)));
    }
}
