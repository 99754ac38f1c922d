package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * {@code convert --quantize q8_0} on the bundled stories260K against an independent quantiser and forward pass
 * (scripts/reference/make_q8_0_golden.py: numpy as GGML's {@code quantize_row_q8_0_ref}, then Hugging Face {@code
 * LlamaForCausalLM} in float32 on the weights dequantised as q·d): the same matrices quantised, their int8 quants and
 * fp16 scales bit for bit (SHA-256), and the prompt's logits of the converted model on the reference path within
 * 2e-6 relative of PyTorch's (measured 5.6e-7: float32 summation order only; design.md section 7's bound is 1e-4).
 */
class Q8_0GoldenTest {
    private static final Path GOLDEN = TestFiles.root().resolve("testdata/golden/q8_0");

    @TempDir
    Path tmp;

    @Test
    void theQuantsScalesAndLogitsAreThoseOfTheIndependentQuantiser() throws IOException, NoSuchAlgorithmException {
        Path out = tmp.resolve("q8");
        Cli run = Cli.run("convert", "--quantize", "q8_0", "--out", out.toString(), TestFiles.root().resolve("models/stories260K").toString());
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode expected = new ObjectMapper().readTree(Files.readString(GOLDEN.resolve("stories260K.json")));
        Map<String, String> got = new TreeMap<>();
        Map<String, String> want = new TreeMap<>();
        expected.properties().forEach(e -> {
            want.put(e.getKey() + " quants", e.getValue().get("quants_sha256").asText());
            want.put(e.getKey() + " scales", e.getValue().get("scales_sha256").asText());
        });
        try (SafetensorsFile written = SafetensorsFile.open(out.resolve("model.safetensors"))) {
            for (String name : written.names()) {
                Tensor t = written.get(name);
                if (t.dtype() == DType.I8) {
                    got.put(name + " quants", sha256(t));
                    got.put(name + " scales", sha256(written.get(name + ".q8_0_scales")));
                }
            }
        }
        assertEquals(new TreeSet<>(want.keySet()), new TreeSet<>(got.keySet()), "the matrices quantised");
        assertEquals(want, got, "quants and scales bit for bit");

        try (Llama q8 = Llama.load(out); SafetensorsFile logits = SafetensorsFile.open(GOLDEN.resolve("stories260K-logits.safetensors"));
             Backend reference = Backends.open("reference")) {
            Tensor ids = logits.get("prompt_ids");
            int[] prompt = new int[Math.toIntExact(ids.size())];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = Math.toIntExact(ids.getLong(i));
            }
            try (LlamaSession session = q8.newSession(reference, prompt.length)) {
                Tolerance.assertClose(session.forwardTokens(prompt, true), logits.get("prompt_logits").toFloatArray(), 2e-6,
                        "stories260K Q8_0 prompt logits against PyTorch on the dequantised weights");
            }
        }
    }

    private static String sha256(Tensor t) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(t.data().toArray(ValueLayout.JAVA_BYTE)));
    }
}
