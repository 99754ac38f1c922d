package videollama.tests;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.AttentionShape;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.GraphPlan;
import videollama.kernels.KvCacheType;
import videollama.kernels.StridedRows;
import videollama.kernels.TaskGraph;
import videollama.kernels.Transfer;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.SyntheticAudioBranch;

/**
 * The audio-language branch as task graphs on a device backend against the reference path and the PyTorch golden
 * data: every stage of the golden cases within 1e-5 relative of the reference (float32 arithmetic on the device,
 * the project bound; measured up to 2.9e-6 on OpenCL), the graph replayed for a new fbank and rebuilt for another
 * clip count, the released head width over 8 clips.
 */
abstract class AudioDeviceContract extends BranchDeviceContract {
    AudioDeviceContract() {
        super("audio");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStageMatchesTheReferenceAndPyTorch(GoldenCase c) {
        try (AudioBranch branch = AudioBranch.open(c.dir())) {
            assertGoldenCase(c, "fbank", branch, DEVICE_TOLERANCE, AudioGoldenTest.TOLERANCE,
                    "audio: ImageBind + Q-Former over ");
        }
    }

    /**
     * Fresh fbanks through the same built graph, then another clip count, then the first again. The values are
     * N(0, 0.5), about the spread of a normalised fbank, so the attention is as peaked as with real sound.
     */
    @Test
    void theGraphIsReplayedForNewInputAndRebuiltForAnotherCount() {
        try (AudioBranch branch = AudioBranch.open(GoldenCase.named("audio", "clips3").dir())) {
            assertReplays(branch, new int[] {2, 2, 1, 2}, branch.sizes().clipSize(),
                    () -> 0.5 * random.nextGaussian(), "clips",
                    "audio in_proj", "audio_Qformer cross attention", "audio_llama_proj");
        }
    }

    /** The released head width (64) and query count (8) at a small width, over 8 clips as the demo samples them. */
    @Test
    void releasedHeadWidthAndQueryCountOverEightClips(@TempDir Path dir) {
        SyntheticAudioBranch.write(dir, SyntheticAudioBranch.shape("narrow-heads-64"));
        try (AudioBranch branch = AudioBranch.open(dir);
             Encoders<AudioEncoder> encoders = Encoders.of(branch, backend)) {
            assertEquals(64, branch.sizes().encoderWidth() / branch.config().audioEncoder().heads());
            int clips = 8;
            float[] fbank = randomInput(clips * branch.sizes().clipSize(), () -> 0.5 * random.nextGaussian());
            AudioOutputs out = encoders.device().encode(fbank, clips);
            assertEquals(8 * 64, out.tokens().length);
            assertStagesClose(out, encoders.reference().encode(fbank, clips), RANDOM_INPUT_TOLERANCE, "narrow-heads-64");
        }
    }

    /**
     * The device encoder picks each clip's class token out of the residual stream with an attention of zero
     * queries over one key (DeviceOps has no strided copy): that must copy the rows bit for bit, whatever the
     * row values (here up to 1e30, whose squares would overflow).
     */
    @Test
    void attentionOverOneKeyCopiesTheValueRowsExactly() {
        DeviceBackend device = (DeviceBackend) backend;
        int clips = 5;
        int tokens = 7;
        int heads = 3;
        int headDim = 15;
        int width = heads * headDim;
        float[] x = new float[clips * tokens * width];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(-30, 31)));
        }
        DeviceBuffer in = device.allocate("x", 4L * x.length);
        DeviceBuffer out = device.allocate("class tokens", 4L * clips * width);
        DeviceBuffer zeros = device.allocate("zeros", 4L * clips * width);
        device.fill(zeros, 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocateFrom(JAVA_FLOAT, x);
            MemorySegment result = arena.allocate(JAVA_FLOAT, (long) clips * width);
            StridedRows rows = new StridedRows(in, 0, tokens * width);
            TaskGraph g = device.graph("select rows");
            g.transferToDevice(Transfer.EVERY, in, host);
            device.ops().attention(g, "select", StridedRows.dense(out, width), StridedRows.dense(zeros, width), rows, rows,
                    KvCacheType.F32, new AttentionShape(clips, 1, 1, heads, heads, headDim, 1f, false, 0));
            g.transferToHost(out, result);
            try (GraphPlan plan = g.build()) {
                plan.execute();
            }
            float[] expected = new float[clips * width];
            for (int c = 0; c < clips; c++) {
                System.arraycopy(x, c * tokens * width, expected, c * width, width);
            }
            assertArrayEquals(expected, result.toArray(JAVA_FLOAT));
        } finally {
            device.release(in);
            device.release(out);
            device.release(zeros);
        }
    }
}
