package videollama.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.upload;

import java.util.Arrays;
import java.util.Random;
import videollama.kernels.reference.RmsNorm;

/**
 * {@link DeviceBackend#copy} on any backend: a sub-range lands at its offset and nothing else changes, the copy runs
 * after the replay queued before it (it sees the replay's output), and ranges outside a buffer are refused.
 */
public final class DeviceCopyChecks {
    private DeviceCopyChecks() {}

    public static void check(DeviceBackend backend) {
        Random random = new Random(7);
        float[] source = randomFloats(random, 300);
        DeviceBuffer src = upload(backend, "copy source", source);
        DeviceBuffer dst = poisoned(backend, "copy target", 200);
        float[] before = readFloats(backend, dst, 200);
        backend.copy(src, 40 * 4L, dst, 17 * 4L, 101 * 4L);
        float[] expected = before.clone();
        System.arraycopy(source, 40, expected, 17, 101);
        assertArrayEquals(expected, readFloats(backend, dst, 200), "rows 17..117 from 40..140, the rest untouched");

        // queued after a replay: the copy sees the replay's output
        int dim = 64;
        float[] x = Arrays.copyOf(source, dim);
        float[] w = randomFloats(random, dim);
        DeviceBuffer out = poisoned(backend, "norm out", dim);
        TaskGraph g = backend.graph("copy order");
        backend.ops().rmsNorm(g, "norm", out, upload(backend, "x", x), upload(backend, "w", w), 1, dim, 1e-5f);
        DeviceBuffer copied = poisoned(backend, "copied", dim);
        try (GraphPlan plan = g.build()) {
            plan.execute();
            backend.copy(out, 0, copied, 0, dim * 4L);
            assertArrayEquals(readFloats(backend, out, dim), readFloats(backend, copied, dim), "the replay's output, copied");
        }
        float[] expectedNorm = new float[dim];
        RmsNorm.rmsNorm(expectedNorm, x, w, 1, 1e-5f);
        KernelChecks.assertClose(expectedNorm, readFloats(backend, copied, dim), 5e-7, "copied norm");

        assertThrows(IllegalArgumentException.class, () -> backend.copy(src, 0, dst, 150 * 4L, 51 * 4L));
        assertThrows(IllegalArgumentException.class, () -> backend.copy(src, -4, dst, 0, 4));
    }
}
