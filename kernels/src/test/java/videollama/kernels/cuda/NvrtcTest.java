package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run-time compile path against the real NVRTC ({@link TestNvrtc}), no GPU needed: the bindings, every
 * kernel program compiled for Ampere and Hopper with the same entry points and parameter types as the committed PTX
 * and, on Hopper, no kernel using local memory (no register spills, no stack frame: ptxas's own report),
 * compile errors reported with file and line, the disk cache, and {@link KernelImages#choose}'s fallbacks to the
 * committed PTX, each with its reason.
 */
class NvrtcTest {
    private static final Pattern ENTRY_FUNCTION = Pattern.compile("Compiling entry function '(\\w+)'");

    private static List<String> programs() throws IOException {
        try (Stream<Path> s = Files.list(CudaTestSupport.kernelSources())) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).map(n -> n.substring(0, n.length() - 3)).sorted().toList();
        }
    }

    @Test
    void versionAndArchitectures() {
        Nvrtc nvrtc = TestNvrtc.nvrtc();
        assertTrue(nvrtc.version() >= 12000, "NVRTC " + nvrtc.version());
        List<Integer> archs = nvrtc.supportedArchitectures();
        assertTrue(archs.contains(80) && archs.contains(90), "supported architectures " + archs);
    }

    @Test
    void everyProgramCompilesToTheCommittedEntryPoints() throws IOException {
        Nvrtc nvrtc = TestNvrtc.nvrtc();
        Path include = TestNvrtc.includeFolder();
        for (String program : programs()) {
            Ptx committed = Ptx.parse(CommittedPtx.text(program));
            String source = NvrtcKernels.resource(program + ".cu");
            Map<String, String> headers = NvrtcKernels.headers(source);
            // PTX for compute_80, as scripts/build-ptx.sh asks nvcc for: the same kernels with the same parameter types
            Nvrtc.Output ampere = nvrtc.compile(program + ".cu", source, headers, List.of("--gpu-architecture=compute_80", "-I" + include));
            assertEquals(0, ampere.cubin().length, program + ": a virtual architecture has no cubin");
            Ptx ptx = Ptx.parse(ampere.ptx());
            assertEquals("sm_80", ptx.target(), program);
            assertEquals(committed.entries(), ptx.entries(), program + ": NVRTC's kernels and parameters differ from the committed PTX");
            // the cubin for sm_90: an ELF file for the CUDA machine with code for every kernel, none spilling registers
            Nvrtc.Output hopper = nvrtc.compile(program + ".cu", source, headers,
                    List.of("--gpu-architecture=sm_90", "-I" + include, "--ptxas-options=-v"));
            byte[] cubin = hopper.cubin();
            assertTrue(cubin.length > 64 && cubin[0] == 0x7f && cubin[1] == 'E' && cubin[2] == 'L' && cubin[3] == 'F', program + ": not ELF");
            assertEquals(190, (cubin[18] & 0xff) | (cubin[19] & 0xff) << 8, program + ": e_machine is not EM_CUDA");
            String bytes = new String(cubin, StandardCharsets.ISO_8859_1);
            Map<String, String> resources = ptxasReport(hopper.log());
            for (String entry : committed.entries().keySet()) {
                assertTrue(bytes.contains(".text." + entry + "\0"), program + ".cubin has no code for " + entry);
                String usage = resources.get(entry);
                assertTrue(usage != null, program + ": ptxas said nothing of " + entry + ":\n" + hopper.log());
                assertTrue(usage.startsWith("0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads"),
                        entry + " uses local memory on sm_90 (a stack frame or register spills): " + usage);
            }
        }
    }

    /**
     * ptxas's {@code -v} report per kernel: its "N bytes stack frame, S bytes spill stores, L bytes spill loads" line,
     * then "; " and its "Used R registers, ..." line.
     */
    private static Map<String, String> ptxasReport(String log) {
        Map<String, String> usage = new HashMap<>();
        String kernel = null;
        for (String line : log.lines().toList()) {
            Matcher m = ENTRY_FUNCTION.matcher(line);
            if (m.find()) {
                kernel = m.group(1);
            } else if (kernel != null && (line.contains("stack frame") || line.contains("Used "))) {
                usage.merge(kernel, line.replaceFirst("^ptxas\\s+(info\\s+:)?\\s*\\.?", "").strip(), (a, b) -> a + "; " + b);
            }
        }
        return usage;
    }

    @Test
    void aCompileErrorNamesTheFileAndLine() {
        Nvrtc nvrtc = TestNvrtc.nvrtc();
        NvrtcException e = assertThrows(NvrtcException.class, () -> nvrtc.compile("broken.cu",
                "extern \"C\" __global__ void k(float* x) {\n    x[0] = not_declared;\n}\n", Map.of(), List.of("--gpu-architecture=sm_90")));
        assertTrue(e.getMessage().contains("broken.cu(2): error"), e.getMessage());
        assertTrue(e.getMessage().contains("not_declared"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), "one line: " + e.getMessage());
        assertTrue(e.log().contains("1 error detected"), e.log());
    }

    @Test
    void cubinsAreCachedOnDiskUnderTheHashOfTheirInputs(@TempDir Path cache) throws IOException {
        Nvrtc nvrtc = TestNvrtc.nvrtc();
        NvrtcKernels kernels = new NvrtcKernels(nvrtc, nvrtc.version(), 90, TestNvrtc.includeFolder(), Optional.of(cache));
        byte[] image = kernels.image("rmsnorm");
        List<Path> files;
        try (Stream<Path> s = Files.list(cache)) {
            files = s.toList();
        }
        assertEquals(1, files.size(), "cache " + files);
        assertTrue(files.getFirst().getFileName().toString().matches("rmsnorm-sm_90-[0-9a-f]{16}\\.cubin"), files.toString());
        assertArrayEquals(image, Files.readAllBytes(files.getFirst()));
        // another architecture is another file
        new NvrtcKernels(nvrtc, nvrtc.version(), 80, TestNvrtc.includeFolder(), Optional.of(cache)).image("rmsnorm");
        try (Stream<Path> s = Files.list(cache)) {
            assertEquals(2, s.count());
        }
    }

    @Test
    void choosesNvrtcWhereItCanCompileForTheDevice(@TempDir Path cache) {
        KernelImages images = KernelImages.choose(90, 13000, TestNvrtc.environment(cache));
        NvrtcKernels nvrtc = assertInstanceOf(NvrtcKernels.class, images, images.description());
        assertTrue(images.description().startsWith("cubins for sm_90 compiled by NVRTC 13."), images.description());
        assertTrue(nvrtc.options().contains("--gpu-architecture=sm_90"), nvrtc.options().toString());
    }

    @Test
    void fallsBackToTheCommittedPtxSayingWhy(@TempDir Path cache) throws IOException {
        Map<String, String> env = TestNvrtc.environment(cache);
        assertFallback(KernelImages.choose(90, 12080, env), "is newer than the driver's CUDA 12.8");
        assertFallback(KernelImages.choose(30, 13000, env), "does not compile for sm_30");
        assertFallback(KernelImages.choose(90, 13000, Map.of(Nvrtc.LIBRARY_VARIABLE, "off")), "VIDEOLLAMA_NVRTC=off");
        assertFallback(KernelImages.choose(90, 13000, Map.of(Nvrtc.LIBRARY_VARIABLE, "/nonexistent/libnvrtc.so.13")),
                "no file /nonexistent/libnvrtc.so.13");
        // headers that do not fit this NVRTC: the probe compile fails at choice time, not in the middle of a run
        Path badHeaders = Files.createDirectories(cache.resolve("include"));
        Files.writeString(badHeaders.resolve("cuda_fp16.h"), "#error these are not CUDA's headers\n");
        Files.writeString(badHeaders.resolve("cuda_bf16.h"), "\n");
        env.put(Nvrtc.INCLUDE_VARIABLE, badHeaders.toString());
        assertFallback(KernelImages.choose(90, 13000, env), "could not compile probe.cu");
    }

    private static void assertFallback(KernelImages images, String reason) {
        assertInstanceOf(CommittedPtx.class, images, images.description());
        assertTrue(images.description().startsWith("committed PTX for compute_80"), images.description());
        assertTrue(images.description().contains(reason), images.description() + " should say " + reason);
    }

    @Test
    void theIncludeFolderVariableComesFirst(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("cuda_fp16.h"), "\n");
        assertEquals(Optional.of(dir), TestNvrtc.nvrtc().includeFolder(Map.of(Nvrtc.INCLUDE_VARIABLE, dir.toString())));
    }

    @Test
    void committedPtxImagesAreNulTerminatedText() {
        byte[] image = new CommittedPtx("test").image("rmsnorm");
        assertEquals(0, image[image.length - 1]);
        assertEquals(CommittedPtx.text("rmsnorm"), new String(image, 0, image.length - 1, StandardCharsets.US_ASCII));
    }
}
