package videollama.kernels.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static videollama.kernels.Downcalls.call;
import static videollama.kernels.Downcalls.downcall;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * NVRTC, CUDA's run-time compiler ({@code libnvrtc.so}), through {@code java.lang.foreign}: CUDA C source in, a
 * cubin for the GPU at hand (or PTX) out. Only the calls a compile needs are bound; each turns its
 * {@code nvrtcResult} into an {@link NvrtcException} naming the call and the error.
 *
 * <p>NVRTC is not part of the driver: it comes with the CUDA toolkit or with PyTorch's pip packages. {@link #find}
 * looks where those put it. It loads {@code libnvrtc-builtins.so.X.Y} by name at its first compile, so where
 * NVRTC is found by path (not on the loader's search path) the builtins beside it are loaded first.
 */
final class Nvrtc {
    /** The environment variable naming the library file, or {@code off} to leave NVRTC unused. */
    static final String LIBRARY_VARIABLE = "VIDEOLLAMA_NVRTC";
    /** The environment variable naming the CUDA include folder (where {@code cuda_fp16.h} is). */
    static final String INCLUDE_VARIABLE = "VIDEOLLAMA_CUDA_INCLUDE";
    /** Sonames tried on the loader's search path, newest first. */
    private static final List<String> SONAMES = List.of("libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so");

    private static final int SUCCESS = 0;

    private final Path library;
    private final MethodHandle version;
    private final MethodHandle getNumSupportedArchs;
    private final MethodHandle getSupportedArchs;
    private final MethodHandle getErrorString;
    private final MethodHandle createProgram;
    private final MethodHandle compileProgram;
    private final MethodHandle destroyProgram;
    private final ProgramOutput programLog;
    private final ProgramOutput cubin;
    private final ProgramOutput ptx;

    /**
     * One of a program's outputs, read by two calls: {@code <call>Size(program, size_t*)} for its bytes, then
     * {@code <call>(program, char*)}.
     */
    private record ProgramOutput(String call, MethodHandle size, MethodHandle get) {
        static ProgramOutput bind(SymbolLookup lib, String call) {
            return new ProgramOutput(call, Nvrtc.bind(lib, call + "Size", ADDRESS, ADDRESS), Nvrtc.bind(lib, call, ADDRESS, ADDRESS));
        }
    }

    /** What a compile made: the cubin (when compiled for a real {@code sm_XY}), the PTX, and NVRTC's log. */
    record Output(byte[] cubin, String ptx, String log) {}

    private Nvrtc(SymbolLookup lib, Path library) {
        this.library = library;
        version = bind(lib, "nvrtcVersion", ADDRESS, ADDRESS);
        getNumSupportedArchs = bind(lib, "nvrtcGetNumSupportedArchs", ADDRESS);
        getSupportedArchs = bind(lib, "nvrtcGetSupportedArchs", ADDRESS);
        getErrorString = downcall(symbol(lib, "nvrtcGetErrorString"), ADDRESS, JAVA_INT);
        createProgram = bind(lib, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        compileProgram = bind(lib, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
        destroyProgram = bind(lib, "nvrtcDestroyProgram", ADDRESS);
        programLog = ProgramOutput.bind(lib, "nvrtcGetProgramLog");
        cubin = ProgramOutput.bind(lib, "nvrtcGetCUBIN");
        ptx = ProgramOutput.bind(lib, "nvrtcGetPTX");
    }

    /**
     * NVRTC from {@code $VIDEOLLAMA_NVRTC}, the loader's search path, {@code $CUDA_HOME} / {@code $CUDA_PATH}, or
     * {@code /usr/local/cuda}; or why there is none. {@code VIDEOLLAMA_NVRTC=off} leaves it unused.
     */
    static Found find(Map<String, String> env) {
        String named = env.get(LIBRARY_VARIABLE);
        if (named != null && !named.isBlank()) {
            if (named.equalsIgnoreCase("off")) {
                return Found.none(LIBRARY_VARIABLE + "=off");
            }
            try {
                return Found.of(load(Path.of(named)));
            } catch (NvrtcException e) {
                return Found.none(e.getMessage());
            }
        }
        for (String soname : SONAMES) {
            try {
                SymbolLookup lib = SymbolLookup.libraryLookup(soname, Arena.global());
                return Found.of(new Nvrtc(lib, loadedFrom(soname).orElse(Path.of(soname))));
            } catch (IllegalArgumentException | NvrtcException e) {
                // not on the search path: try the next name, then the usual folders
            }
        }
        List<Path> folders = new ArrayList<>();
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(variable);
            if (home != null && !home.isBlank()) {
                folders.add(Path.of(home, "lib64"));
                folders.add(Path.of(home, "lib"));
            }
        }
        folders.add(Path.of("/usr/local/cuda/lib64"));
        for (Path folder : folders) {
            Optional<Path> file = newest(folder, "libnvrtc.so.");
            if (file.isPresent()) {
                try {
                    return Found.of(load(file.get()));
                } catch (NvrtcException e) {
                    return Found.none(e.getMessage());
                }
            }
        }
        return Found.none("no libnvrtc.so on the library path, in $CUDA_HOME or in /usr/local/cuda (set " + LIBRARY_VARIABLE
                + " to the file)");
    }

    /** NVRTC from this file, its builtins library (in the same folder) loaded first. */
    static Nvrtc load(Path library) {
        if (!Files.isRegularFile(library)) {
            throw new NvrtcException(LIBRARY_VARIABLE + ": no file " + library);
        }
        newest(library.toAbsolutePath().getParent(), "libnvrtc-builtins.so.").ifPresent(builtins -> {
            try {
                SymbolLookup.libraryLookup(builtins, Arena.global());
            } catch (IllegalArgumentException e) {
                // NVRTC will say it cannot open its builtins at the first compile
            }
        });
        try {
            return new Nvrtc(SymbolLookup.libraryLookup(library, Arena.global()), library);
        } catch (IllegalArgumentException e) {
            throw new NvrtcException("cannot open " + library + ": " + e.getMessage());
        }
    }

    /** A library found, or the reason there is none. */
    record Found(Optional<Nvrtc> nvrtc, String reason) {
        static Found of(Nvrtc nvrtc) {
            return new Found(Optional.of(nvrtc), "");
        }

        static Found none(String reason) {
            return new Found(Optional.empty(), reason);
        }
    }

    /** The file this process mapped for a library loaded by soname (read from /proc/self/maps; Linux only). */
    private static Optional<Path> loadedFrom(String soname) {
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(p -> p.startsWith("/") && Path.of(p).getFileName().toString().startsWith(soname))
                    .findFirst().map(Path::of);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The file in the folder whose name starts with the prefix, the highest version first. */
    private static Optional<Path> newest(Path folder, String prefix) {
        if (folder == null || !Files.isDirectory(folder)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && Files.isRegularFile(f))
                    .max((a, b) -> compareVersions(a.getFileName().toString(), b.getFileName().toString()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Compares {@code libx.so.13.1} with {@code libx.so.13.0.8} number by number. */
    private static int compareVersions(String a, String b) {
        String[] x = a.replaceAll("[^0-9.]", "").split("\\.");
        String[] y = b.replaceAll("[^0-9.]", "").split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int u = i < x.length && !x[i].isEmpty() ? Integer.parseInt(x[i]) : -1;
            int v = i < y.length && !y[i].isEmpty() ? Integer.parseInt(y[i]) : -1;
            if (u != v) {
                return Integer.compare(u, v);
            }
        }
        return 0;
    }

    /**
     * The folder holding the CUDA toolkit's {@code cuda_fp16.h}, which NVRTC does not carry: {@code
     * $VIDEOLLAMA_CUDA_INCLUDE}, {@code $CUDA_HOME/include}, {@code $CUDA_PATH/include}, the {@code include} folder
     * beside NVRTC's own (toolkit and CUDA 13 pip layout), the pip CUDA 12 runtime's, {@code /usr/local/cuda/include},
     * {@code /usr/include}.
     */
    Optional<Path> includeFolder(Map<String, String> env) {
        List<Path> candidates = new ArrayList<>();
        String named = env.get(INCLUDE_VARIABLE);
        if (named != null && !named.isBlank()) {
            candidates.add(Path.of(named));
        }
        for (String variable : List.of("CUDA_HOME", "CUDA_PATH")) {
            String home = env.get(variable);
            if (home != null && !home.isBlank()) {
                candidates.add(Path.of(home, "include"));
            }
        }
        Path libFolder = library.toAbsolutePath().getParent();
        if (libFolder != null && libFolder.getParent() != null) {
            candidates.add(libFolder.resolveSibling("include"));
            candidates.add(libFolder.getParent().resolveSibling("cuda_runtime").resolve("include"));
        }
        candidates.add(Path.of("/usr/local/cuda/include"));
        candidates.add(Path.of("/usr/include"));
        return candidates.stream().filter(d -> Files.isRegularFile(d.resolve("cuda_fp16.h"))).findFirst();
    }

    Path library() {
        return library;
    }

    /** NVRTC's version as {@code major * 1000 + minor * 10}, the form {@code cuDriverGetVersion} uses. */
    int version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT);
            MemorySegment minor = a.allocate(JAVA_INT);
            check("nvrtcVersion", call(version, major, minor));
            return major.get(JAVA_INT, 0) * 1000 + minor.get(JAVA_INT, 0) * 10;
        }
    }

    /** The real architectures this NVRTC compiles for, as compute capabilities ({@code 90} for sm_90). */
    List<Integer> supportedArchitectures() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(JAVA_INT);
            check("nvrtcGetNumSupportedArchs", call(getNumSupportedArchs, count));
            MemorySegment archs = a.allocate(JAVA_INT, Math.max(1, count.get(JAVA_INT, 0)));
            check("nvrtcGetSupportedArchs", call(getSupportedArchs, archs));
            List<Integer> list = new ArrayList<>();
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                list.add(archs.getAtIndex(JAVA_INT, i));
            }
            return list;
        }
    }

    /**
     * Compiles one translation unit. {@code headers} maps the names it includes in quotes to their text;
     * {@code options} are NVRTC's (e.g. {@code --gpu-architecture=sm_90}, {@code -I/usr/local/cuda/include}). The
     * cubin is empty when the architecture is virtual ({@code compute_XY}). A compile error throws
     * {@link NvrtcException} whose message is the first error line of the log.
     */
    Output compile(String name, String source, Map<String, String> headers, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment program = a.allocate(ADDRESS);
            MemorySegment headerTexts = a.allocate(ADDRESS, Math.max(1, headers.size()));
            MemorySegment headerNames = a.allocate(ADDRESS, Math.max(1, headers.size()));
            int i = 0;
            for (Map.Entry<String, String> h : headers.entrySet()) {
                headerNames.setAtIndex(ADDRESS, i, a.allocateFrom(h.getKey(), StandardCharsets.UTF_8));
                headerTexts.setAtIndex(ADDRESS, i, a.allocateFrom(h.getValue(), StandardCharsets.UTF_8));
                i++;
            }
            check("nvrtcCreateProgram(" + name + ")", call(createProgram, program, a.allocateFrom(source, StandardCharsets.UTF_8),
                    a.allocateFrom(name, StandardCharsets.UTF_8), headers.size(), headerTexts, headerNames));
            MemorySegment handle = program.get(ADDRESS, 0);
            try {
                MemorySegment optionArray = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int k = 0; k < options.size(); k++) {
                    optionArray.setAtIndex(ADDRESS, k, a.allocateFrom(options.get(k), StandardCharsets.UTF_8));
                }
                int rc = call(compileProgram, handle, options.size(), optionArray);
                String log = text(handle, programLog, a);
                if (rc != SUCCESS) {
                    throw NvrtcException.compileError(name, errorString(rc), log);
                }
                String ptxText = text(handle, ptx, a);
                byte[] cubinBytes = options.stream().anyMatch(o -> o.matches("(--gpu-architecture=|-arch=?)sm_\\w+"))
                        ? bytes(handle, cubin, a)
                        : new byte[0];
                return new Output(cubinBytes, ptxText, log);
            } finally {
                check("nvrtcDestroyProgram", call(destroyProgram, program));
            }
        }
    }

    private String text(MemorySegment program, ProgramOutput output, Arena a) {
        byte[] b = bytes(program, output, a);
        int n = b.length;
        while (n > 0 && b[n - 1] == 0) {
            n--; // the sizes count the terminating NUL
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }

    private byte[] bytes(MemorySegment program, ProgramOutput output, Arena a) {
        MemorySegment n = a.allocate(JAVA_LONG);
        check(output.call() + "Size", call(output.size(), program, n));
        long bytes = n.get(JAVA_LONG, 0);
        if (bytes == 0) {
            return new byte[0];
        }
        MemorySegment buffer = a.allocate(bytes);
        check(output.call(), call(output.get(), program, buffer));
        return buffer.toArray(JAVA_BYTE);
    }

    private String errorString(int code) {
        try {
            MemorySegment p = (MemorySegment) getErrorString.invokeExact(code);
            return p.equals(MemorySegment.NULL) ? "nvrtcResult " + code : p.reinterpret(256).getString(0, StandardCharsets.US_ASCII);
        } catch (Throwable t) {
            return "nvrtcResult " + code;
        }
    }

    private void check(String call, int code) {
        if (code != SUCCESS) {
            throw new NvrtcException(call + " failed: " + errorString(code));
        }
    }

    private static MemorySegment symbol(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new NvrtcException("the NVRTC library has no " + name + " (older than CUDA 11.2?)"));
    }

    /** A function returning an {@code nvrtcResult} (an int). */
    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... params) {
        return downcall(symbol(lib, name), JAVA_INT, params);
    }
}
