package videollama.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed PTX, checked without a GPU: one file per .cu source, PTX ISA 7.8 or lower for compute_80 (so
 * R535+ drivers load it), assembles with ptxas for sm_80 and sm_90 (when ptxas is on the PATH), and is exactly
 * what scripts/build-ptx.sh makes from the sources (when nvcc is on the PATH and is the release that made
 * the committed files), so the PTX never drifts from the .cu files.
 */
class PtxTest {

    private static List<Path> files(String extension) throws IOException {
        try (Stream<Path> s = Files.list(extension.equals(".ptx") ? CudaTestSupport.committedPtx() : CudaTestSupport.kernelSources())) {
            return s.filter(p -> p.getFileName().toString().endsWith(extension)).sorted().toList();
        }
    }

    private static String baseName(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    @Test
    void everySourceHasItsPtxAndNoPtxIsOrphaned() throws IOException {
        List<String> sources = files(".cu").stream().map(PtxTest::baseName).toList();
        List<String> ptx = files(".ptx").stream().map(PtxTest::baseName).toList();
        assertFalse(sources.isEmpty());
        assertEquals(sources, ptx, "run scripts/build-ptx.sh");
    }

    @Test
    void ptxIsVersion78OrLowerForCompute80() throws IOException {
        for (Path p : files(".ptx")) {
            Ptx ptx = Ptx.parse(Files.readString(p));
            assertTrue(ptx.versionNumber() <= 78, p + ": .version " + ptx.version() + " needs a newer driver than R535; lower it to 7.8");
            assertEquals("sm_80", ptx.target(), p + ": .target");
            assertFalse(ptx.entries().isEmpty(), p + " has no kernels");
        }
    }

    @Test
    void theJarCarriesTheSamePtx() throws IOException {
        for (Path p : files(".ptx")) {
            assertEquals(Files.readString(p), CommittedPtx.text(baseName(p)), p + " in the classpath differs: rebuild");
        }
    }

    @Test
    void ptxAssemblesForAmpereAndHopper() throws IOException {
        Optional<Path> ptxas = CudaTestSupport.onPath("ptxas");
        Assumptions.assumeTrue(ptxas.isPresent(), "ptxas is not on the PATH: PTX assembly not checked");
        for (Path p : files(".ptx")) {
            for (String arch : List.of("sm_80", "sm_90")) {
                CudaTestSupport.Result r = CudaTestSupport.run(p.getParent(), ptxas.get().toString(), "-arch=" + arch, "-o", "/dev/null",
                        p.toString());
                assertEquals(0, r.exitCode(), "ptxas -arch=" + arch + " " + p.getFileName() + ":\n" + r.output());
                assertFalse(r.output().toLowerCase(java.util.Locale.ROOT).contains("warning"), p + ":\n" + r.output());
            }
        }
    }

    @Test
    void regeneratingFromTheSourcesGivesTheCommittedPtx(@TempDir Path out) throws IOException {
        Optional<Path> nvcc = CudaTestSupport.onPath("nvcc");
        Assumptions.assumeTrue(nvcc.isPresent(), "nvcc is not on the PATH: PTX drift not checked");
        String release = CudaTestSupport.run(out, nvcc.get().toString(), "--version").output().lines()
                .filter(l -> l.startsWith("Cuda compilation tools")).findFirst().orElse("?");
        String committed = Files.readString(files(".ptx").getFirst()).lines()
                .filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("?");
        Assumptions.assumeTrue(committed.equals("// " + release),
                "the committed PTX was made by '" + committed + "', this nvcc is '" + release + "': drift not checked");
        Path root = CudaTestSupport.repositoryRoot();
        CudaTestSupport.Result r = CudaTestSupport.run(root, "bash", "scripts/build-ptx.sh", "--out", out.toString());
        assertEquals(0, r.exitCode(), "scripts/build-ptx.sh failed:\n" + r.output());
        for (Path p : files(".ptx")) {
            assertEquals(Files.readString(p), Files.readString(out.resolve(p.getFileName())),
                    p.getFileName() + " differs from what its .cu compiles to: run scripts/build-ptx.sh and commit the result");
        }
    }
}
