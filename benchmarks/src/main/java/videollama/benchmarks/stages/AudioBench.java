package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import videollama.kernels.Backend;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioStages;
import videollama.model.videollama.SyntheticAudioBranch;

/**
 * {@code videollama bench --stage audio}: the audio-language branch over one sound track of {@code clips} random
 * normalised fbank clips, as chat runs it (ImageBind's audio encoder, clip positions, audio Q-Former,
 * audio_llama_proj; not the fbank itself), timed as medians after warm-up, split into stages ({@link AudioStages}),
 * and for an ImageBind of fewer blocks than released extrapolated to 12 blocks ({@link BranchBench}). The options
 * are those of {@code videollama bench}.
 *
 * @param shape     {@code demo} (the bundled Video-LLaMA demo) or a {@link SyntheticAudioBranch#parse} name
 * @param cacheDir  where random branches are written once
 * @param bandwidth the device's GB/s for the per-kernel table (0: leave out)
 */
public record AudioBench(String shape, int clips, int warmup, int runs, Path cacheDir, boolean profile, double bandwidth) implements BranchStage<AudioBranch> {

    @Override
    public Path modelDir(Path demo, StepTimer steps) {
        return shape.equals("demo") ? demo : randomBranch(cacheDir, shape, steps);
    }

    /** A random branch of the synthetic {@code shape} in {@code cacheDir/audio-<shape>}, written there once. */
    public static Path randomBranch(Path cacheDir, String shape, StepTimer steps) {
        SyntheticAudioBranch.Shape s = SyntheticAudioBranch.parse(shape);
        Path dir = cacheDir.resolve("audio-" + s.name());
        return steps.time("writing a random " + s.name() + " audio branch to " + dir + " (once)",
                () -> SyntheticAudioBranch.write(dir, s), p -> "ready");
    }

    @Override
    public BenchReport run(AudioBranch branch, Backend compute, PrintWriter out, StepTimer steps, String command) {
        // N(0, 1): wider than a normalised log-mel fbank (about -1 .. 1); what the stages cost does not depend on it
        return BranchBench.timeAndReport("audio", branch.encoder(compute), AudioStages.LAYOUT, branch.sizes().clipSize(), clips,
                branch.imageBind().blocks.size(), compute, new BranchBench.Options(shape, warmup, runs, profile, bandwidth),
                steps, branch.sizes().queries() + " soft tokens", out, header(branch, compute), command);
    }

    private String header(AudioBranch branch, Backend compute) {
        var s = branch.sizes();
        int blocks = branch.imageBind().blocks.size();
        return String.format(Locale.ROOT, "audio stage: shape %s (ImageBind %d wide, %d block%s, heads of %d, %d tokens a clip,"
                        + " embeddings %d wide; Q-Former %d layers, %d wide, %d queries; tokens %d wide), %d clips, %d timed runs after"
                        + " %d warm-up, backend %s (%s)",
                shape, s.encoderWidth(), blocks, blocks == 1 ? "" : "s", s.encoderWidth() / branch.config().audioEncoder().heads(),
                s.encoderTokens(), s.embedWidth(), branch.qformer().layers.size(), s.qformerWidth(), s.queries(), s.dModel(), clips, runs,
                warmup, compute.name(), compute.device());
    }
}
