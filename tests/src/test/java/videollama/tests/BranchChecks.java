package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleSupplier;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.kernels.reference.ReferenceBackend;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.BranchOutputs;
import videollama.model.videollama.MediaBranch;
import videollama.weights.SafetensorsFile;

/**
 * What {@link VisionDeviceContract} and {@link AudioDeviceContract} check alike of a media branch on the backend under
 * test: each stage against the reference path and the PyTorch golden data, and one built graph replayed for fresh
 * inputs and rebuilt for another count. Each contract says what differs: its cases, inputs, tolerances and tasks.
 */
final class BranchChecks {
    private BranchChecks() {}

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
    static void assertGoldenCase(GoldenCase c, String input, MediaBranch<?> branch, Backend backend, double deviceTolerance,
                                 double goldenTolerance, String progress) {
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
     * device's one encoder (its graph replayed, or rebuilt for a new count) against the reference; every replay
     * profiled, and each of {@code tasks} in the profile.
     */
    static void assertReplays(MediaBranch<?> branch, Backend backend, int[] counts, int itemSize, DoubleSupplier value,
                              double tolerance, String items, String... tasks) {
        try (Encoders<?> encoders = Encoders.of(branch, backend)) {
            Profile profile = new Profile();
            encoders.device().profile(profile);
            for (int count : counts) {
                float[] input = new float[count * itemSize];
                for (int i = 0; i < input.length; i++) {
                    input[i] = (float) value.getAsDouble();
                }
                assertStagesClose(encoders.device().encode(input, count), encoders.reference().encode(input, count), tolerance,
                        count + " random " + items);
            }
            assertEquals(counts.length, profile.replays());
            String table = profile.table(0);
            for (String task : tasks) {
                assertTrue(table.contains(task), task + " in " + table);
            }
        }
    }
}
