package videollama.tests;

import videollama.kernels.Backend;
import videollama.kernels.cuda.EmulatedCuda;

/**
 * {@link AudioDeviceContract} on the CUDA backend over the CPU emulation of the driver: ImageBind's audio encoder,
 * the audio Q-Former and audio_llama_proj as CUDA task graphs, end to end, where there is no GPU. Every case.
 * Skipped where g++ with C++20 is missing.
 */
class EmulatedCudaAudioTest extends AudioDeviceContract {
    @Override
    Backend open() {
        return EmulatedCuda.openOrSkip();
    }
}
