package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;

/**
 * LLaMA on a device backend against the PyTorch golden data: the same greedy tokens, logits within 1e-5 relative
 * with float32 weights (float32 KV cache; measured at most 1.0e-6 on PoCL and the CUDA emulator) and within 1e-3
 * with fp16/bf16 weights (fp16 KV cache; measured 2.9e-4 on PoCL), 1e-2 on CUDA, whose batched GEMMs round the
 * activations to the weights' type (measured 4.0e-3 on the emulator, see {@link Tolerance#of}). The prompt runs as
 * one batched pass, the continuation through the decode graph, most steps through the on-device argmax.
 */
abstract class LlamaDeviceContract extends DeviceContract {

    /** The golden cases this backend runs: all of them unless a subclass narrows the list. */
    Stream<LlamaGoldenTest.Case> cases() throws Exception {
        return LlamaGoldenTest.cases();
    }

    /** How many of a case's greedy tokens to check: all of them unless a subclass's backend is slow. */
    int greedySteps(int available) {
        return available;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptLogitsAndGreedyContinuation(LlamaGoldenTest.Case c) {
        try (Llama llama = Llama.load(c.model());
             SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            double tolerance = llama.weights().embedTokens.dtype() == DType.F32 ? 1e-5 : Tolerance.of(backend, true, 1e-3);
            int[] prompt = TestFiles.ids(expected.get("prompt_ids"));
            int[] greedy = TestFiles.ids(expected.get("greedy_ids"));
            float[] stepLogits = expected.get("step_logits").toFloatArray();
            int vocab = llama.config().vocabSize();
            try (LlamaSession session = llama.newSession(backend, prompt.length + greedy.length)) {
                float[] logits = session.forwardTokens(prompt, true);
                Tolerance.assertClose(logits, expected.get("prompt_logits").toFloatArray(), tolerance, c + " prompt logits");
                int token = greedy[0];
                assertEquals(greedy[0], argmax(logits, (prompt.length - 1) * vocab, vocab), c + " first token");
                // every other step through the on-device argmax, checking logits on a few steps
                for (int step = 1; step < greedySteps(greedy.length); step++) {
                    if (step % 10 == 1) {
                        float[] row = session.forwardTokens(new int[] {token}, false);
                        double error = Tolerance.relativeError(row, 0, stepLogits, step * vocab, vocab);
                        Tolerance.assertWithin(error, tolerance, c + " step " + step);
                        token = argmax(row, 0, vocab);
                    } else {
                        token = session.forwardGreedy(token);
                    }
                    assertEquals(greedy[step], token, c + ": greedy token " + step);
                }
            }
        }
    }

    static int argmax(float[] x, int offset, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[offset + i] > x[offset + best]) {
                best = i;
            }
        }
        return best;
    }
}
