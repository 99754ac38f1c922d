package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.ConvOpsContract;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLConvOps.Variant;

/** {@link ConvOpsContract} on OpenCL's wide convolution (the CPU variant: 8-wide register blocks, patches in local memory). */
class OpenCLWideConvOpsTest extends ConvOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    @Override
    protected OpenCLBackend backend() {
        return openCL.get();
    }

    @Override
    protected void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                  DeviceBuffer bias, int batch, int height, int width, int stride) {
        new OpenCLConvOps(backend(), Variant.WIDE).patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }
}
