package videollama.model.videollama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import videollama.kernels.Profile;

/**
 * Where one video's vision time goes, for benchmarks: the ViT, the image Q-Former, the video Q-Former with
 * llama_proj, and the time of one ViT block, which extrapolates a ViT of fewer blocks
 * ({@link SyntheticVisionBranch#released(int)}) to the released 39.
 *
 * <p>Two sources. On a device, the kernel times of profiled replays ({@link #ofProfile}): every stage apart, the
 * patch embedding apart from the blocks. On the reference path, which has no kernels, the wall time of encodes cut
 * at their progress lines ({@link ReferenceClock}): the ViT until the encoder says {@code "vision: Q-Formers"}, and
 * everything after it as one stage; a block's time is then the ViT's over its blocks, so it also carries a share of
 * the patch embedding (about 3 % of one released block).
 *
 * @param source      what the times are ("kernel time, 2 profiled runs", "wall time, median of 5 runs")
 * @param vitBlocks   the ViT blocks of the measured branch
 * @param stages      the stages in graph order, milliseconds per video
 * @param blockMillis one ViT block's milliseconds per video
 */
public record VisionStageTimes(String source, int vitBlocks, List<Stage> stages, double blockMillis) {
    /** Names of the stages, as the tables print them. */
    public static final String VIT_EMBEDDING = "ViT patch embedding";
    public static final String VIT_BLOCKS = "ViT blocks";
    public static final String VIT = "ViT (patch embedding + blocks)";
    public static final String IMAGE_QFORMER = "ln_vision + image Q-Former";
    public static final String VIDEO_QFORMER = "video Q-Former + llama_proj";
    public static final String QFORMERS = "ln_vision + Q-Formers + llama_proj";
    public static final String OTHER = "other kernels";

    public record Stage(String name, double millis) {}

    public VisionStageTimes {
        stages = List.copyOf(stages);
    }

    public double totalMillis() {
        return stages.stream().mapToDouble(Stage::millis).sum();
    }

    /** A stage's milliseconds, 0 if there is no such stage. */
    public double millis(String stage) {
        return stages.stream().filter(s -> s.name().equals(stage)).mapToDouble(Stage::millis).sum();
    }

    /**
     * What {@code measuredMillis} (a whole video at this shape's {@link #vitBlocks}) would be with {@code blocks} ViT
     * blocks: every block costs the same (the same shapes, the same kernels), so the difference is the blocks'.
     */
    public double extrapolate(double measuredMillis, int blocks) {
        return measuredMillis + (blocks - vitBlocks) * blockMillis;
    }

    /**
     * {@link #extrapolate} as a line: "at 39 ViT blocks: about 41000 ms/video, 0.2 frames/s (extrapolated: 1500.0 ms
     * measured + 38 x 1040.0 ms a block)", for a video of {@code frames} frames.
     */
    public String extrapolation(double measuredMillis, int blocks, int frames) {
        double millis = extrapolate(measuredMillis, blocks);
        return String.format(Locale.ROOT, "at %d ViT blocks: about %.0f ms/video, %.2f frames/s (extrapolated: %.1f ms measured %s %d x %.1f ms a block)",
                blocks, millis, frames * 1000 / millis, measuredMillis, blocks >= vitBlocks ? "+" : "-", Math.abs(blocks - vitBlocks),
                blockMillis);
    }

    /**
     * The stages of a device encoder's profile ({@link VisionEncoder#profile}), averaged over its replays, from the
     * task names of the vision graph ({@code DeviceVisionEncoder}, {@code DeviceEvaVit}, {@code DeviceQFormer}).
     */
    public static VisionStageTimes ofProfile(Profile profile, int vitBlocks) {
        if (profile.replays() == 0) {
            throw new IllegalArgumentException("the profile holds no replay (the reference path records none)");
        }
        Map<String, Double> stages = new LinkedHashMap<>();
        for (String s : List.of(VIT_EMBEDDING, VIT_BLOCKS, IMAGE_QFORMER, VIDEO_QFORMER)) {
            stages.put(s, 0.0);
        }
        double perReplay = 1e-6 / profile.replays();
        profile.nanosByOp().forEach((op, nanos) -> stages.merge(stageOf(op), nanos * perReplay, Double::sum));
        List<Stage> list = new ArrayList<>();
        stages.forEach((name, ms) -> list.add(new Stage(name, ms)));
        return new VisionStageTimes("kernel time, " + count(profile.replays(), "profiled run"), vitBlocks, list,
                stages.get(VIT_BLOCKS) / vitBlocks);
    }

    /** The stage of a profile row (a task name without its "layer N " prefix). */
    static String stageOf(String op) {
        if (op.equals("vit patch embedding") || op.equals("vit class token + positions")) {
            return VIT_EMBEDDING;
        }
        if (op.startsWith("vit ")) {
            return VIT_BLOCKS;
        }
        if (op.equals("ln_vision") || op.startsWith("Qformer ")) {
            return IMAGE_QFORMER;
        }
        if (op.equals("frame positions") || op.startsWith("video_Qformer ") || op.equals("llama_proj")) {
            return VIDEO_QFORMER;
        }
        return OTHER;
    }

    /** The stages as a table, with the time of one ViT block. */
    public String table() {
        StringBuilder s = new StringBuilder();
        double total = Math.max(totalMillis(), 1e-9);
        s.append(String.format(Locale.ROOT, "%-40s %12s %7s%n", "stage (" + source + ")", "ms/video", "share"));
        for (Stage stage : stages) {
            String name = stage.name().equals(VIT_BLOCKS) ? VIT_BLOCKS + " (" + vitBlocks + ")" : stage.name();
            s.append(String.format(Locale.ROOT, "%-40s %12.1f %6.1f%%%n", name, stage.millis(), 100 * stage.millis() / total));
        }
        s.append(String.format(Locale.ROOT, "%-40s %12.1f%n", "total", totalMillis()));
        s.append(String.format(Locale.ROOT, "%-40s %12.1f%s%n", "one ViT block", blockMillis,
                stages.stream().anyMatch(st -> st.name().equals(VIT)) ? "  (ViT / blocks: includes a share of the patch embedding)" : ""));
        return s.toString();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * The reference path's stage times: pass it as an encode's progress consumer between {@link #start} and
     * {@link #stop}; it notes when the ViT ends (the reference encoder's {@code "vision: Q-Formers"} line).
     * Collects one split per run; {@link #times} gives the medians.
     */
    public static final class ReferenceClock implements Consumer<String> {
        /** What the reference encoder says when its ViT is done (ReferenceVisionEncoder.encode). */
        static final String VIT_DONE = "vision: Q-Formers";

        private final List<long[]> runs = new ArrayList<>();
        private long start;
        private long vitDone;

        public void start() {
            start = System.nanoTime();
            vitDone = 0;
        }

        @Override
        public void accept(String line) {
            if (line.equals(VIT_DONE)) {
                vitDone = System.nanoTime();
            }
        }

        /** Ends a run; a run without the ViT's end (not the reference encoder) is not counted. */
        public void stop() {
            long end = System.nanoTime();
            if (vitDone != 0) {
                runs.add(new long[] {vitDone - start, end - vitDone});
            }
        }

        public int runs() {
            return runs.size();
        }

        /** The median of each stage over the runs so far. */
        public VisionStageTimes times(int vitBlocks) {
            if (runs.isEmpty()) {
                throw new IllegalStateException("no reference encode timed (the progress never said '" + VIT_DONE + "')");
            }
            double vit = median(0);
            return new VisionStageTimes("wall time, median of " + count(runs.size(), "run"), vitBlocks,
                    List.of(new Stage(VIT, vit), new Stage(QFORMERS, median(1))), vit / vitBlocks);
        }

        private double median(int stage) {
            long[] nanos = runs.stream().mapToLong(r -> r[stage]).sorted().toArray();
            return Arrays.stream(nanos).skip(nanos.length / 2).findFirst().orElseThrow() / 1e6;
        }
    }
}
