package videollama.kernels.cuda;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The helpers the PTX tests share: the repository root and tools on the PATH. A real CUDA backend for a test comes
 * from {@link videollama.kernels.TestBackend#cuda()}, the emulated one from {@link EmulatedBackend}. The buffer helpers and checks
 * the CUDA tests share with the other backends' are in {@link videollama.kernels.KernelChecks}.
 */
final class CudaTestSupport {
    private CudaTestSupport() {}

    /** The repository root: the {@code videollama.root} property Maven sets, else the folder above that has scripts/. */
    static Path repositoryRoot() {
        String root = System.getProperty("videollama.root");
        if (root != null && Files.isDirectory(Path.of(root, "scripts"))) {
            return Path.of(root);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/build-ptx.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root (no scripts/build-ptx.sh above " + Path.of("").toAbsolutePath() + ")");
    }

    /** The folder of the committed .ptx files (generated from the .cu sources by scripts/build-ptx.sh). */
    static Path committedPtx() {
        return repositoryRoot().resolve("kernels/src/generated/ptx/videollama/kernels/cuda");
    }

    /** The folder of the .cu sources. */
    static Path kernelSources() {
        return repositoryRoot().resolve("kernels/src/main/resources/videollama/kernels/cuda");
    }

    /** An executable on the PATH. */
    static Optional<Path> onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(java.io.File.pathSeparator))
                .filter(d -> !d.isEmpty())
                .map(d -> Path.of(d, tool))
                .filter(Files::isExecutable)
                .findFirst();
    }

    /** Runs a command, returning its exit code and combined output. */
    static Result run(Path dir, String... command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new Result(p.waitFor(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int exitCode, String output) {}
}
