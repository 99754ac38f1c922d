package videollama.tests;

import videollama.kernels.Backend;

/** {@link AudioDeviceContract} on the OpenCL backend (PoCL in CI), every case. */
class OpenCLAudioTest extends AudioDeviceContract {
    @Override
    Backend open() {
        return TestFiles.openClOrSkip();
    }
}
