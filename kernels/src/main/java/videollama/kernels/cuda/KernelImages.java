package videollama.kernels.cuda;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the CUDA backend's modules come from: cubins that NVRTC compiles from the {@code .cu} sources for the
 * device at hand, or, where that cannot be done, the PTX committed beside the sources (compute_80, which the
 * driver compiles for the device when it loads it).
 */
sealed interface KernelImages permits CommittedPtx, NvrtcKernels {
    /** The module image of a program (a resource name without extension, e.g. {@code gemm}) for cuModuleLoadData. */
    byte[] image(String program);

    /** What the images are and, for the committed PTX, why NVRTC is not used; one line for {@code devices}. */
    String description();

    /**
     * NVRTC's cubins where NVRTC is found ({@link Nvrtc#find}), is not of a newer major release than the driver
     * (a CUDA 13 cubin does not load on a CUDA 12 driver; within a major release newer cubins load on older
     * drivers), compiles for this device's architecture, finds the CUDA headers and compiles the kernels' common
     * header; otherwise the committed PTX, saying which of these failed.
     */
    static KernelImages choose(int computeCapability, int driverVersion, Map<String, String> env) {
        Nvrtc.Found found = Nvrtc.find(env);
        if (found.nvrtc().isEmpty()) {
            return new CommittedPtx("NVRTC not used: " + found.reason());
        }
        Nvrtc nvrtc = found.nvrtc().get();
        try {
            int version = nvrtc.version();
            if (version / 1000 > driverVersion / 1000) {
                return new CommittedPtx("NVRTC " + release(version) + " is newer than the driver's CUDA " + release(driverVersion)
                        + ": its cubins would not load");
            }
            if (!nvrtc.supportedArchitectures().contains(computeCapability)) {
                return new CommittedPtx("NVRTC " + release(version) + " does not compile for sm_" + computeCapability);
            }
            Optional<Path> include = nvrtc.includeFolder(env);
            if (include.isEmpty()) {
                return new CommittedPtx("NVRTC " + release(version) + " found, but not the CUDA headers (cuda_fp16.h): set "
                        + Nvrtc.INCLUDE_VARIABLE);
            }
            NvrtcKernels kernels = new NvrtcKernels(nvrtc, version, computeCapability, include.get(), NvrtcKernels.cacheFolder(env));
            kernels.probe();
            return kernels;
        } catch (NvrtcException e) {
            return new CommittedPtx("NVRTC not used: " + e.getMessage());
        } catch (RuntimeException e) {
            // a library that misbehaves (a foreign call failing) must not take the backend down: the PTX still works
            return new CommittedPtx("NVRTC not used: " + e);
        }
    }

    /** {@code 13010} as {@code 13.1}. */
    static String release(int version) {
        return version / 1000 + "." + version % 1000 / 10;
    }
}
