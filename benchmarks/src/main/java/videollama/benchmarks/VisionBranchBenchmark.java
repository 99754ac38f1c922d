package videollama.benchmarks;

import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Param;
import videollama.benchmarks.stages.StepTimer;
import videollama.benchmarks.stages.VisionBench;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.model.videollama.VisionStages;
import videollama.weights.DType;

/**
 * The vision-language branch over one video ({@link VideoBranch#encoder}): {@code frames} random normalised frames
 * through the ViT, ln_vision, the image Q-Former, the frame positions, the video Q-Former and llama_proj; ms per video.
 * Checked, timed and split into stages ({@link VisionStages}) as {@link BranchBenchmark} says; the per-frame stages
 * are the ViT's and the image Q-Former's output.
 *
 * <p>Shapes ({@code -p shape=}): {@code demo}, the bundled {@code models/videollama-demo} (ViT 48 wide, 3 blocks);
 * {@code released}, the released sizes with seeded random weights ({@link SyntheticVisionBranch}: ViT-g 1408 wide,
 * 16 heads of 88, 39 blocks, MLP 6144; Q-Former 768, 12 + 2 layers; llama_proj to 4096); {@code released-N}, the same
 * with N ViT blocks, for the reference path, on which the released depth takes many minutes a video on a CPU;
 * or a name of {@link SyntheticVisionBranch#SHAPES}. Random branches are written once into
 * {@code ~/.cache/videollama/bench/vision-<shape>-<vitDtype>} (the released ViT's matrices are F16, as in
 * {@code eva_vit_g.pth}). The split extrapolates to 39 ViT blocks.
 */
public class VisionBranchBenchmark extends BranchBenchmark {
    /** Frames per video: 8 as the demo samples them (at most the frame embedding's 32 rows). */
    @Param({"8"})
    public int frames;

    /** The ViT matrices' dtype of a random branch: f16 as released, or f32, bf16 (the demo's are what it ships). */
    @Param({"f16"})
    public String vitDtype;

    @Override
    int items() {
        return frames;
    }

    @Override
    Path randomBranch(Path cacheDir) {
        DType dtype = switch (vitDtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("vitDtype must be f32, f16 or bf16, not " + vitDtype);
        };
        return VisionBench.randomBranch(cacheDir, shape, dtype, StepTimer.SILENT);
    }

    /** The per-frame stages: the ViT's and the image Q-Former's output. */
    @Override
    Branch open(Path dir) {
        VideoBranch branch = VideoBranch.open(dir);
        return new Branch(branch::close, branch.sizes().frameSize(), branch.sizes().vitWidth(), branch.vit().blocks.size(),
                VisionStages.LAYOUT, List.of("vit.out", "image_qformer.out", "video_qformer.out", "video.tokens"), 2, compute -> {
                    VisionEncoder encoder = branch.encoder(compute);
                    return new Encoder((input, items) -> stages(encoder.encode(input, items)), encoder::encode, encoder::profile,
                            encoder::close);
                });
    }

    private static List<float[]> stages(VisionOutputs out) {
        return List.of(out.vitOut(), out.imageQformerOut(), out.videoQformerOut(), out.tokens());
    }
}
