package videollama.model.videollama;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import videollama.kernels.Profile;

/**
 * Where one input's time goes through a branch, for benchmarks: its stages ({@link VisionStages}: ViT, image
 * Q-Former, video Q-Former; {@link AudioStages}: ImageBind, audio Q-Former), and the time of one encoder block,
 * which extrapolates an encoder of fewer blocks ({@code SyntheticVisionBranch.released(N)},
 * {@code SyntheticAudioBranch.released(N)}) to the released depth.
 *
 * <p>Two sources. On a device, the kernel times of profiled replays ({@link #ofProfile}): every stage apart, the
 * encoder's blocks apart from what comes before and after them. On the reference path, which has no kernels, the
 * wall time of encodes cut at their progress lines ({@link ReferenceClock}): the encoder until the reference encoder
 * says it is done, and everything after it as one stage; a block's time is then the encoder's over its blocks, so
 * it also carries a share of what the encoder does beside its blocks ({@link Layout#besideBlocks}).
 *
 * @param layout      the branch's stages and names
 * @param source      what the times are ("kernel time, 2 profiled runs", "wall time, median of 5 runs")
 * @param blocks      the encoder blocks of the measured branch
 * @param items       the frames or clips of the measured input
 * @param stages      the stages in graph order, milliseconds per input
 * @param blockMillis one encoder block's milliseconds per input
 */
public record StageTimes(Layout layout, String source, int blocks, int items, List<Stage> stages, double blockMillis) {
    /** Profile rows of no stage of the layout (a kernel added later without a stage). */
    public static final String OTHER = "other kernels";

    public record Stage(String name, double millis) {}

    /**
     * How a branch's time splits into stages, and what the tables call things.
     *
     * @param encoder         the encoder's name: "one ViT block", "at 39 ViT blocks"
     * @param itemsName       what an input is made of, as in "frames/s"
     * @param input           the unit of a time for an input of n items: "ms/video", "ms/8 clips"
     * @param releasedBlocks  the released encoder's depth, which the extrapolation aims at
     * @param deviceStages    the stages of a device profile in graph order
     * @param blocksStage     the one of them that holds the encoder's blocks
     * @param stageOf         a profile row (a task name without its "layer N " prefix) → its stage, or {@link #OTHER}
     * @param encoderDone     the reference encoder's progress line when its encoder is done
     * @param encoderStage    the reference path's first stage, until {@code encoderDone}: the whole encoder
     * @param restStage       the reference path's second stage: everything after the encoder
     * @param besideBlocks    what the encoder does beside its blocks ("the patch embedding"): a share of it is in
     *                        the reference path's block time
     */
    public record Layout(String encoder, String itemsName, IntFunction<String> input, int releasedBlocks, List<String> deviceStages,
                         String blocksStage, UnaryOperator<String> stageOf, String encoderDone, String encoderStage,
                         String restStage, String besideBlocks) {
        public Layout {
            deviceStages = List.copyOf(deviceStages);
            if (!deviceStages.contains(blocksStage)) {
                throw new IllegalArgumentException(blocksStage + " is not one of " + deviceStages);
            }
        }

        /** "video", "8 clips": what one time is per, for an input of {@code items} items. */
        public String per(int items) {
            return input.apply(items);
        }
    }

    public StageTimes {
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
     * What {@code measuredMillis} (a whole input at this branch's {@link #blocks}) would be with {@code blocks}
     * encoder blocks: every block costs the same (the same shapes, the same kernels), so the difference is the
     * blocks'.
     */
    public double extrapolate(double measuredMillis, int blocks) {
        return measuredMillis + (blocks - this.blocks) * blockMillis;
    }

    /**
     * {@link #extrapolate} as a line: "at 39 ViT blocks: about 41000 ms/video, 0.20 frames/s (extrapolated: 1500.0
     * ms measured + 38 x 1040.0 ms a block)".
     */
    public String extrapolation(double measuredMillis, int blocks) {
        double millis = extrapolate(measuredMillis, blocks);
        return String.format(Locale.ROOT, "at %d %s blocks: about %.0f ms/%s, %.2f %s/s (extrapolated: %.1f ms measured %s %d x %.1f ms a block)",
                blocks, layout.encoder(), millis, layout.per(items), items * 1000 / millis, layout.itemsName(), measuredMillis,
                blocks >= this.blocks ? "+" : "-", Math.abs(blocks - this.blocks), blockMillis);
    }

    /** {@link #extrapolation} to the released depth. */
    public String releasedExtrapolation(double measuredMillis) {
        return extrapolation(measuredMillis, layout.releasedBlocks());
    }

    /**
     * The stages of a device encoder's profile ({@code VisionEncoder.profile}, {@code AudioEncoder.profile}),
     * averaged over its replays, from the task names of the branch's graph.
     */
    public static StageTimes ofProfile(Layout layout, Profile profile, int blocks, int items) {
        if (profile.replays() == 0) {
            throw new IllegalArgumentException("the profile holds no replay (the reference path records none)");
        }
        Map<String, Double> stages = new LinkedHashMap<>();
        for (String s : layout.deviceStages()) {
            stages.put(s, 0.0);
        }
        double perReplay = 1e-6 / profile.replays();
        profile.nanosByOp().forEach((op, nanos) -> stages.merge(layout.stageOf().apply(op), nanos * perReplay, Double::sum));
        List<Stage> list = new ArrayList<>();
        stages.forEach((name, ms) -> list.add(new Stage(name, ms)));
        return new StageTimes(layout, "kernel time, " + count(profile.replays(), "profiled run"), blocks, items, list,
                stages.get(layout.blocksStage()) / blocks);
    }

    /**
     * One encode of a benchmark's fixed input on a branch's encoder, as {@link #ofOneEncode} drives it:
     * {@code StageTimes.Encode.of(progress -> encoder.encode(pixels, frames, progress), encoder::profile)}.
     */
    public interface Encode {
        /** Encodes the input, giving the encoder's progress lines to {@code progress}. */
        void encode(Consumer<String> progress);

        /** Records the kernel times of later encodes into {@code profile} (null stops it); the reference path records none. */
        void profile(Profile profile);

        /** One more encode with its kernel times recorded: their profile (empty on the reference path). */
        default Profile profiled() {
            Profile profile = new Profile();
            profile(profile);
            try {
                encode(line -> {});
            } finally {
                profile(null);
            }
            return profile;
        }

        static Encode of(Consumer<Consumer<String>> encode, Consumer<Profile> profile) {
            return new Encode() {
                @Override
                public void encode(Consumer<String> progress) {
                    encode.accept(progress);
                }

                @Override
                public void profile(Profile p) {
                    profile.accept(p);
                }
            };
        }
    }

    /**
     * Times one more encode by stage: on a device ({@code device}) its kernels in a profiled replay, on the
     * reference path its wall time at the progress lines.
     */
    public static StageTimes ofOneEncode(Layout layout, Encode encode, boolean device, int blocks, int items) {
        if (device) {
            return ofProfile(layout, encode.profiled(), blocks, items);
        }
        ReferenceClock clock = new ReferenceClock(layout);
        clock.start();
        encode.encode(clock);
        clock.stop();
        return clock.times(blocks, items);
    }

    /** The stages as a table, with the time of one encoder block. */
    public String table() {
        StringBuilder s = new StringBuilder();
        double total = Math.max(totalMillis(), 1e-9);
        s.append(String.format(Locale.ROOT, "%-40s %12s %7s%n", "stage (" + source + ")", "ms/" + layout.per(items), "share"));
        for (Stage stage : stages) {
            String name = stage.name().equals(layout.blocksStage()) ? stage.name() + " (" + blocks + ")" : stage.name();
            s.append(String.format(Locale.ROOT, "%-40s %12.1f %6.1f%%%n", name, stage.millis(), 100 * stage.millis() / total));
        }
        s.append(String.format(Locale.ROOT, "%-40s %12.1f%n", "total", totalMillis()));
        s.append(String.format(Locale.ROOT, "%-40s %12.1f%s%n", "one " + layout.encoder() + " block", blockMillis,
                stages.stream().anyMatch(st -> st.name().equals(layout.encoderStage()))
                        ? "  (" + layout.encoder() + " / blocks: includes a share of " + layout.besideBlocks() + ")" : ""));
        return s.toString();
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    /**
     * The reference path's stage times: pass it as an encode's progress consumer between {@link #start} and
     * {@link #stop}; it notes when the encoder ends (the layout's {@link Layout#encoderDone} line). Collects one
     * split per run; {@link #times} gives the medians.
     */
    public static final class ReferenceClock implements Consumer<String> {
        private final Layout layout;
        private final List<long[]> runs = new ArrayList<>();
        private long start;
        private long encoderDone;

        public ReferenceClock(Layout layout) {
            this.layout = layout;
        }

        public void start() {
            start = System.nanoTime();
            encoderDone = 0;
        }

        @Override
        public void accept(String line) {
            if (line.equals(layout.encoderDone())) {
                encoderDone = System.nanoTime();
            }
        }

        /** Ends a run; a run without the encoder's end (not the reference encoder) is not counted. */
        public void stop() {
            long end = System.nanoTime();
            if (encoderDone != 0) {
                runs.add(new long[] {encoderDone - start, end - encoderDone});
            }
        }

        public int runs() {
            return runs.size();
        }

        /** The median of each stage over the runs so far. */
        public StageTimes times(int blocks, int items) {
            if (runs.isEmpty()) {
                throw new IllegalStateException("no reference encode timed (the progress never said '" + layout.encoderDone() + "')");
            }
            double encoder = median(0);
            return new StageTimes(layout, "wall time, median of " + count(runs.size(), "run"), blocks, items,
                    List.of(new Stage(layout.encoderStage(), encoder), new Stage(layout.restStage(), median(1))), encoder / blocks);
        }

        private double median(int stage) {
            long[] nanos = runs.stream().mapToLong(r -> r[stage]).sorted().toArray();
            return Arrays.stream(nanos).skip(nanos.length / 2).findFirst().orElseThrow() / 1e6;
        }
    }
}
