package videollama.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.LocalMemory;

/** The kernel-parameter block handed to cuLaunchKernel, checked byte by byte (no GPU needed). */
class KernelParamsTest {

    private static MemorySegment target(KernelParams p, int i) {
        return p.pointers().getAtIndex(ADDRESS, i).reinterpret(8);
    }

    @Test
    void eachParameterPointsAtItsValue() {
        CudaBuffer a = new CudaBuffer("a", 64, 0x7f00_0000_1000L);
        CudaBuffer b = new CudaBuffer("b", 64, 0x7f00_0000_2200L);
        try (Arena arena = Arena.ofConfined()) {
            KernelParams p = KernelParams.of("t", new Object[] {a, 7, 2.5f, -3, b}, arena, CudaBackend::address);
            assertEquals(5, p.count());
            assertEquals(0x7f00_0000_1000L, target(p, 0).get(JAVA_LONG, 0));
            assertEquals(7, target(p, 1).get(JAVA_INT, 0));
            assertEquals(2.5f, target(p, 2).get(JAVA_FLOAT, 0));
            assertEquals(-3, target(p, 3).get(JAVA_INT, 0));
            assertEquals(0x7f00_0000_2200L, target(p, 4).get(JAVA_LONG, 0));
            assertEquals(0, p.sharedMemoryBytes());
        }
    }

    @Test
    void localMemoryArgumentsAreRegionsOfTheOneDynamicSharedArray() {
        try (Arena arena = Arena.ofConfined()) {
            KernelParams p = KernelParams.of("t", new Object[] {new LocalMemory(10), 1, new LocalMemory(4), new LocalMemory(32)}, arena,
                    CudaBackend::address);
            assertEquals(0, target(p, 0).get(JAVA_INT, 0));    // offsets on 16-byte boundaries, in argument order
            assertEquals(1, target(p, 1).get(JAVA_INT, 0));
            assertEquals(16, target(p, 2).get(JAVA_INT, 0));
            assertEquals(32, target(p, 3).get(JAVA_INT, 0));
            assertEquals(64, p.sharedMemoryBytes());
        }
    }

    @Test
    void unsupportedArgumentsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> KernelParams.of("t", new Object[] {1L}, arena, CudaBackend::address));
            assertThrows(IllegalArgumentException.class, () -> KernelParams.of("t", new Object[] {null}, arena, CudaBackend::address));
            assertThrows(IllegalArgumentException.class, () -> KernelParams.of("t", new Object[] {new LocalMemory(0)}, arena, CudaBackend::address));
            DeviceBuffer foreign = new DeviceBuffer() {
                @Override
                public String name() {
                    return "foreign";
                }

                @Override
                public long bytes() {
                    return 4;
                }
            };
            assertThrows(IllegalArgumentException.class, () -> KernelParams.of("t", new Object[] {foreign}, arena, CudaBackend::address));
        }
    }
}
