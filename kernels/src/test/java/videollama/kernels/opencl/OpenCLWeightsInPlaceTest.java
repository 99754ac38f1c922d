package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.kernels.KernelChecks.poisoned;
import static videollama.kernels.KernelChecks.randomFloats;
import static videollama.kernels.KernelChecks.readFloats;
import static videollama.kernels.KernelChecks.upload;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelChecks;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLGemvOps.Variant;
import videollama.testing.SeededRandom;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * Weights of a file mapping on a device that shares host memory (PoCL): the buffer is the mapping itself
 * ({@code CL_MEM_HOST_PTR} is the tensor's address in the mapping), a kernel reads the right numbers through it,
 * and a tensor whose address misses the device's alignment is copied instead (its buffer has no host pointer).
 * On a device of its own memory every weight is copied.
 */
class OpenCLWeightsInPlaceTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @TempDir
    Path dir;

    @Test
    void mappedWeightsAreUsedInPlaceWhereAligned() {
        OpenCLBackend backend = openCL.get();
        // a: 64 x 64 f32 at the data start (a page); b: 37 x 53 f16 at byte 16,384 of the data (aligned); c after b's
        // 3,922 bytes, at an offset that is a multiple of 2 only, so misaligned for any device alignment above 2
        Tensor a = Tensor.ofFloats("a", randomFloats(random, 64 * 64), 64, 64);
        Tensor b = Tensor.ofFloats("b", randomFloats(random, 37 * 53), 37, 53).convertTo(DType.F16);
        Tensor c = Tensor.ofFloats("c", randomFloats(random, 16), 16);
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(file, List.of(a, b, c), Map.of());
        OpenCLBackend.WeightMemory before = backend.weightMemory();
        try (SafetensorsFile weights = SafetensorsFile.open(file)) {
            Tensor mappedB = weights.find("b").orElseThrow();
            List<DeviceTensor> uploaded = List.of(backend.upload(weights.find("a").orElseThrow()), backend.upload(mappedB),
                    backend.upload(weights.find("c").orElseThrow()));
            OpenCLBackend.WeightMemory after = backend.weightMemory();
            long inPlace = after.wrappedBytes() - before.wrappedBytes();
            long copied = after.copiedBytes() - before.copiedBytes();
            if (!backend.sharesHostMemory()) {
                uploaded.forEach(t -> assertEquals(0, backend.hostPointer(t.buffer()), t.name() + " is a copy"));
                assertEquals(0, inPlace);
                return;
            }
            for (int i = 0; i < 2; i++) {
                DeviceTensor t = uploaded.get(i);
                assertEquals(weights.find(t.name()).orElseThrow().data().address(), backend.hostPointer(t.buffer()),
                        t.name() + " wraps its bytes of the mapping");
            }
            assertEquals(0, backend.hostPointer(uploaded.get(2).buffer()), "c, misaligned, is a copy");
            assertEquals(64 * 64 * 4 + 37 * 53 * 2, inPlace);
            assertEquals(16 * 4, copied);

            // a kernel reads b through the mapping: the product matches the reference
            float[] x = randomFloats(random, 53);
            KernelChecks.Sums expected = KernelChecks.matVecReference(mappedB, x, null);
            DeviceBuffer out = poisoned(backend, "out", 37);
            TaskGraph g = backend.graph("in place");
            new OpenCLGemvOps(backend, Variant.WIDE, 0).matVec(g, "matvec", out, uploaded.get(1), upload(backend, "x", x), false);
            KernelChecks.runOnce(g);
            KernelChecks.assertSumsClose(expected, readFloats(backend, out, 37), 3e-7, "matVec over the mapping");

            // the mapping is read-only: writes into it are refused before they reach the driver
            DeviceBuffer inPlaceB = uploaded.get(1).buffer();
            assertThrows(IllegalArgumentException.class, () -> backend.fill(inPlaceB, 0));
            try (Arena arena = Arena.ofConfined()) {
                assertThrows(IllegalArgumentException.class, () -> backend.write(inPlaceB, arena.allocate(8)));
            }
            assertNotEquals(0, backend.hostPointer(inPlaceB));
        }
    }
}
