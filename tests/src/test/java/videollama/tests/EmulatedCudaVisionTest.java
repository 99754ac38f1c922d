package videollama.tests;

import videollama.kernels.Backend;
import videollama.kernels.cuda.EmulatedCuda;

/**
 * {@link VisionDeviceContract} on the CUDA backend over the CPU emulation of the driver: the ViT (patch embedding,
 * fused attention, GEMMs), the Q-Formers and llama_proj as CUDA task graphs, end to end, where there is no GPU.
 * Every case. Skipped where g++ with C++20 is missing.
 */
class EmulatedCudaVisionTest extends VisionDeviceContract {
    @Override
    Backend open() {
        return EmulatedCuda.openOrSkip();
    }
}
