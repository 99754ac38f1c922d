package videollama.tests;

import videollama.kernels.Backend;
import videollama.kernels.cuda.EmulatedCuda;

/**
 * {@link LlamaDeviceContract} on the CUDA backend over the CPU emulation of the driver: the decode and prefill
 * graphs' Java code and the .cu kernels' logic, end to end, where there is no GPU. Every golden case, the first 64
 * greedy tokens of each (stories260K has 200; all of them take the emulator 40 s, 64 about 10 s). Skipped where
 * g++ with C++20 is missing.
 */
class EmulatedCudaLlamaTest extends LlamaDeviceContract {
    @Override
    Backend open() {
        return EmulatedCuda.openOrSkip();
    }

    @Override
    int greedySteps(int available) {
        return Math.min(available, 64);
    }
}
