package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import videollama.kernels.BackendUnavailableException;
import videollama.loader.ffmpeg.Ffmpeg;

/**
 * What the smoke tests share: a benchmark's setup (which checks the variant against its reference twin before
 * anything is timed) run as a test, skipped without a device unless CI requires OpenCL
 * ({@code VIDEOLLAMA_REQUIRE_OPENCL=1}), as the kernel tests are.
 */
public final class Smoke {
    private Smoke() {}

    /** Runs {@code setup}; no device here aborts the test instead of failing it, unless a device is required. */
    public static void setUpOrSkip(Runnable setup) {
        setUpOrSkip(setup, "VIDEOLLAMA_REQUIRE_OPENCL");
    }

    /** {@link #setUpOrSkip} of a CUDA case: it fails without an NVIDIA driver only where {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    public static void setUpOrSkipWithoutCuda(Runnable setup) {
        setUpOrSkip(setup, "VIDEOLLAMA_REQUIRE_CUDA");
    }

    /**
     * A kernel benchmark's setup (its check of every plan) then {@code calls} timed calls, each on poisoned outputs and
     * compared with the reference at the benchmark's own tolerance; skipped without an OpenCL device.
     */
    public static void callsMatchTheReference(KernelBenchmark b, int calls) {
        callsMatchTheReference(b, calls, "VIDEOLLAMA_REQUIRE_OPENCL");
    }

    /** {@link #callsMatchTheReference} of a CUDA case. */
    public static void cudaCallsMatchTheReference(KernelBenchmark b, int calls) {
        callsMatchTheReference(b, calls, "VIDEOLLAMA_REQUIRE_CUDA");
    }

    private static void callsMatchTheReference(KernelBenchmark b, int calls, String requireVariable) {
        try {
            setUpOrSkip(b::setup, requireVariable);
            for (int call = 0; call < calls; call++) {
                b.poisonOutput();
                b.call(new Traffic());
                assertMatches(b.expected(), b.result(), b.tolerance, b.describe() + " call " + call);
            }
        } finally {
            b.tearDown();
        }
    }

    private static void setUpOrSkip(Runnable setup, String requireVariable) {
        try {
            setup.run();
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv(requireVariable))) {
                throw e;
            }
            Assumptions.abort("no device on this machine: " + e.getMessage());
        }
    }

    /**
     * Skips a test of the {@code ffmpeg} decoder where FFmpeg's natives do not load, unless CI requires them
     * ({@code VIDEOLLAMA_REQUIRE_FFMPEG=1}).
     */
    public static void assumeDecoder(String decoder) {
        Ffmpeg.Status status = Ffmpeg.status();
        if (decoder.equals("ffmpeg") && !status.available() && !"1".equals(System.getenv("VIDEOLLAMA_REQUIRE_FFMPEG"))) {
            Assumptions.abort(status.describe());
        }
    }

    /**
     * Runs {@code setup}, which builds its input from the repository's media; where they are missing (no
     * {@code videollama.root}) the test aborts instead of failing, except in CI.
     */
    public static void setUpOrSkipWithoutMedia(Runnable setup) {
        try {
            setup.run();
        } catch (IllegalStateException e) {
            if ("true".equals(System.getenv("CI"))) {
                throw e;
            }
            Assumptions.abort(e.getMessage());
        }
    }

    /** The benchmark call's output against the reference, as the benchmark's own setup check measures it. */
    public static void assertMatches(float[] expected, float[] actual, double tolerance, String what) {
        double error = BenchSupport.relativeError(expected, actual);
        assertTrue(error <= tolerance, what + ": relative error " + error + " > " + tolerance);
    }
}
