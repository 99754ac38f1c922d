package videollama.tests;

import videollama.kernels.Backend;

/** {@link VisionDeviceContract} on the OpenCL backend (PoCL in CI), every case. */
class OpenCLVisionTest extends VisionDeviceContract {
    @Override
    Backend open() {
        return TestFiles.openClOrSkip();
    }
}
