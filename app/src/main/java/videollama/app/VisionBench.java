package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionStageTimes;
import videollama.weights.DType;

/**
 * {@code videollama bench --stage vision}: the vision-language branch over one video of {@code frames} random
 * normalised frames, as chat runs it (ViT, ln_vision, image Q-Former, frame positions, video Q-Former, llama_proj),
 * timed as medians after warm-up, split into stages ({@link VisionStageTimes}), and for a ViT of fewer blocks than
 * released extrapolated to 39 blocks. The options are {@link BenchCommand}'s.
 *
 * @param shape     {@code demo} (the bundled Video-LLaMA demo) or a {@link SyntheticVisionBranch#parse} name
 * @param vitDType  the ViT matrices' dtype of a random branch
 * @param cacheDir  where random branches are written once
 * @param bandwidth the device's GB/s for the per-kernel table (0: leave out)
 */
record VisionBench(String shape, int frames, int warmup, int runs, DType vitDType, Path cacheDir, boolean profile, double bandwidth) {

    /** The bundled demo, or a random branch of the shape written into the cache folder (once). */
    Path modelDir(Progress progress) {
        if (shape.equals("demo")) {
            return CommonOptions.bundledVideoLlama();
        }
        SyntheticVisionBranch.Shape s = SyntheticVisionBranch.parse(shape);
        Path dir = cacheDir.resolve("vision-" + s.name() + "-" + vitDType.name().toLowerCase(Locale.ROOT));
        return progress.time("writing a random " + s.name() + " vision branch (ViT " + vitDType + ") to " + dir + " (once)",
                () -> SyntheticVisionBranch.write(dir, s, vitDType), p -> "ready");
    }

    void run(VideoBranch branch, Backend compute, PrintWriter out, Progress progress) {
        int blocks = branch.vit().blocks.size();
        float[] pixels = new float[Math.multiplyExact(frames, branch.sizes().frameSize())];
        SplittableRandom random = new SplittableRandom(frames);
        for (int i = 0; i < pixels.length; i++) {
            // N(0, 1): about the spread of CLIP-normalised pixels; what the stages cost does not depend on them
            pixels[i] = (float) (Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble()));
        }
        try (VisionEncoder encoder = branch.encoder(compute)) {
            boolean device = compute instanceof DeviceBackend;
            progress.time("first encode" + (device ? " (uploads the weights, builds the graph)" : ""),
                    () -> encoder.encode(pixels, frames), v -> v.sizes().videoQueries() + " soft tokens");
            for (int i = 0; i < warmup; i++) {
                encoder.encode(pixels, frames);
            }
            long[] nanos = new long[runs];
            VisionStageTimes.ReferenceClock clock = new VisionStageTimes.ReferenceClock();
            for (int i = 0; i < runs; i++) {
                clock.start();
                long t0 = System.nanoTime();
                encoder.encode(pixels, frames, clock);
                nanos[i] = System.nanoTime() - t0;
                clock.stop();
            }
            Profile kernels = null;
            VisionStageTimes split;
            if (device) { // one more encode with every kernel timed
                kernels = new Profile();
                encoder.profile(kernels);
                encoder.encode(pixels, frames);
                encoder.profile(null);
                split = VisionStageTimes.ofProfile(kernels, blocks);
            } else {
                split = clock.times(blocks);
            }
            report(out, branch, compute, nanos, split);
            if (profile) {
                out.println();
                out.print(kernels == null ? "no kernels to profile on the reference backend\n" : kernels.table(bandwidth));
            }
        }
    }

    private void report(PrintWriter out, VideoBranch branch, Backend compute, long[] nanos, VisionStageTimes split) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        var s = branch.sizes();
        int blocks = branch.vit().blocks.size();
        out.println(String.format(Locale.ROOT, "vision stage: shape %s (ViT %d wide, %d block%s, heads of %d; Q-Formers %d + %d layers, %d wide;"
                        + " tokens %d wide), %d frames, %d timed runs after %d warm-up, backend %s (%s)",
                shape, s.vitWidth(), blocks, blocks == 1 ? "" : "s", s.vitWidth() / branch.config().vision().heads(),
                branch.imageQFormer().layers.size(), branch.videoQFormer().layers.size(), s.imageWidth(), s.dModel(), frames, runs, warmup,
                compute.name(), compute.device()));
        out.println(String.format(Locale.ROOT, "ms/video  median %.1f  min %.1f  max %.1f", median, sorted[0] / 1e6,
                sorted[sorted.length - 1] / 1e6));
        out.println(String.format(Locale.ROOT, "frames/s  %.2f", frames * 1000 / median));
        out.println();
        out.print(split.table());
        if (shape.startsWith("released-")) {
            out.println(split.extrapolation(median, SyntheticVisionBranch.RELEASED_VIT_BLOCKS, frames));
        }
    }
}
