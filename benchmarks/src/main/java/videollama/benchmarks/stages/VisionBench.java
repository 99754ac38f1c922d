package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import videollama.kernels.Backend;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionStages;
import videollama.weights.DType;

/**
 * {@code videollama bench --stage vision}: the vision-language branch over one video of {@code frames} random
 * normalised frames, as chat runs it (ViT, ln_vision, image Q-Former, frame positions, video Q-Former, llama_proj),
 * timed as medians after warm-up, split into stages ({@link VisionStages}), and for a ViT of fewer blocks than
 * released extrapolated to 39 blocks ({@link BranchBench}). The options are those of
 * {@code videollama bench}.
 *
 * @param shape     {@code demo} (the bundled Video-LLaMA demo) or a {@link SyntheticVisionBranch#parse} name
 * @param vitDType  the ViT matrices' dtype of a random branch
 * @param cacheDir  where random branches are written once
 * @param bandwidth the device's GB/s for the per-kernel table (0: leave out)
 */
public record VisionBench(String shape, int frames, int warmup, int runs, DType vitDType, Path cacheDir, boolean profile, double bandwidth) implements BranchStage<VideoBranch> {

    @Override
    public Path modelDir(Path demo, StepTimer steps) {
        return shape.equals("demo") ? demo : randomBranch(cacheDir, shape, vitDType, steps);
    }

    /** A random branch of the synthetic {@code shape} in {@code cacheDir/vision-<shape>-<vitDType>}, written there once. */
    public static Path randomBranch(Path cacheDir, String shape, DType vitDType, StepTimer steps) {
        SyntheticVisionBranch.Shape s = SyntheticVisionBranch.parse(shape);
        Path dir = cacheDir.resolve("vision-" + s.name() + "-" + vitDType.name().toLowerCase(Locale.ROOT));
        return steps.time("writing a random " + s.name() + " vision branch (ViT " + vitDType + ") to " + dir + " (once)",
                () -> SyntheticVisionBranch.write(dir, s, vitDType), p -> "ready");
    }

    @Override
    public BenchReport run(VideoBranch branch, Backend compute, PrintWriter out, StepTimer steps, String command) {
        // N(0, 1): about the spread of CLIP-normalised pixels; what the stages cost does not depend on them
        return BranchBench.timeAndReport("vision", branch.encoder(compute), VisionStages.LAYOUT, branch.sizes().frameSize(), frames,
                branch.vit().blocks.size(), compute, new BranchBench.Options(shape, warmup, runs, profile, bandwidth),
                steps, branch.sizes().videoQueries() + " soft tokens", out, header(branch, compute), command);
    }

    private String header(VideoBranch branch, Backend compute) {
        var s = branch.sizes();
        int blocks = branch.vit().blocks.size();
        return String.format(Locale.ROOT, "vision stage: shape %s (ViT %d wide, %d block%s, heads of %d; Q-Formers %d + %d layers, %d wide;"
                        + " tokens %d wide), %d frames, %d timed runs after %d warm-up, backend %s (%s)",
                shape, s.vitWidth(), blocks, blocks == 1 ? "" : "s", s.vitWidth() / branch.config().vision().heads(),
                branch.imageQFormer().layers.size(), branch.videoQFormer().layers.size(), s.imageWidth(), s.dModel(), frames, runs, warmup,
                compute.name(), compute.device());
    }
}
