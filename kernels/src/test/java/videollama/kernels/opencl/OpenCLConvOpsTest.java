package videollama.kernels.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.ConvOpsContract;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLConvOps.Variant;

/**
 * {@link ConvOpsContract} on OpenCL's tiled convolution (the GPU variant, run on whatever device there is; the wide
 * one for CPUs is {@link OpenCLWideConvOpsTest}), and which variant a device gets.
 */
class OpenCLConvOpsTest extends ConvOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @Override
    protected OpenCLBackend backend() {
        return openCL.get();
    }

    @Override
    protected void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                  DeviceBuffer bias, int batch, int height, int width, int stride) {
        new OpenCLConvOps(backend(), Variant.TILED).patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    @Test
    void theDeviceKindPicksTheVariant() {
        Variant expected = backend().info().isCpu() && !"0".equals(System.getenv("VIDEOLLAMA_OPENCL_WIDE")) ? Variant.WIDE : Variant.TILED;
        assertEquals(expected, new OpenCLConvOps(backend()).variant());
    }
}
