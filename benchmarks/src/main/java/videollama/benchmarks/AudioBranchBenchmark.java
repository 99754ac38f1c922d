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
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.AudioStages;
import videollama.model.videollama.StageTimes;
import videollama.model.videollama.SyntheticAudioBranch;

/**
 * The audio-language branch over one sound track, as {@code videollama chat --audio} runs it ({@link
 * AudioBranch#encoder}: on a device one task graph per clip count, built in setup and replayed per call):
 * {@code clips} random normalised fbank clips [1, 128, 204] through ImageBind's audio encoder, the clip positions,
 * the audio Q-Former and audio_llama_proj, every stage copied back as chat gets it. The score is milliseconds per
 * sound track (average-time mode: one call of the released shape takes seconds). The fbank itself (decode, resample,
 * Kaldi filter bank) is not part of it.
 *
 * <p>Shapes ({@code -p shape=}): {@code demo}, the bundled {@code models/videollama-demo} (ImageBind 48 wide, 2
 * blocks); {@code released}, the released sizes with seeded random weights ({@link SyntheticAudioBranch}:
 * ImageBind-Huge's audio encoder 768 wide, 12 heads of 64, 12 blocks, MLP 3072, 229 tokens a clip, embeddings 1024
 * wide; audio Q-Former 768 wide, 2 layers, 8 queries; audio_llama_proj to 4096); {@code released-N}, the same with
 * N ImageBind blocks, for the reference path, on which the released depth takes over a minute a call on a CPU; or a
 * name of {@link SyntheticAudioBranch#SHAPES}. Random branches are written once into
 * {@code ~/.cache/videollama/bench/audio-<shape>} (float32, as the released files are).
 *
 * <p>Checked before timing: every stage finite, and a device backend against the reference path, 1e-4 relative
 * (float32 arithmetic; the audio tests measure about 3e-6). Up to an encoder {@link #fullCheckMaxWidth} wide the
 * reference runs the same clips; for wider ones (the released shapes, where the reference path takes about a second
 * a clip and block) it runs the first clip only, which is checked twice: as clip 0 of the timed graph's ImageBind
 * output (clips are independent up to the audio Q-Former), and as a one-clip encode on the device, all three stages.
 *
 * <p>At the end of a trial one more encode splits the time into stages ({@link StageTimes} of {@link AudioStages}:
 * a device's kernel times, the reference path's wall time at its progress lines) and prints them with the time of
 * one ImageBind block and, for fewer blocks than released, the track's time extrapolated to 12 blocks. Run from the
 * repository root (the demo model is read from {@code models/}) or pass {@code -Dvideollama.root=DIR}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class AudioBranchBenchmark {
    /** {@code demo}, {@code released}, {@code released-N} or a {@link SyntheticAudioBranch} shape name. */
    @Param({"demo", "released-1"})
    public String shape;

    /** Clips per sound track: 8 as the demo samples them (at most the clip position embedding's 8 rows). */
    @Param({"8"})
    public int clips;

    /** {@code reference}, {@code opencl}; {@code cuda} where there is a driver. */
    @Param({"reference", "opencl"})
    public String backend;

    /** Where the random branches are kept; the smoke test points it at a temporary folder. */
    Path cacheDir = Path.of(System.getProperty("user.home"), ".cache", "videollama", "bench");
    /** The widest encoder checked over every clip against the reference; wider ones are checked on the first clip. */
    int fullCheckMaxWidth = BranchBenchmarks.FULL_CHECK_MAX_WIDTH;

    private AudioBranch branch;
    private Backend compute;
    private AudioEncoder encoder;
    private float[] fbank;
    private double checkedError = Double.NaN;
    /** Set when setup (with its check) is done: only then does the trial end with the split. */
    private boolean ready;
    private StageTimes split;

    @Setup(Level.Trial)
    public void setup() {
        branch = AudioBranch.open(modelDir());
        Random random = BenchSupport.freshRandom();
        // N(0, 1): wider than a normalised log-mel fbank (about -1 .. 1); what the stages cost does not depend on it
        fbank = BenchSupport.randomFloats(random, Math.multiplyExact(clips, branch.sizes().clipSize()));
        compute = Backends.open(backend);
        encoder = branch.encoder(compute);
        checkAgainstReference(encoder.encode(fbank, clips)); // on a device this also builds the graph timed below
        ready = true;
    }

    /** The bundled demo or a random branch of a synthetic shape, written once. */
    private Path modelDir() {
        if (shape.equals("demo")) {
            return BranchBenchmarks.demoModel();
        }
        SyntheticAudioBranch.Shape s = SyntheticAudioBranch.parse(shape);
        return SyntheticAudioBranch.write(cacheDir.resolve("audio-" + s.name()), s);
    }

    private void checkAgainstReference(AudioOutputs out) {
        BranchBenchmarks.requireFinite(backend + " " + shape, out.encoderOut(), out.qformerOut(), out.tokens());
        if (!(compute instanceof DeviceBackend)) {
            return;
        }
        try (Backend reference = Backends.open("reference"); AudioEncoder oracle = branch.encoder(reference)) {
            String what = backend + " " + shape + " " + clips + " clips";
            if (branch.sizes().encoderWidth() <= fullCheckMaxWidth) {
                AudioOutputs expected = oracle.encode(fbank, clips);
                checkedError = Math.max(checked(what + " audio.encoder.out", expected.encoderOut(), out.encoderOut()),
                        Math.max(checked(what + " audio_qformer.out", expected.qformerOut(), out.qformerOut()),
                                checked(what + " audio.tokens", expected.tokens(), out.tokens())));
                return;
            }
            float[] first = Arrays.copyOf(fbank, branch.sizes().clipSize());
            AudioOutputs expected = oracle.encode(first, 1);
            AudioOutputs one = encoder.encode(first, 1);
            checkedError = Math.max(
                    checked(what + ", clip 0 audio.encoder.out", expected.encoderOut(),
                            Arrays.copyOf(out.encoderOut(), expected.encoderOut().length)),
                    Math.max(checked(shape + " 1 clip audio.encoder.out", expected.encoderOut(), one.encoderOut()),
                            Math.max(checked(shape + " 1 clip audio_qformer.out", expected.qformerOut(), one.qformerOut()),
                                    checked(shape + " 1 clip audio.tokens", expected.tokens(), one.tokens()))));
        }
    }

    /** One sound track through the branch; its soft tokens out. */
    @Benchmark
    public float[] encode() {
        return encoder.encode(fbank, clips).tokens();
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
        split = StageTimes.ofOneEncode(AudioStages.LAYOUT, StageTimes.Encode.of(p -> encoder.encode(fbank, clips, p), encoder::profile),
                compute instanceof DeviceBackend, branch.imageBind().blocks.size(), clips);
        return BranchBenchmarks.splitReport(shape, backend, (System.nanoTime() - t0) / 1e6, checkedError, split);
    }

    StageTimes split() {
        return split;
    }

    double checkedError() {
        return checkedError;
    }
}
