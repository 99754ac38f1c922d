package videollama.tests;

import videollama.kernels.Backend;

/**
 * {@link GenerationContract} on OpenCL (PoCL in CI): every beam on its own device session, the prompt prefilled once
 * and its cache forked, beams' rows copied on the device. The float32-weight cases: the F16/BF16 models decode with an
 * fp16 key/value cache there (logits within 1e-2), too coarse for candidates 1e-4 apart.
 */
class OpenCLGenerationTest extends GenerationContract {
    OpenCLGenerationTest() {
        super(Case::float32Weights);
    }

    @Override
    Backend open() {
        return TestFiles.openClOrSkip();
    }
}
