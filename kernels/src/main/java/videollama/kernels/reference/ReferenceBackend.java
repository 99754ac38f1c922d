package videollama.kernels.reference;

import videollama.kernels.Backend;

/** Plain Java on the CPU, float32 arithmetic: the oracle. Its ops are the static methods of this package. */
public final class ReferenceBackend implements Backend {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String device() {
        return "plain Java, float32, " + Runtime.getRuntime().availableProcessors() + " CPU threads";
    }

    @Override
    public void close() {}
}
