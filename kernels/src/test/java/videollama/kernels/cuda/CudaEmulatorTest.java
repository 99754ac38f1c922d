package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA kernels' logic on the CPU, where there is no GPU: the .cu sources are compiled with g++ against
 * {@code emulator/cuda_shim.h} (threads and barriers standing in for CUDA threads, __syncthreads and warp
 * shuffles) and {@code emulator/harness.cpp} runs every kernel at CudaOps' launch shapes on random inputs, with
 * poisoned outputs, against plain C++ references (1e-5 relative; the attention over an f16 cache against the
 * f16-rounded cache). It catches indexing, reduction and softmax mistakes, not data races, misaligned loads or
 * anything about speed: the GPU tests (CudaOpsTest) remain the judge. Skipped where g++ with C++20 is missing.
 */
class CudaEmulatorTest {
    /** The one form of dynamic shared memory the kernels use, and what the emulator puts in its place. */
    private static final String DYNAMIC_SHARED = "extern __shared__ __align__(16) unsigned char dynamic_shared[];";
    private static final String EMULATED_SHARED = "unsigned char* dynamic_shared = emu_dynamic_shared;";

    private static void copyResource(String name, Path to) throws IOException {
        try (InputStream in = CudaEmulatorTest.class.getResourceAsStream("emulator/" + name)) {
            assertTrue(in != null, "test resource emulator/" + name + " is missing");
            Files.write(to.resolve(name), in.readAllBytes());
        }
    }

    @Test
    void kernelsMatchTheReferenceOnAnEmulatedGpu(@TempDir Path dir) throws IOException, InterruptedException {
        Optional<Path> gxx = CudaTestSupport.onPath("g++");
        Assumptions.assumeTrue(gxx.isPresent(), "g++ is not on the PATH: kernel emulation not run");
        Files.writeString(dir.resolve("probe.cpp"), "#include <barrier>\nint main() { std::barrier<> b(1); b.arrive_and_wait(); _Float16 h = 1; return (int)h - 1; }\n");
        CudaTestSupport.Result probe = CudaTestSupport.run(dir, gxx.get().toString(), "-std=c++20", "-pthread", "probe.cpp", "-o", "probe");
        Assumptions.assumeTrue(probe.exitCode() == 0, "g++ lacks C++20 <barrier> or _Float16: kernel emulation not run\n" + probe.output());

        List<Path> sources;
        try (Stream<Path> s = Files.list(CudaTestSupport.kernelSources())) {
            sources = s.filter(p -> p.toString().endsWith(".cu") || p.toString().endsWith(".cuh")).toList();
        }
        for (Path source : sources) {
            String text = Files.readString(source);
            long declarations = text.lines().filter(l -> l.contains("extern __shared__")).count();
            long known = text.lines().filter(l -> l.strip().equals(DYNAMIC_SHARED)).count();
            assertEquals(declarations, known, source.getFileName() + ": declare dynamic shared memory as `" + DYNAMIC_SHARED
                    + "` (the emulator replaces exactly that line)");
            Files.writeString(dir.resolve(source.getFileName()), text.replace(DYNAMIC_SHARED, EMULATED_SHARED));
        }
        Files.createDirectories(dir.resolve("include"));
        Files.writeString(dir.resolve("include/cuda_fp16.h"), "// the emulator's __half is in cuda_shim.h\n");
        Files.writeString(dir.resolve("include/cuda_bf16.h"), "// the emulator's __nv_bfloat16 is in cuda_shim.h\n");
        copyResource("cuda_shim.h", dir);
        copyResource("harness.cpp", dir);

        CudaTestSupport.Result build = CudaTestSupport.run(dir, gxx.get().toString(), "-std=c++20", "-O1", "-pthread", "-Wall",
                "-Wno-unknown-pragmas", "-Iinclude", "-I.", "-include", "cuda_shim.h", "harness.cpp", "-o", "harness");
        assertEquals(0, build.exitCode(), "the kernels do not compile against the emulator:\n" + build.output());

        Process run = new ProcessBuilder(dir.resolve("harness").toString(), String.valueOf(CudaOps.GEMV_THREADS),
                String.valueOf(CudaOps.THREADS), String.valueOf(CudaOps.ATTENTION_SLICE), String.valueOf(CudaOps.ATTENTION_WARPS),
                String.valueOf(CudaOps.MERGE_THREADS), String.valueOf(CudaOps.ARGMAX_THREADS))
                .directory(dir.toFile()).redirectErrorStream(true).start();
        // a deadlock (a lane that skips a shuffle or a barrier the others wait at) shows as a timeout
        boolean finished = run.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            run.destroyForcibly();
        }
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        System.out.println(output);
        assertTrue(finished, "the emulated kernels did not finish in 5 minutes (deadlock?):\n" + output);
        assertEquals(0, run.exitValue(), "emulated kernels differ from the reference:\n" + output);
        assertTrue(output.contains("all ok"), output);
    }
}
