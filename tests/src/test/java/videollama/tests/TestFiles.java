package videollama.tests;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import videollama.kernels.Backend;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.Backends;
import videollama.kernels.cuda.EmulatedCuda;
import videollama.loader.ffmpeg.Ffmpeg;
import videollama.testing.RepositoryFiles;
import videollama.weights.Tensor;

/** Where the repository's test material lies. */
final class TestFiles {
    private TestFiles() {}

    /** The repository root (surefire passes it as {@code videollama.root}). */
    static Path root() {
        return RepositoryFiles.root();
    }

    /** The token ids a golden file stores as a tensor of integers (int64 in the scripts' output). */
    static int[] ids(Tensor t) {
        int[] ids = new int[Math.toIntExact(t.size())];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.toIntExact(t.getLong(i));
        }
        return ids;
    }

    static Path bundledModel() {
        return root().resolve("models/stories260K");
    }

    static Path golden(String name) {
        return root().resolve("testdata/golden").resolve(name);
    }

    /**
     * The OpenCL backend, or the calling test class skipped, saying why, when this machine has none. CI sets
     * {@code VIDEOLLAMA_REQUIRE_OPENCL=1} (it installs PoCL), so there a missing backend fails instead.
     */
    /** {@link #openOrSkip}'s name for the CUDA backend on the CPU emulation of its driver. */
    static final String EMULATED_CUDA = "emulated-cuda";

    /**
     * The backend of that name ({@code reference}, {@code opencl}, or {@link #EMULATED_CUDA}), or the calling test skipped,
     * saying why, where this machine has none.
     */
    static Backend openOrSkip(String name) {
        return switch (name) {
            case "opencl" -> openClOrSkip();
            case EMULATED_CUDA -> EmulatedCuda.openOrSkip();
            default -> Backends.open(name);
        };
    }

    static Backend openClOrSkip() {
        try {
            return Backends.open("opencl");
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_OPENCL"))) {
                throw e;
            }
            Assumptions.abort("no OpenCL on this machine: " + e.getMessage());
            throw e;
        }
    }

    /**
     * Skips the calling test, saying why, where FFmpeg's natives do not load (platforms other than Linux x86-64). CI
     * sets {@code VIDEOLLAMA_REQUIRE_FFMPEG=1}, so there they fail instead.
     */
    static void ffmpegOrSkip() {
        Ffmpeg.Status status = Ffmpeg.status();
        if (!status.available() && !"1".equals(System.getenv("VIDEOLLAMA_REQUIRE_FFMPEG"))) {
            Assumptions.abort(status.describe());
        }
        if (!status.available()) {
            throw new AssertionError("VIDEOLLAMA_REQUIRE_FFMPEG=1, but " + status.describe());
        }
    }
}
