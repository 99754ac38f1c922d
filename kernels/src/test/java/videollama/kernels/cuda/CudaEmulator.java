package videollama.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * The CUDA driver emulated on the CPU, for the Emulated* tests where there is no GPU: {@code emulator/driver.cpp}
 * (the driver functions CudaDriver binds, over host memory) and the kernels of the .cu sources, compiled with g++
 * against {@code emulator/cuda_shim.h} (fibers standing in for a block's CUDA threads, barriers between them for
 * {@code __syncthreads} and warp shuffles) into one shared library, built once per test run. The kernel table is
 * generated from the entry points of the committed PTX, so every kernel the backend can load is there. Tests that
 * need it are skipped where g++ with C++20 is missing.
 */
final class CudaEmulator {
    /** The one form of dynamic shared memory the kernels use, and what the emulator puts in its place. */
    static final String DYNAMIC_SHARED = "extern __shared__ __align__(16) unsigned char dynamic_shared[];";
    private static final String EMULATED_SHARED = "unsigned char* dynamic_shared = emu_dynamic_shared;";

    private static Path library;
    private static String unavailable;

    private CudaEmulator() {}

    /** A backend on the emulated driver, or the calling test is skipped saying why there is none. */
    static CudaBackend open() {
        return CudaBackend.open(CudaDriver.load(library()));
    }

    /** The emulator library, built at the first call; skips the calling test where it cannot be built here. */
    static synchronized Path library() {
        if (library == null && unavailable == null) {
            try {
                build();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Assumptions.assumeTrue(library != null, () -> "no CUDA emulator: " + unavailable);
        return library;
    }

    private static void build() throws IOException {
        Optional<Path> gxx = CudaTestSupport.onPath("g++");
        if (gxx.isEmpty()) {
            unavailable = "g++ is not on the PATH";
            return;
        }
        Path dir = Files.createTempDirectory("cuda-emulator");
        dir.toFile().deleteOnExit();
        Files.writeString(dir.resolve("probe.cpp"),
                "#include <ucontext.h>\nint main() { ucontext_t c; getcontext(&c); _Float16 h = 1; return (int)h - 1; }\n");
        CudaTestSupport.Result probe = CudaTestSupport.run(dir, gxx.get().toString(), "-std=c++20", "-pthread", "probe.cpp", "-o", "probe");
        if (probe.exitCode() != 0) {
            unavailable = "g++ lacks C++20, <ucontext.h> or _Float16: " + probe.output().lines().findFirst().orElse("");
            return;
        }
        List<Path> sources;
        try (Stream<Path> s = Files.list(CudaTestSupport.kernelSources())) {
            sources = s.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).toList();
        }
        List<String> kernels = new ArrayList<>();
        for (Path source : sources) {
            String text = Files.readString(source);
            long declarations = text.lines().filter(l -> l.contains("extern __shared__")).count();
            long known = text.lines().filter(l -> l.strip().equals(DYNAMIC_SHARED)).count();
            if (declarations != known) {
                throw new AssertionError(source.getFileName() + ": declare dynamic shared memory as `" + DYNAMIC_SHARED
                        + "` (the emulator replaces exactly that line)");
            }
            Files.writeString(dir.resolve(source.getFileName()), text.replace(DYNAMIC_SHARED, EMULATED_SHARED));
            String name = source.getFileName().toString();
            if (name.endsWith(".cu")) {
                kernels.addAll(Ptx.parse(CommittedPtx.text(name.substring(0, name.length() - 3))).entries().keySet());
            }
        }
        StringBuilder table = new StringBuilder();
        kernels.forEach(k -> table.append("KERNEL(").append(k).append(")\n"));
        Files.writeString(dir.resolve("kernels.inc"), table);
        Files.createDirectories(dir.resolve("include"));
        Files.writeString(dir.resolve("include/cuda_fp16.h"), "// the emulator's __half is in cuda_shim.h\n");
        Files.writeString(dir.resolve("include/cuda_bf16.h"), "// the emulator's __nv_bfloat16 is in cuda_shim.h\n");
        copyResource("cuda_shim.h", dir);
        copyResource("driver.cpp", dir);
        // the tensor-core instruction is inline PTX: the emulator's mma.cuh computes it on the CPU instead
        copyResource("mma.cuh", dir);
        CudaTestSupport.Result build = CudaTestSupport.run(dir, gxx.get().toString(), "-std=c++20", "-O1", "-shared", "-fPIC",
                "-pthread", "-Wall", "-Wno-unknown-pragmas", "-Iinclude", "-I.", "-include", "cuda_shim.h", "driver.cpp",
                "-o", "libcuda-emulator.so");
        if (build.exitCode() != 0) {
            // the sources are ours: a compile error here is a bug, not a missing tool
            throw new AssertionError("the kernels or the emulator do not compile with g++:\n" + build.output());
        }
        library = dir.resolve("libcuda-emulator.so");
    }

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = CudaEmulator.class.getResourceAsStream("emulator/" + name)) {
            if (in == null) {
                throw new IllegalStateException("test resource emulator/" + name + " is missing");
            }
            Files.write(to.resolve(name), in.readAllBytes());
        }
    }
}
