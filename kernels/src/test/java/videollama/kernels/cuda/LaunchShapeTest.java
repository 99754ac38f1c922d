package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import videollama.kernels.Launch;

/** OpenCL-style launches (work-items, work-group size) in CUDA's terms (blocks, threads per block). */
class LaunchShapeTest {

    @Test
    void groupsBecomeBlocks() {
        assertEquals(new LaunchShape(10, 1, 1, 256, 1, 1), LaunchShape.of(Launch.groups(10, 256), 1024, "t"));
        assertEquals(new LaunchShape(4, 1, 1, 128, 1, 1), LaunchShape.of(Launch.items(500, 128), 1024, "t"));
        assertEquals(new LaunchShape(32, 7, 1, 128, 1, 1), LaunchShape.of(Launch.groups2d(32, 128, 7), 1024, "t"));
        assertEquals(new LaunchShape(2, 3, 4, 8, 4, 2),
                LaunchShape.of(new Launch(new long[] {16, 12, 8}, new long[] {8, 4, 2}), 1024, "t"));
    }

    @Test
    void limitsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> LaunchShape.of(Launch.groups(1, 2048), 4096, "t"));
        assertThrows(IllegalArgumentException.class, () -> LaunchShape.of(Launch.groups(1, 512), 256, "t"));
        assertThrows(IllegalArgumentException.class, () -> LaunchShape.of(Launch.groups2d(1, 32, 70000), 1024, "t"));
        assertThrows(IllegalArgumentException.class, () -> LaunchShape.of(Launch.groups(1L << 32, 32), 1024, "t"));
    }
}
