package videollama.benchmarks;

import static videollama.benchmarks.BranchBenchmarks.checked;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.DeviceBackend;
import videollama.model.videollama.StageTimes;
import videollama.model.videollama.SyntheticVisionBranch;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.model.videollama.VisionStages;
import videollama.weights.DType;

/**
 * The vision-language branch over one video, as {@code videollama chat} runs it ({@link VideoBranch#encoder}: on a
 * device one task graph per frame count, built in setup and replayed per call): {@code frames} random normalised
 * frames through the ViT, ln_vision, the image Q-Former, the frame positions, the video Q-Former and llama_proj,
 * every stage copied back as chat gets it. The score is milliseconds per video (average-time mode: one call of a
 * released shape takes seconds).
 *
 * <p>Shapes ({@code -p shape=}): {@code demo}, the bundled {@code models/videollama-demo} (ViT 48 wide, 3 blocks);
 * {@code released}, the released sizes with seeded random weights ({@link SyntheticVisionBranch}: ViT-g 1408 wide,
 * 16 heads of 88, 39 blocks, MLP 6144; Q-Former 768, 12 + 2 layers; llama_proj to 4096); {@code released-N}, the same
 * with N ViT blocks, for the reference path, on which the released depth takes many minutes a video on a CPU;
 * or a name of {@link SyntheticVisionBranch#SHAPES}. Random branches are written once into
 * {@code ~/.cache/videollama/bench/vision-<shape>-<vitDtype>} (the released ViT's matrices are F16, as in
 * {@code eva_vit_g.pth}).
 *
 * <p>Checked before timing: every stage finite, and a device backend against the reference path, 1e-4 relative
 * (float32 arithmetic; the vision tests measure about 5e-6). Up to {@link #fullCheckMaxWidth} the reference runs the
 * same frames; for wider ViTs (the released shapes, where the reference path takes about 5 s a frame and block) it
 * runs the first frame only, which is checked twice: as the ViT and image Q-Former slices of frame 0 of the timed
 * graph's output (frames are independent up to the video Q-Former), and as a one-frame encode on the device, all
 * four stages.
 *
 * <p>At the end of a trial one more encode splits the time into stages ({@link StageTimes} of {@link VisionStages}:
 * a device's kernel times, the reference path's wall time at its progress lines) and prints them with the time of
 * one ViT block and, for fewer blocks than released, the video's time extrapolated to 39 blocks. Run from the repository root (the demo
 * model is read from {@code models/}) or pass {@code -Dvideollama.root=DIR}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class VisionBranchBenchmark {
    /** {@code demo}, {@code released}, {@code released-N} or a {@link SyntheticVisionBranch} shape name. */
    @Param({"demo", "released-1"})
    public String shape;

    /** Frames per video: 8 as the demo samples them (at most the frame embedding's 32 rows). */
    @Param({"8"})
    public int frames;

    /** {@code reference}, {@code opencl}; {@code cuda} where there is a driver. */
    @Param({"reference", "opencl"})
    public String backend;

    /** The ViT matrices' dtype of a random branch: f16 as released, or f32, bf16 (the demo's are what it ships). */
    @Param({"f16"})
    public String vitDtype;

    /** Where the random branches are kept; the smoke test points it at a temporary folder. */
    Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench");
    /** The widest ViT checked over every frame against the reference; wider ones are checked on the first frame. */
    int fullCheckMaxWidth = BranchBenchmarks.FULL_CHECK_MAX_WIDTH;

    private VideoBranch branch;
    private Backend compute;
    private VisionEncoder encoder;
    private float[] pixels;
    private double checkedError = Double.NaN;
    /** Set when setup (with its check) is done: only then does the trial end with the split. */
    private boolean ready;
    private StageTimes split;

    @Setup(Level.Trial)
    public void setup() {
        branch = VideoBranch.open(modelDir());
        Random random = BenchSupport.freshRandom();
        pixels = BenchSupport.randomFloats(random, Math.multiplyExact(frames, branch.sizes().frameSize()));
        compute = Backends.open(backend);
        encoder = branch.encoder(compute);
        checkAgainstReference(encoder.encode(pixels, frames)); // on a device this also builds the graph timed below
        ready = true;
    }

    /** The bundled demo or a random branch of a synthetic shape, written once. */
    private Path modelDir() {
        if (shape.equals("demo")) {
            return BranchBenchmarks.demoModel();
        }
        SyntheticVisionBranch.Shape s = SyntheticVisionBranch.parse(shape);
        DType dtype = switch (vitDtype) {
            case "f32" -> DType.F32;
            case "f16" -> DType.F16;
            case "bf16" -> DType.BF16;
            default -> throw new IllegalArgumentException("vitDtype must be f32, f16 or bf16, not " + vitDtype);
        };
        return SyntheticVisionBranch.write(cacheDir.resolve("vision-" + s.name() + "-" + vitDtype), s, dtype);
    }

    private void checkAgainstReference(VisionOutputs out) {
        BranchBenchmarks.requireFinite(backend + " " + shape, out.vitOut(), out.imageQformerOut(), out.videoQformerOut(), out.tokens());
        if (!(compute instanceof DeviceBackend)) {
            return;
        }
        try (Backend reference = Backends.open("reference"); VisionEncoder oracle = branch.encoder(reference)) {
            String what = backend + " " + shape + " " + frames + " frames";
            if (branch.sizes().vitWidth() <= fullCheckMaxWidth) {
                VisionOutputs expected = oracle.encode(pixels, frames);
                checkedError = Math.max(Math.max(checked(what + " vit.out", expected.vitOut(), out.vitOut()),
                                checked(what + " image_qformer.out", expected.imageQformerOut(), out.imageQformerOut())),
                        Math.max(checked(what + " video_qformer.out", expected.videoQformerOut(), out.videoQformerOut()),
                                checked(what + " video.tokens", expected.tokens(), out.tokens())));
                return;
            }
            float[] first = Arrays.copyOf(pixels, branch.sizes().frameSize());
            VisionOutputs expected = oracle.encode(first, 1);
            VisionOutputs one = encoder.encode(first, 1);
            checkedError = Math.max(
                    Math.max(checked(what + ", frame 0 vit.out", expected.vitOut(), Arrays.copyOf(out.vitOut(), expected.vitOut().length)),
                            checked(what + ", frame 0 image_qformer.out", expected.imageQformerOut(),
                                    Arrays.copyOf(out.imageQformerOut(), expected.imageQformerOut().length))),
                    Math.max(Math.max(checked(shape + " 1 frame vit.out", expected.vitOut(), one.vitOut()),
                                    checked(shape + " 1 frame image_qformer.out", expected.imageQformerOut(), one.imageQformerOut())),
                            Math.max(checked(shape + " 1 frame video_qformer.out", expected.videoQformerOut(), one.videoQformerOut()),
                                    checked(shape + " 1 frame video.tokens", expected.tokens(), one.tokens()))));
        }
    }

    /** One video through the branch; its soft tokens out. */
    @Benchmark
    public float[] encode() {
        return encoder.encode(pixels, frames).tokens();
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
            if (encoder != null) {
                encoder.close();
            }
            if (compute != null) {
                compute.close();
            }
            if (branch != null) {
                branch.close();
            }
        }
    }

    /** Times one more encode by stage: kernel times on a device, wall time at the progress lines on the reference path. */
    String splitReport() {
        long t0 = System.nanoTime();
        split = StageTimes.ofOneEncode(VisionStages.LAYOUT, StageTimes.Encode.of(p -> encoder.encode(pixels, frames, p), encoder::profile),
                compute instanceof DeviceBackend, branch.vit().blocks.size(), frames);
        return BranchBenchmarks.splitReport(shape, backend, (System.nanoTime() - t0) / 1e6, checkedError, split);
    }

    StageTimes split() {
        return split;
    }

    double checkedError() {
        return checkedError;
    }
}
