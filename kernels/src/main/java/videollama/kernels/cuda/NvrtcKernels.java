package videollama.kernels.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import videollama.kernels.KernelSource;

/**
 * The kernels compiled at run time by NVRTC from the {@code .cu} sources in the jar, as cubins for the device's own
 * architecture ({@code sm_XY}): no PTX JIT at load, and the code the device's compiler makes for it. The options
 * are those {@code scripts/build-ptx.sh} gives nvcc (none but the architecture and the CUDA include folder), so
 * both paths compile the same code.
 *
 * <p>A compile takes 0.1–3 s a program, so cubins are kept in memory for the backend and on disk in
 * {@link #cacheFolder} under a SHA-256 of everything that goes into them (NVRTC's version, the options, the source
 * and the headers it includes); a cache that cannot be written is skipped.
 */
final class NvrtcKernels implements KernelImages {
    /** The environment variable naming the cache folder, or {@code off} for none. */
    static final String CACHE_VARIABLE = "VIDEOLLAMA_NVRTC_CACHE";
    private static final Pattern QUOTED_INCLUDE = Pattern.compile("(?m)^\\s*#include \"([^\"]+)\"");

    private final Nvrtc nvrtc;
    private final int version;
    private final int computeCapability;
    private final List<String> options;
    private final Optional<Path> cache;
    private final Map<String, byte[]> compiled = new ConcurrentHashMap<>();

    NvrtcKernels(Nvrtc nvrtc, int version, int computeCapability, Path includeFolder, Optional<Path> cache) {
        this.nvrtc = nvrtc;
        this.version = version;
        this.computeCapability = computeCapability;
        this.options = List.of("--gpu-architecture=sm_" + computeCapability, "-I" + includeFolder);
        this.cache = cache;
    }

    /** {@code $VIDEOLLAMA_NVRTC_CACHE}, else {@code $XDG_CACHE_HOME/videollama/nvrtc} or {@code ~/.cache/videollama/nvrtc}. */
    static Optional<Path> cacheFolder(Map<String, String> env) {
        String named = env.get(CACHE_VARIABLE);
        if (named != null && !named.isBlank()) {
            return named.equalsIgnoreCase("off") ? Optional.empty() : Optional.of(Path.of(named));
        }
        String xdg = env.get("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return Optional.of(base.resolve("videollama").resolve("nvrtc"));
    }

    /** Compiles a one-line kernel over the common header: fails here, not mid-run, where the CUDA headers do not fit this NVRTC. */
    void probe() {
        compile("probe", "#include \"common.cuh\"\nextern \"C\" __global__ void probe(float* x) { x[0] = to_float(x[0]); }\n");
    }

    @Override
    public byte[] image(String program) {
        return compile(program, resource(program + ".cu"));
    }

    @Override
    public String description() {
        return "cubins for sm_" + computeCapability + " compiled by NVRTC " + KernelImages.release(version) + " (" + nvrtc.library()
                + ") from the .cu sources";
    }

    /** The options every program is compiled with. */
    List<String> options() {
        return options;
    }

    private byte[] compile(String program, String source) {
        Map<String, String> headers = headers(source);
        String key = key(program, source, headers);
        return compiled.computeIfAbsent(key, k -> {
            Optional<Path> file = cache.map(dir -> dir.resolve(program + "-sm_" + computeCapability + "-" + k.substring(0, 16) + ".cubin"));
            Optional<byte[]> cached = file.flatMap(NvrtcKernels::read);
            if (cached.isPresent()) {
                return cached.get();
            }
            byte[] cubin = nvrtc.compile(program + ".cu", source, headers, options).cubin();
            file.ifPresent(f -> write(f, cubin));
            return cubin;
        });
    }

    /** The headers the source includes in quotes, and theirs, from the jar (NVRTC reads no files but -I ones). */
    static Map<String, String> headers(String source) {
        Map<String, String> headers = new LinkedHashMap<>();
        collectHeaders(source, headers);
        return headers;
    }

    private static void collectHeaders(String source, Map<String, String> headers) {
        Matcher m = QUOTED_INCLUDE.matcher(source);
        while (m.find()) {
            String name = m.group(1);
            if (!headers.containsKey(name)) {
                String text = resource(name);
                headers.put(name, text);
                collectHeaders(text, headers);
            }
        }
    }

    private String key(String program, String source, Map<String, String> headers) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder all = new StringBuilder().append(version).append('\0').append(program).append('\0');
            options.forEach(o -> all.append(o).append('\0'));
            all.append(source).append('\0');
            headers.forEach((name, text) -> all.append(name).append('\0').append(text).append('\0'));
            return HexFormat.of().formatHex(sha.digest(all.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Optional<byte[]> read(Path file) {
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readAllBytes(file)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Written to a temporary file first and moved into place, so a reader never sees half a cubin. */
    private static void write(Path file, byte[] cubin) {
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, cubin);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // no cache then: the next run compiles again
        }
    }

    /** A kernel source or header beside this class in the jar. */
    static String resource(String name) {
        return KernelSource.text(NvrtcKernels.class, name);
    }
}
