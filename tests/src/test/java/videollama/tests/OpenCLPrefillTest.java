package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceOps;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;

/**
 * {@link PrefillDeviceContract} on the OpenCL backend (PoCL in CI), every golden case; and what does not depend on
 * the backend's kernels, checked here once: the fall-back to positions where a backend lacks the batched ops, the
 * {@code videollama.prefill=positions} property, and the bench's prefill timing.
 */
class OpenCLPrefillTest extends PrefillDeviceContract {
    @Override
    Backend open() {
        return TestFiles.openClOrSkip();
    }

    /**
     * A backend without the batched ops (a {@code linear} that throws, as CUDA's did before its GEMM) prefills one
     * position at a time instead of failing: the same logits as the decode graph fed row by row, to the bit.
     */
    @Test
    void backendWithoutBatchedOpsFallsBackToPositions() throws Exception {
        LlamaGoldenTest.Case c = LlamaGoldenTest.cases().filter(x -> x.name().equals("mha-untied")).findFirst().orElseThrow();
        DeviceBackend real = (DeviceBackend) backend;
        DeviceOps ops = real.ops();
        DeviceOps noLinear = (DeviceOps) Proxy.newProxyInstance(DeviceOps.class.getClassLoader(), new Class<?>[] {DeviceOps.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("linear")) {
                        throw new UnsupportedOperationException("no linear (GEMM) kernel yet");
                    }
                    return invoke(method, ops, args);
                });
        DeviceBackend withoutGemm = (DeviceBackend) Proxy.newProxyInstance(DeviceBackend.class.getClassLoader(),
                new Class<?>[] {DeviceBackend.class},
                (proxy, method, args) -> method.getName().equals("ops") ? noLinear : invoke(method, real, args));
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            try (LlamaSession session = llama.newSession(withoutGemm, tokens.length)) {
                float[] a = session.forwardTokens(Arrays.copyOfRange(tokens, 0, 5), true);
                float[] b = session.forwardTokens(Arrays.copyOfRange(tokens, 5, tokens.length), true);
                float[] all = Arrays.copyOf(a, expected.length);
                System.arraycopy(b, 0, all, a.length, b.length);
                assertArrayEquals(expected, all, 0f);
            }
        }
    }

    /** {@code videollama.prefill=positions} (what the bench compares against) runs the decode graph per row. */
    @Test
    void positionsPropertyRunsTheDecodeGraphPerRow() throws Exception {
        LlamaGoldenTest.Case c = LlamaGoldenTest.cases().filter(x -> x.name().equals("gqa-tied-theta")).findFirst().orElseThrow();
        try (Llama llama = Llama.load(c.model())) {
            int[] tokens = tokens(c);
            float[] expected = positionByPosition(llama, tokens, tokens.length);
            LlamaSession session;
            System.setProperty("videollama.prefill", "positions");
            try {
                session = llama.newSession(backend, tokens.length);
            } finally {
                System.clearProperty("videollama.prefill");
            }
            try (session) {
                assertArrayEquals(expected, session.forwardTokens(tokens, true), 0f);
            }
        }
    }

    @Test
    void benchTimesPrefillBothWays(@TempDir Path cache) {
        Cli run = Cli.run("bench", "--shape", "stories260K", "--backend", "opencl", "--tokens", "2", "--warmup", "1",
                "--prompt-tokens", "40", "--prompt-runs", "2", "--cache-dir", cache.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("prefill of 40 tokens, median of 2 runs") && run.out().contains("prompt tokens/s")
                && run.out().contains("position by position") && run.out().contains("speed-up"), run.out());
        assertNull(System.getProperty("videollama.prefill"), "the bench puts the property back");
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
