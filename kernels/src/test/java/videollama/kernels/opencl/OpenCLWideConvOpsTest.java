package videollama.kernels.opencl;

import videollama.kernels.opencl.OpenCLConvOps.Variant;

/** {@link OpenCLConvOpsTest}'s contract on OpenCL's wide convolution (the CPU variant: 8-wide register blocks, patches in local memory). */
class OpenCLWideConvOpsTest extends OpenCLConvOpsTest {
    @Override
    Variant variant() {
        return Variant.WIDE;
    }
}
