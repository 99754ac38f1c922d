package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.llama.Llama;
import videollama.model.videollama.VideoLlamaWeights;
import videollama.weights.DType;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;

/**
 * {@code videollama convert --quantize q8_0} on the bundled demo model: every linear layer's matrix whose rows are whole
 * blocks of 32 becomes Q8_0 (each value within half a block scale of the original, each block's largest quant ±127),
 * everything else is copied byte for byte, and the folder loads and runs as any other; scales that do not fit their
 * matrix are refused naming them.
 */
class QuantizeCliTest {
    private static final Path DEMO = TestFiles.root().resolve("models/videollama-demo");
    private static final List<String> FILES = List.of("model.safetensors", "branches.safetensors");

    @TempDir
    Path tmp;

    private Path convert() {
        Path out = tmp.resolve("q8");
        Cli run = Cli.run("convert", "--quantize", "q8_0", "--out", out.toString(), DEMO.toString());
        assertEquals(0, run.exitCode(), run.toString());
        return out;
    }

    @Test
    void theLinearLayersAreQuantisedAndEverythingElseIsCopied() {
        Path out = convert();
        List<String> quantised = new ArrayList<>();
        for (String file : FILES) {
            try (SafetensorsFile original = SafetensorsFile.open(DEMO.resolve(file));
                 TensorSource converted = QuantizedTensors.of(SafetensorsFile.open(out.resolve(file)))) {
                assertEquals(original.names().stream().sorted().toList(), converted.names().stream().sorted().toList(), file);
                for (String name : original.names()) {
                    Tensor o = original.get(name);
                    Tensor c = converted.get(name);
                    assertArrayEquals(o.shape(), c.shape(), name);
                    if (c.dtype() == DType.Q8_0) {
                        quantised.add(name);
                        assertWithinHalfAScale(o, c);
                    } else {
                        assertEquals(o.dtype(), c.dtype(), name);
                        assertEquals(-1, o.data().mismatch(c.data()), name + " is copied");
                    }
                }
            }
        }
        assertTrue(quantised.contains("model.layers.0.self_attn.q_proj.weight"), quantised.toString());
        assertTrue(quantised.contains("lm_head.weight"), quantised.toString());
        assertTrue(quantised.contains("Qformer.bert.encoder.layer.0.output_query.dense.weight"), quantised.toString());
        assertTrue(quantised.stream().noneMatch(n -> n.contains("embed") || n.contains("norm") || n.contains("llama_proj")),
                quantised.toString());
        // 64-wide LLaMA q/k/v/o, gate, up (5 layers) and lm_head; 96-wide Q-Former output_query and 64-wide audio cross-attention
        assertEquals(51, quantised.size(), quantised.toString());
    }

    /** |x − q·d| within half the block's scale (plus its fp16 rounding), and the block's largest |q| is 127. */
    private static void assertWithinHalfAScale(Tensor original, Tensor q8) {
        int cols = Math.toIntExact(q8.dim(1));
        for (long b = 0; b < q8.size() / 32; b++) {
            float d = q8.scales().getFloat(b);
            int largest = 0;
            for (long i = b * 32; i < b * 32 + 32; i++) {
                int q = q8.data().get(ValueLayout.JAVA_BYTE, i);
                largest = Math.max(largest, Math.abs(q));
                double error = Math.abs(original.getFloat(i) - q8.getFloat(i));
                assertTrue(error <= 0.5 * d * (1 + 0x1p-10) + 127 * d * 0x1p-11, q8.name() + " element " + i + " of row width " + cols
                        + ": " + original.getFloat(i) + " became " + q8.getFloat(i) + " (scale " + d + ")");
            }
            assertTrue(largest == 127 || d == 0, q8.name() + " block " + b + ": largest quant " + largest);
        }
    }

    @Test
    void theQuantisedFolderLoadsAndAnswers() throws IOException {
        Path out = convert();
        try (Llama llama = Llama.load(out); VideoLlamaWeights branches = VideoLlamaWeights.open(out)) {
            assertEquals(DType.Q8_0, llama.weights().layers.getFirst().wq().dtype());
            assertEquals(DType.F32, llama.weights().embedTokens.dtype());
            assertTrue(branches.hasVision() && branches.hasAudio());
            assertEquals(DType.Q8_0, branches.tensors().get("Qformer.bert.encoder.layer.0.output_query.dense.weight").dtype());
        }
        String index = Files.readString(out.resolve("model.safetensors.index.json"));
        assertTrue(index.contains("\"lm_head.weight.q8_0_scales\" : \"model.safetensors\""), index);
        Cli run = Cli.run("generate", "--model", out.toString(), "--raw", "--prompt", "Once upon a time",
                "--temperature", "0", "--max-new-tokens", "8");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().length() > 8, run.toString());
    }

    @Test
    void scalesThatDoNotFitTheirMatrixAreRefusedNamingThem() {
        Path out = convert();
        Path file = out.resolve("model.safetensors");
        List<Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile written = SafetensorsFile.open(file)) {
            for (String name : written.names()) {
                Tensor t = written.get(name);
                tensors.add(name.equals("model.layers.1.self_attn.k_proj.weight.q8_0_scales")
                        ? Tensor.ofFloats(name, new float[32], 32, 1).convertTo(DType.F16)
                        : copy(t));
            }
        }
        SafetensorsWriter.write(file, tensors, Map.of());
        Cli run = Cli.run("generate", "--model", out.toString(), "--raw", "--prompt", "Once", "--max-new-tokens", "2");
        Cli.assertFailure(run, 1, file.getParent().toString(), "'model.layers.1.self_attn.k_proj.weight.q8_0_scales'",
                "F16 [32, 1]", "expected F16 [32, 2]");
    }

    /** A tensor in memory of its own, so the file it came from can be replaced. */
    private static Tensor copy(Tensor t) {
        var data = java.lang.foreign.Arena.ofAuto().allocate(Math.max(1, t.data().byteSize())).asSlice(0, t.data().byteSize());
        data.copyFrom(t.data());
        return Tensor.of(t.name(), t.dtype(), t.shape(), data);
    }

    @Test
    void anUnknownQuantisationIsAUsageError() {
        Cli run = Cli.run("convert", "--quantize", "q4_0", "--out", tmp.resolve("x").toString(), DEMO.toString());
        Cli.assertFailure(run, 2, "--quantize", "q8_0");
    }
}
