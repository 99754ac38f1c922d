package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * Bad input through the command line: a one-line message that names the file, tensor or flag; exit code 1
 * (2 for usage); nothing on stdout; no stack trace without {@code --verbose}.
 */
class BadInputCliTest {
    @TempDir
    Path tmp;

    /** A safetensors file: 8-byte little-endian header length, the JSON header, then {@code dataBytes} bytes. */
    private Path safetensors(String name, long headerLength, String header, int dataBytes) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(json);
        Path file = tmp.resolve(name);
        Files.write(file, b.array());
        return file;
    }

    private Path safetensors(String name, String header, int dataBytes) throws IOException {
        return safetensors(name, header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = tmp.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        Cli.assertFailure(Cli.run("inspect", file.toString()), 1, file.toString());
    }

    @Test
    void truncatedFileInSmallChildJvm() throws IOException {
        Path file = tmp.resolve("short.safetensors");
        Files.write(file, new byte[] {1, 2, 3});
        ChildCli.run("inspect", file.toString()).assertRefused(1, file.toString());
    }

    @Test
    void truncatedRealModel() throws IOException {
        byte[] whole = Files.readAllBytes(TestFiles.bundledModel().resolve("model.safetensors"));
        Path file = tmp.resolve("cut.safetensors");
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2));
        Cli.assertFailure(Cli.run("inspect", file.toString()), 1, file.toString());
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        Path file = safetensors("long.safetensors", 1_000_000, "{}", 0);
        Cli.assertFailure(Cli.run("inspect", file.toString()), 1, file.toString());
    }

    @Test
    void badJson() throws IOException {
        Path file = safetensors("json.safetensors", "{\"a\": [1, 2", 0);
        Cli.assertFailure(Cli.run("inspect", file.toString()), 1, file.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown dtype | {\"w\":{\"dtype\":\"Q4_0\",\"shape\":[2],\"data_offsets\":[0,8]}} | 8 | Q4_0",
        "offsets out of range | {\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}} | 8 | w",
        "overlapping | {\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}} | 16 | b",
        "shape and byte span disagree | {\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}} | 8 | w",
    })
    void badHeaders(String what, String header, int dataBytes, String tensor) throws IOException {
        Path file = safetensors(what.replace(' ', '-') + ".safetensors", header, dataBytes);
        Cli.assertFailure(Cli.run("inspect", file.toString()), 1, file.toString(), tensor);
    }

    /** A copy of stories260K whose files can be changed. */
    private Path modelCopy() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.model")) {
            Files.copy(TestFiles.bundledModel().resolve(f), dir.resolve(f));
        }
        return dir;
    }

    /** Rewrites the copy's weights with {@code name} left out, or replaced by a tensor of the wrong shape. */
    private void rewriteWeights(Path dir, String name, boolean replaceWithWrongShape) throws IOException {
        List<Tensor> kept = new ArrayList<>();
        try (SafetensorsFile original = SafetensorsFile.open(TestFiles.bundledModel().resolve("model.safetensors"))) {
            for (String n : original.names()) {
                if (!n.equals(name)) {
                    kept.add(original.get(n));
                } else if (replaceWithWrongShape) {
                    kept.add(Tensor.ofFloats(n, new float[64 * 65], 64, 65));
                }
            }
            SafetensorsWriter.write(dir.resolve("model.safetensors"), kept, Map.of());
        }
    }

    private static Cli generate(Path model, String... more) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model.toString(), "--raw", "--prompt", "Once",
                "--temperature", "0", "--max-new-tokens", "5"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void missingTensor() throws IOException {
        Path dir = modelCopy();
        rewriteWeights(dir, "model.layers.3.mlp.up_proj.weight", false);
        Cli.assertFailure(generate(dir), 1, "model.layers.3.mlp.up_proj.weight", "missing");
    }

    @Test
    void wrongTensorShape() throws IOException {
        Path dir = modelCopy();
        rewriteWeights(dir, "model.layers.0.self_attn.q_proj.weight", true);
        Cli.assertFailure(generate(dir), 1, "model.layers.0.self_attn.q_proj.weight", "[64, 65]", "[64, 64]");
    }

    @Test
    void missingConfig() throws IOException {
        Path dir = modelCopy();
        Files.delete(dir.resolve("config.json"));
        Cli.assertFailure(generate(dir), 1, dir.resolve("config.json").toString());
    }

    @Test
    void missingTokenizer() throws IOException {
        Path dir = modelCopy();
        Files.delete(dir.resolve("tokenizer.model"));
        Cli.assertFailure(generate(dir), 1, dir.resolve("tokenizer.model").toString());
        Cli.assertFailure(Cli.run("tokenize", "--model", dir.toString(), "hello"), 1, "tokenizer.model");
    }

    @Test
    void missingModelFolder() {
        Path dir = tmp.resolve("no-such-model");
        Cli.assertFailure(generate(dir), 1, dir.toString());
    }

    @Test
    void promptLongerThanTheContext() throws IOException {
        Path dir = modelCopy();
        String config = Files.readString(dir.resolve("config.json")).replace("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 16");
        Files.writeString(dir.resolve("config.json"), config);
        Cli run = Cli.run("generate", "--model", dir.toString(), "--raw", "--max-new-tokens", "5",
                "--prompt", "Once upon a time there was a little girl who liked to play in the park with her dog");
        Cli.assertFailure(run, 1, "--prompt", "16");
    }

    @Test
    void generationStopsWhenTheContextIsFull() throws IOException {
        Path dir = modelCopy();
        String config = Files.readString(dir.resolve("config.json")).replace("\"max_position_embeddings\": 512", "\"max_position_embeddings\": 24");
        Files.writeString(dir.resolve("config.json"), config);
        Cli run = Cli.run("generate", "--model", dir.toString(), "--raw", "--prompt", "Once upon a time",
                "--temperature", "0", "--max-new-tokens", "100");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("stop: context"), run.err());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--no-such-flag | --no-such-flag",
        "--temperature=-1 | --temperature",
        "--top-p=1.5 | --top-p",
        "--top-k=-3 | --top-k",
        "--max-new-tokens=-1 | --max-new-tokens",
        "--backend=tpu | --backend",
        "--template=chatml | --template",
        "--num-beams=0 | --num-beams",
        "--num-beams=two | --num-beams",
        "--num-beams=65 | --num-beams",
        "--repetition-penalty=0 | --repetition-penalty",
        "--repetition-penalty=-1.2 | --repetition-penalty",
        "--min-length=-1 | --min-length",
        "--min-length=302 | --min-length",
        "--length-penalty=NaN | --length-penalty",
    })
    void usageErrorsExitWith2(String flag, String named) {
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), flag);
        Cli.assertFailure(run, 2, named);
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.assertFailure(Cli.run(), 2);
        Cli.assertFailure(Cli.run("frobnicate"), 2, "frobnicate");
    }

    @Test
    void anUnavailableBackendSaysWhy() {
        Cli run = Cli.run("generate", "--model", TestFiles.bundledModel().toString(), "--backend", "cuda", "--prompt", "x");
        Cli.assertFailure(run, 1, "backend unavailable", "cuda");
    }

    @Test
    void verbosePrintsTheStackTrace() throws IOException {
        Path file = safetensors("json.safetensors", "{\"a\": [1, 2", 0);
        Cli run = Cli.run("inspect", "--verbose", file.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("\tat "), run.err());
    }
}
