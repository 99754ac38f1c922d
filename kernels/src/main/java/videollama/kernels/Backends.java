package videollama.kernels;

import java.util.List;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.kernels.opencl.OpenCLDevices;
import videollama.kernels.reference.ReferenceBackend;

/** Opens a backend by name, or picks the best one this machine has. */
public final class Backends {
    public static final List<String> NAMES = List.of("reference", "opencl", "cuda");

    private Backends() {}

    /** Opens the named backend; an unknown name is an {@link IllegalArgumentException}, a missing device a {@link BackendUnavailableException}. */
    public static Backend open(String name) {
        return switch (name) {
            case "reference" -> new ReferenceBackend();
            case "opencl" -> OpenCLBackend.open();
            case "cuda" -> throw new BackendUnavailableException(name, "not built yet (issue #3 is under way); use --backend opencl or reference");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (choose one of " + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * The best backend available here: OpenCL on a GPU if there is one, else the reference path (OpenCL on a
     * CPU, PoCL, is not yet faster than it; choose it with {@code --backend opencl}).
     */
    public static Backend openBest() {
        try {
            if (OpenCLDevices.list().stream().anyMatch(d -> !d.isCpu())) {
                return OpenCLBackend.open();
            }
        } catch (BackendUnavailableException e) {
            // no OpenCL here: fall through
        }
        return new ReferenceBackend();
    }
}
