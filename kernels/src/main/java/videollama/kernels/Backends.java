package videollama.kernels;

import java.util.List;
import videollama.kernels.cuda.CudaBackend;
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
            case "cuda" -> CudaBackend.open();
            default -> throw new IllegalArgumentException("unknown backend '" + name + "' (choose one of " + String.join(", ", NAMES) + ")");
        };
    }

    /**
     * The best backend available here: CUDA if there is an NVIDIA driver, else OpenCL on a GPU, else the
     * reference path (OpenCL on a CPU, PoCL, is not faster than it at the bundled model's size; choose it with
     * {@code --backend opencl}).
     */
    public static Backend openBest() {
        try {
            return CudaBackend.open();
        } catch (BackendUnavailableException e) {
            // no NVIDIA driver: try OpenCL
        }
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
