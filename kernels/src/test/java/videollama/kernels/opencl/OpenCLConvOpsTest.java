package videollama.kernels.opencl;

import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.ConvOpsContract;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.kernels.TestBackend;
import videollama.kernels.opencl.OpenCLConvOps.Variant;

/**
 * {@link ConvOpsContract} on OpenCL's tiled convolution (the GPU variant, run on whatever device there is; the wide
 * one for CPUs is {@link OpenCLWideConvOpsTest}); which variant a device gets is in {@link OpenCLVariantsTest}.
 */
class OpenCLConvOpsTest extends ConvOpsContract {
    @RegisterExtension
    static final TestBackend<OpenCLBackend> openCL = TestBackend.openCL();

    OpenCLConvOpsTest() {
        super(openCL);
    }

    @Override
    protected void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                                  DeviceBuffer bias, int batch, int height, int width, int stride) {
        new OpenCLConvOps(openCL.get(), variant()).patchEmbedding(g, name, out, images, weight, bias, batch, height, width, stride);
    }

    /** The variant under test. */
    Variant variant() {
        return Variant.TILED;
    }
}
