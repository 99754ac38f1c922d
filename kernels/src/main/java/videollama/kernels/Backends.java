package videollama.kernels;

import java.util.List;
import videollama.kernels.reference.ReferenceBackend;

/** Opens a backend by name, or picks the best one this machine has. */
public final class Backends {
    public static final List<String> NAMES = List.of("reference", "opencl", "cuda");

    private Backends() {}

    /** Opens the named backend; an unknown name is an {@link IllegalArgumentException}, a missing device a {@link BackendUnavailableException}. */
    public static Backend open(String name) {
        return switch (name) {
            case "reference" -> new ReferenceBackend();
            case "opencl", "cuda" -> throw new BackendUnavailableException(name, "not built yet (the device backends are issue #3); use --backend reference");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (choose one of " + String.join(", ", NAMES) + ")");
        };
    }

    /** The best backend available here. Until the device backends land that is always {@code reference}. */
    public static Backend openBest() {
        return new ReferenceBackend();
    }
}
