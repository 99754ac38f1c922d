package videollama.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.model.videollama.StageTimes;

/**
 * One media branch over one input, as {@code videollama chat} runs it (on a device one task graph per item count,
 * built in setup and replayed per call), every stage copied back as chat gets it: what {@link VisionBranchBenchmark}
 * (frames of a video) and {@link AudioBranchBenchmark} (clips of a sound track) share. The score is milliseconds per
 * input (average-time mode: one call of a released shape takes seconds).
 *
 * <p>Checked before timing: every stage finite, and a device backend against the reference path, {@link #TOLERANCE}
 * relative (float32 arithmetic; the branch tests measure a few 1e-6). Up to an encoder {@link #fullCheckMaxWidth}
 * wide the reference runs the same input; for wider ones (the released shapes, where the reference path takes
 * seconds an item and block) it runs the first item only, which is checked twice: as item 0 of the timed graph's
 * per-item stages (items are independent up to the branch's last Q-Former), and as a one-item encode on the device,
 * every stage.
 *
 * <p>At the end of a trial one more encode splits the time into stages ({@link StageTimes}: a device's kernel times,
 * the reference path's wall time at its progress lines) and prints them with the time of one encoder block and, for
 * fewer blocks than released, the time extrapolated to the released depth. Run from the repository root (the demo
 * model is read from {@code models/}) or pass {@code -Dvideollama.root=DIR}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class BranchBenchmark extends ForkedBenchmark {
    /** A device's relative error against the reference path, 1e-4 at most (the branch tolerance of docs/design.md section 7). */
    static final double TOLERANCE = 1e-4;

    /** {@code demo}, {@code released}, {@code released-N} or a synthetic shape name of the branch. */
    @Param({"demo", "released-1"})
    public String shape;

    /** {@code reference}, {@code opencl}; {@code cuda} where there is a driver. */
    @Param({"reference", "opencl"})
    public String backend;

    /** Where the random branches are kept; the smoke tests point it at a temporary folder. */
    Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench");
    /** The widest encoder checked over the whole input against the reference; wider ones are checked on one item. */
    int fullCheckMaxWidth = 512;

    private Branch branch;
    private Backend compute;
    private Encoder encoder;
    private float[] input;
    private double checkedError = Double.NaN;
    /** Set when setup (with its check) is done: only then does the trial end with the split. */
    private boolean ready;
    private StageTimes split;

    /**
     * A branch's encoder on one backend.
     *
     * @param stages  one encode of {@code items} items: its stages in {@link Branch#stageNames()} order, the soft tokens last
     * @param encode  one encode with the encoder's progress lines (what {@link StageTimes} times on the reference path)
     * @param profile records the kernel times of later encodes (null stops it)
     * @param release closes the encoder
     */
    record Encoder(BiFunction<float[], Integer, List<float[]>> stages, Encode encode, Consumer<Profile> profile, Runnable release)
            implements AutoCloseable {
        /** The encoder's {@code encode(input, items, progress)}. */
        interface Encode {
            void encode(float[] input, int items, Consumer<String> progress);
        }

        @Override
        public void close() {
            release.run();
        }
    }

    /**
     * An open branch as the benchmark uses it.
     *
     * @param close        closes the branch's weights (at the trial's end)
     * @param itemSize     floats of one item of input (a normalised frame, an fbank clip)
     * @param encoderWidth the encoder's width, against {@link #fullCheckMaxWidth}
     * @param blocks       the encoder's blocks (the ViT's, ImageBind's)
     * @param stageNames   the stages {@link Encoder#stages} gives, as the {@code --dump} files name them
     * @param itemStages   how many leading stages are computed item by item (so checked on item 0 of a longer input)
     * @param encoder      the branch's encoder on a backend
     */
    record Branch(Runnable close, int itemSize, int encoderWidth, int blocks, StageTimes.Layout layout, List<String> stageNames,
                  int itemStages, Function<Backend, Encoder> encoder) {}

    /** Items per input: the {@code frames} or {@code clips} parameter. */
    abstract int items();

    /** A random branch of the synthetic {@link #shape}, written once into the cache folder. */
    abstract Path randomBranch(Path cacheDir);

    /** Opens the branch in {@code dir}. */
    abstract Branch open(Path dir);

    @Setup(Level.Trial)
    public void setup() {
        branch = open(shape.equals("demo") ? BenchSupport.repositoryFile("models/videollama-demo") : randomBranch(cacheDir));
        // N(0, 1): about the spread of normalised pixels, wider than a normalised log-mel fbank (about -1 .. 1); what the
        // stages cost does not depend on the values
        input = BenchSupport.randomFloats(BenchSupport.freshRandom(), Math.multiplyExact(items(), branch.itemSize()));
        compute = Backends.open(backend);
        encoder = branch.encoder().apply(compute);
        checkAgainstReference(encoder.stages().apply(input, items())); // on a device this also builds the graph timed below
        ready = true;
    }

    private void checkAgainstReference(List<float[]> out) {
        for (int i = 0; i < out.size(); i++) {
            for (float v : out.get(i)) {
                if (!Float.isFinite(v)) {
                    throw new IllegalStateException(backend + " " + shape + ": " + branch.stageNames().get(i) + " holds " + v);
                }
            }
        }
        if (!(compute instanceof DeviceBackend)) {
            return;
        }
        try (Backend reference = Backends.open("reference"); Encoder oracle = branch.encoder().apply(reference)) {
            String what = backend + " " + shape + " " + items() + " " + branch.layout().itemsName();
            if (branch.encoderWidth() <= fullCheckMaxWidth) {
                checkedError = checkStages(what + " ", oracle.stages().apply(input, items()), out, out.size());
                return;
            }
            float[] first = Arrays.copyOf(input, branch.itemSize());
            List<float[]> expected = oracle.stages().apply(first, 1);
            checkedError = Math.max(checkStages(what + ", item 0 ", expected, out, branch.itemStages()),
                    checkStages(shape + " item 0 alone ", expected, encoder.stages().apply(first, 1), expected.size()));
        }
    }

    /** The first {@code count} stages of {@code actual} (cut to the expected length) against the reference's; the largest error. */
    private double checkStages(String what, List<float[]> expected, List<float[]> actual, int count) {
        double error = 0;
        for (int i = 0; i < count; i++) {
            float[] e = expected.get(i);
            String stage = what + branch.stageNames().get(i);
            float[] a = Arrays.copyOf(actual.get(i), e.length);
            BenchSupport.check(stage, e, a, TOLERANCE);
            double stageError = BenchSupport.relativeError(e, a);
            System.out.printf(Locale.ROOT, "checked %s against the reference: %.2g relative%n", stage, stageError);
            error = Math.max(error, stageError);
        }
        return error;
    }

    /** One input through the branch; its soft tokens out. */
    @Benchmark
    public float[] encode() {
        return encoder.stages().apply(input, items()).getLast();
    }

    /** One more encode, split into stages; printed into JMH's log of this fork. */
    @TearDown(Level.Trial)
    public void tearDown() {
        try {
            if (ready) {
                System.out.println();
                System.out.print(splitReport());
            }
        } finally {
            BenchSupport.close(encoder, compute, branch == null ? null : branch.close()::run);
        }
    }

    /**
     * Times one more encode by stage, kernel times on a device, wall time at the progress lines on the reference path:
     * "demo, 8 clips, opencl: one more encode took 12.3 ms (checked ...)", the stage table, and for a
     * {@code released-N} shape the time extrapolated to the released depth.
     */
    String splitReport() {
        long t0 = System.nanoTime();
        split = StageTimes.ofOneEncode(branch.layout(), StageTimes.Encode.of(p -> encoder.encode().encode(input, items(), p), encoder.profile()), compute instanceof DeviceBackend, branch.blocks(),
                items());
        double wallMillis = (System.nanoTime() - t0) / 1e6;
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%s, %d %s, %s: one more encode took %.1f ms%s%n", shape,
                split.items(), split.layout().itemsName(), backend, wallMillis, Double.isNaN(checkedError) ? ""
                        : String.format(Locale.ROOT, " (checked against the reference: %.2g relative)", checkedError)));
        s.append(split.table());
        if (shape.startsWith("released-")) {
            s.append(split.releasedExtrapolation(wallMillis)).append('\n');
        }
        return s.toString();
    }

    StageTimes split() {
        return split;
    }

    double checkedError() {
        return checkedError;
    }

}
