package videollama.tests;

import java.util.Set;
import java.util.stream.Stream;
import videollama.kernels.Backend;
import videollama.kernels.cuda.EmulatedCuda;

/**
 * {@link PrefillDeviceContract} on the CUDA backend over the CPU emulation of the driver: the batched prefill graph
 * (GEMMs, row-wise RoPE and cache writes, causal attention over the cache) against the decode graph fed position
 * by position, and decode after it. The emulator runs a decode step of these models in some 30 to 60 ms, so the
 * cases are the four with short inputs (stories260K's 210 tokens and long-context's would add about 90 s; the
 * long-context model still runs the input longer than one pass), and that input is 520 tokens instead of 700.
 * Skipped where g++ with C++20 is missing.
 */
class EmulatedCudaPrefillTest extends PrefillDeviceContract {
    private static final Set<String> CASES = Set.of("bf16", "gqa-tied-theta", "mha-untied", "odd-f16");

    @Override
    Backend open() {
        return EmulatedCuda.openOrSkip();
    }

    @Override
    Stream<LlamaGoldenTest.Case> cases() throws Exception {
        return super.cases().filter(c -> CASES.contains(c.name()));
    }

    @Override
    int longInputTokens() {
        return 520;
    }
}
