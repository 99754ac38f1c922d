package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.kernels.reference.ReferenceBackend;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.BranchOutputs;
import videollama.model.videollama.MediaBranch;
import videollama.testing.SeededRandom;
import videollama.weights.SafetensorsFile;

/**
 * What {@link VisionDeviceContract} and {@link AudioDeviceContract} check alike of a media branch on the backend under
 * test: each stage against the reference path and the PyTorch golden data, and one built graph replayed for fresh
 * inputs and rebuilt for another count. Each contract says what differs: its cases, inputs, tolerances and tasks.
 */
abstract class BranchDeviceContract extends DeviceContract {
    /** The device against the reference on the golden cases: float32 arithmetic both, the project bound. */
    static final double DEVICE_TOLERANCE = 1e-5;
    /**
     * Fresh random inputs: the summation-order differences of every GEMM and norm accumulate through the blocks and
     * the Q-Formers with peaked attention (measured up to 5.5e-6 for vision over 20 draws, 3.4e-6 for audio over 35),
     * so twice the golden cases' tolerance keeps a rare draw from failing.
     */
    static final double RANDOM_INPUT_TOLERANCE = 2e-5;

    @RegisterExtension
    final SeededRandom random = new SeededRandom();
    /** The branch's folder under testdata/golden: "vision" or "audio". */
    private final String branch;

    BranchDeviceContract(String branch) {
        this.branch = branch;
    }

    /** The golden cases this backend runs: all of them unless a subclass narrows the list. */
    Stream<GoldenCase> cases() throws IOException {
        return GoldenCase.of(branch);
    }

    /** A branch's encoder on the reference path and on the backend under test, closed together. */
    record Encoders<E extends BranchEncoder<?>>(ReferenceBackend referenceBackend, E reference, E device) implements AutoCloseable {
        static <E extends BranchEncoder<?>> Encoders<E> of(MediaBranch<E> branch, Backend backend) {
            ReferenceBackend referenceBackend = new ReferenceBackend();
            E reference = branch.encoder(referenceBackend);
            return new Encoders<>(referenceBackend, reference, branch.encoder(backend));
        }

        @Override
        public void close() {
            device.close();
            reference.close();
            referenceBackend.close();
        }
    }

    /** Every stage of the same shape (so of the same count of inputs) and within {@code tolerance} of the reference's. */
    static void assertStagesClose(BranchOutputs device, BranchOutputs reference, double tolerance, String what) {
        Tolerance.assertStagesClose(device.dumpTensors(), Tolerance.byName(reference.dumpTensors()), tolerance, what);
    }

    /**
     * Golden case {@code c}'s {@code input} through the device: every stage within {@code deviceTolerance} of the
     * reference path and within {@code goldenTolerance} of PyTorch, its last progress line {@code progress} + the count.
     */
    void assertGoldenCase(GoldenCase c, String input, MediaBranch<?> branch, double deviceTolerance, double goldenTolerance,
                          String progress) {
        int[] count = new int[1];
        float[] values = c.input(input, count);
        String what = c + " " + backend.name();
        try (Encoders<?> encoders = Encoders.of(branch, backend);
             SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            List<String> lines = new ArrayList<>();
            BranchOutputs out = encoders.device().encode(values, count[0], lines::add);
            assertStagesClose(out, encoders.reference().encode(values, count[0]), deviceTolerance, what + " vs reference");
            Tolerance.assertStagesClose(out.dumpTensors(), expected::get, goldenTolerance, what);
            assertTrue(lines.getLast().startsWith(progress + count[0]), lines.toString());
        }
    }

    /**
     * Fresh inputs of {@code counts} items of {@code itemSize} floats, each drawn from {@code value}, through the
     * device's one encoder (its graph replayed, or rebuilt for a new count) within {@link #RANDOM_INPUT_TOLERANCE} of
     * the reference; every replay
     * profiled, and each of {@code tasks} in the profile.
     */
    void assertReplays(MediaBranch<?> branch, int[] counts, int itemSize, DoubleSupplier value, String items, String... tasks) {
        try (Encoders<?> encoders = Encoders.of(branch, backend)) {
            Profile profile = new Profile();
            encoders.device().profile(profile);
            for (int count : counts) {
                float[] input = randomInput(count * itemSize, value);
                assertStagesClose(encoders.device().encode(input, count), encoders.reference().encode(input, count), RANDOM_INPUT_TOLERANCE,
                        count + " random " + items);
            }
            assertEquals(counts.length, profile.replays());
            String table = profile.table(0);
            for (String task : tasks) {
                assertTrue(table.contains(task), task + " in " + table);
            }
        }
    }

    /** {@code length} floats, each drawn from {@code value}. */
    static float[] randomInput(int length, DoubleSupplier value) {
        float[] input = new float[length];
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) value.getAsDouble();
        }
        return input;
    }
}
