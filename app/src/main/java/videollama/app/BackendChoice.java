package videollama.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import picocli.CommandLine;
import videollama.kernels.Backend;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.DeviceInfo;
import videollama.kernels.cuda.CudaBackend;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.kernels.opencl.OpenCLDevices;
import videollama.kernels.reference.ReferenceBackend;

/**
 * The backend a model runs on, and the stderr line that says which and why. {@code --backend NAME} opens that one.
 * Without it: CUDA with an NVIDIA driver, else OpenCL on a GPU, else OpenCL on the CPU (PoCL) when the model's weights
 * are large enough for it to win, else the plain-Java reference path.
 *
 * @param backend the opened backend (the caller closes it)
 * @param line    "backend: NAME (device)", with the reason when it was not named
 */
public record BackendChoice(Backend backend, String line) {
    /**
     * From this many bytes of weights (the model folder's {@code *.safetensors}), OpenCL on the CPU answers sooner than
     * the reference path. Below it both take seconds and the device's fixed start (opening it, building the kernels,
     * uploading the weights: about 1.5–2.5 s on PoCL with its kernel cache warm) outweighs its faster steps; measured on
     * the 2-core build VM, docs/benchmarks.md "Default backend: where OpenCL on the CPU overtakes the reference path".
     */
    public static final long CPU_OPENCL_MIN_WEIGHT_BYTES = 64_000_000L;

    /** {@code --backend name}, or the best backend this machine has for the model in {@code modelDir} when it is null. */
    public static BackendChoice open(CommandLine cli, String name, Path modelDir) {
        if (name != null) {
            Backend b = OptionValues.backend(cli, name);
            return new BackendChoice(b, "backend: " + b.name() + " (" + b.device() + ")");
        }
        try {
            return chosen(CudaBackend.open(), "an NVIDIA GPU");
        } catch (BackendUnavailableException e) {
            // no NVIDIA driver: OpenCL next
        }
        List<DeviceInfo> devices;
        try {
            devices = OpenCLDevices.list();
        } catch (BackendUnavailableException e) {
            devices = List.of();
        }
        if (devices.stream().anyMatch(d -> !d.isCpu())) {
            return chosen(OpenCLBackend.open(), "a GPU through OpenCL");
        }
        long bytes = weightBytes(modelDir);
        if (devices.isEmpty()) {
            return chosen(new ReferenceBackend(), "no GPU and no OpenCL device here");
        }
        if (bytes >= CPU_OPENCL_MIN_WEIGHT_BYTES) {
            return chosen(OpenCLBackend.open(), "no GPU here, and the model's " + size(bytes) + " of weights are above the "
                    + size(CPU_OPENCL_MIN_WEIGHT_BYTES) + " from which OpenCL on the CPU is faster than the reference path;"
                    + " --backend reference for that");
        }
        return chosen(new ReferenceBackend(), "no GPU here, and the model's " + size(bytes) + " of weights are below the "
                + size(CPU_OPENCL_MIN_WEIGHT_BYTES) + " from which OpenCL on the CPU is faster; --backend opencl for that");
    }

    private static BackendChoice chosen(Backend b, String why) {
        return new BackendChoice(b, "backend: " + b.name() + " (" + b.device() + "), the default: " + why);
    }

    /** The bytes of the folder's {@code *.safetensors} files, from their sizes (nothing is read); 0 for no folder. */
    static long weightBytes(Path modelDir) {
        if (!Files.isDirectory(modelDir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(modelDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".safetensors") && Files.isRegularFile(f))
                    .mapToLong(BackendChoice::sizeOf).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "1.9 MB", "13.5 GB" (decimal units). */
    static String size(long bytes) {
        return bytes >= 1e9 ? String.format(Locale.ROOT, "%.1f GB", bytes / 1e9) : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
