package videollama.tests;

import java.util.Set;
import videollama.kernels.Backend;
import videollama.kernels.cuda.EmulatedCuda;

/**
 * {@link GenerationContract} on the CUDA backend over the CPU emulation of the driver (the device session code is
 * OpenCL's; this runs its cache forks and cuMemcpyDtoDAsync copies through CUDA graphs). Six float32-weight beam
 * cases that between them end by EOS, by the stop criterion and by the length, with 2-4 beams, a repetition penalty
 * and beam sampling (all eleven short ones take the emulator 56 s, these 31 s). Skipped where g++ with C++20
 * is missing.
 */
class EmulatedCudaGenerationTest extends GenerationContract {
    private static final Set<String> CASES = Set.of("stories-eos-b3-lp0.6", "stories-stop-b3", "mha-b4-lp0.6", "long-b3-lp1",
            "gqa-b2-rep1.5", "mha-sample-b2-t1.3");

    EmulatedCudaGenerationTest() {
        super(c -> CASES.contains(c.name()));
    }

    @Override
    Backend open() {
        return EmulatedCuda.openOrSkip();
    }
}
