package videollama.tests;

import videollama.kernels.Backend;
import videollama.kernels.Backends;

/** {@link GenerationContract} on the reference path: every golden case, the F16 and BF16 models included. */
class GenerationGoldenTest extends GenerationContract {
    @Override
    Backend open() {
        return Backends.open("reference");
    }
}
