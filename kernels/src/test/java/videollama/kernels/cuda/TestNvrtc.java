package videollama.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;

/**
 * The real NVRTC for the tests: NVIDIA's {@code libnvrtc.so.13} and its builtins library from the
 * {@code org.bytedeco:cuda-redist} test dependency, copied out of the jar into {@code target/nvrtc} once (the
 * loader needs files); where the tests run without that jar (the GPU machine's bundle), the machine's own NVRTC,
 * and where there is neither, the calling test is skipped saying so. The CUDA headers NVRTC needs besides
 * ({@code cuda_fp16.h}) come from the machine's CUDA toolkit; tests that compile are skipped, saying so, where
 * there is none.
 */
final class TestNvrtc {
    private static final String FOLDER = "org/bytedeco/cuda/linux-x86_64/";
    private static Path library;

    private TestNvrtc() {}

    /** The extracted libnvrtc.so.13 (its libnvrtc-builtins beside it), or the machine's NVRTC. */
    static synchronized Path library() {
        if (library == null) {
            try {
                library = extract().orElseGet(() -> {
                    Nvrtc.Found found = Nvrtc.find(System.getenv());
                    Assumptions.assumeTrue(found.nvrtc().isPresent(), "no org.bytedeco:cuda-redist on the classpath and " + found.reason());
                    return found.nvrtc().get().library();
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return library;
    }

    /** Bindings to it, loaded as {@code VIDEOLLAMA_NVRTC} would load it. */
    static Nvrtc nvrtc() {
        return Nvrtc.load(library());
    }

    /** The machine's CUDA include folder (the one with cuda_fp16.h), or the calling test is skipped saying there is none. */
    static Path includeFolder() {
        Optional<Path> include = nvrtc().includeFolder(Map.of());
        Assumptions.assumeTrue(include.isPresent(), "no CUDA toolkit headers (cuda_fp16.h) on this machine: NVRTC compiles not tested");
        return include.get();
    }

    /** An environment that points the backend at this NVRTC, the machine's headers and a cache folder of the test's. */
    static Map<String, String> environment(Path cache) {
        Map<String, String> env = new HashMap<>();
        env.put(Nvrtc.LIBRARY_VARIABLE, library().toString());
        env.put(Nvrtc.INCLUDE_VARIABLE, includeFolder().toString());
        env.put(NvrtcKernels.CACHE_VARIABLE, cache.toString());
        return env;
    }

    /** The library copied out of the cuda-redist jar, or empty where that jar is not on the classpath. */
    private static Optional<Path> extract() throws IOException {
        URL url = TestNvrtc.class.getClassLoader().getResource(FOLDER + "libnvrtc.so.13");
        if (url == null) {
            return Optional.empty();
        }
        Path out = Path.of("target", "nvrtc").toAbsolutePath();
        Files.createDirectories(out);
        JarURLConnection connection = (JarURLConnection) url.openConnection();
        connection.setUseCaches(false); // our own JarFile, closed below without closing the class loader's
        try (JarFile jar = connection.getJarFile()) {
            for (JarEntry e : jar.stream().toList()) {
                String name = e.getName();
                if (name.startsWith(FOLDER + "libnvrtc") && !e.isDirectory()) {
                    Path file = out.resolve(name.substring(FOLDER.length()));
                    if (!Files.isRegularFile(file) || Files.size(file) != e.getSize()) {
                        try (InputStream in = jar.getInputStream(e)) {
                            Path tmp = Files.createTempFile(out, "part", ".tmp");
                            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            }
        }
        return Optional.of(out.resolve("libnvrtc.so.13"));
    }
}
