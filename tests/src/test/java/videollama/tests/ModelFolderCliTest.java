package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * Model folders that are wrong in the ways real ones are: a config that disagrees with the weights, a bad value
 * in {@code videollama.json}, config files that are pipes or links to devices, weights that hold NaN, a folder
 * still as downloaded. Each is refused in one line naming the file, field or tensor, in a child JVM with a small
 * heap; and {@code convert} says what the folder it wrote can do.
 */
class ModelFolderCliTest {
    private static final Path DEMO = TestFiles.root().resolve("models/videollama-demo");
    private static final Path CASES = TestFiles.root().resolve("testdata/pth/convert");

    @TempDir
    Path tmp;

    /** A copy of a model folder: links to its files, so one of them can be replaced. */
    private Path linkedCopy(Path model, String name) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        try (var files = Files.list(model)) {
            for (Path file : files.toList()) {
                Files.createSymbolicLink(dir.resolve(file.getFileName()), file.toAbsolutePath());
            }
        }
        return dir;
    }

    private static void replace(Path link, String text) throws IOException {
        Files.delete(link);
        Files.writeString(link, text);
    }

    private static ChildCli generate(Path model) {
        return ChildCli.run("generate", "--model", model.toString(), "--prompt", "Once", "--max-new-tokens", "2",
                "--temperature", "0", "--backend", "reference");
    }

    @Test
    void configWithFewerOrMoreLayersThanTheWeights() throws IOException {
        Path config = TestFiles.bundledModel().resolve("config.json");
        String text = Files.readString(config);
        assertTrue(text.contains("\"num_hidden_layers\": 5"), "the bundled model has 5 layers");
        for (int layers : new int[] {4, 6}) {
            Path dir = linkedCopy(TestFiles.bundledModel(), "layers" + layers);
            replace(dir.resolve("config.json"), text.replace("\"num_hidden_layers\": 5", "\"num_hidden_layers\": " + layers));
            generate(dir).assertRefusedAfterProgress(1, "config.json says num_hidden_layers " + layers,
                    "the weights have 5 layer(s)", "model.layers.4.");
        }
    }

    @Test
    void aBadFrameCountIsBlamedOnVideollamaJson() throws IOException {
        Path dir = linkedCopy(DEMO, "frames");
        replace(dir.resolve("videollama.json"), "{\"frames\": 64}");
        ChildCli.run("chat", "--model", dir.toString(), "--video", DEMO.resolve("stream-of-water.mp4").toString(),
                "--question", "what?", "--backend", "reference")
                .assertRefusedAfterProgress(1, dir.resolve("videollama.json").toString(), "frames 64");
    }

    @Test
    void configFilesMustBeRegularFiles() throws IOException, InterruptedException {
        Path fifo = linkedCopy(TestFiles.bundledModel(), "fifo");
        Files.delete(fifo.resolve("config.json"));
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.resolve("config.json").toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
        ChildCli hung = generate(fifo).assertRefusedAfterProgress(1, fifo.resolve("config.json").toString(),
                "not a regular file");
        assertTrue(hung.millis() < 60_000, hung.toString());
        for (String name : List.of("config.json", "tokenizer.model")) {
            Path dir = linkedCopy(TestFiles.bundledModel(), "zero-" + name);
            Files.delete(dir.resolve(name));
            Files.createSymbolicLink(dir.resolve(name), Path.of("/dev/zero"));
            generate(dir).assertRefusedAfterProgress(1, dir.resolve(name).toString(), "not a regular file");
        }
        Path demo = linkedCopy(DEMO, "zero-videollama-json");
        Files.delete(demo.resolve("videollama.json"));
        Files.createSymbolicLink(demo.resolve("videollama.json"), Path.of("/dev/zero"));
        ChildCli.run("chat", "--model", demo.toString(), "--video", DEMO.resolve("stream-of-water.mp4").toString(),
                "--question", "what?", "--backend", "reference")
                .assertRefusedAfterProgress(1, demo.resolve("videollama.json").toString(), "not a regular file");
    }

    @Test
    void aConfigFileTooLargeForWhatItIsIsRefusedBeforeItIsRead() throws IOException {
        Path dir = linkedCopy(TestFiles.bundledModel(), "large");
        Files.delete(dir.resolve("config.json"));
        try (var file = java.nio.channels.FileChannel.open(dir.resolve("config.json"),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            file.write(java.nio.ByteBuffer.wrap(new byte[] {'{'}), (2L << 30) - 1); // 2 GB, sparse
        }
        generate(dir).assertRefusedAfterProgress(1, dir.resolve("config.json").toString(), "2147483648 bytes");
    }

    /** Replaces the link {@code file} by a copy of its target with element {@code at} of {@code damaged} made NaN. */
    private static void withNaN(Path file, String damaged, int at) throws IOException {
        Path original = Files.readSymbolicLink(file);
        List<Tensor> tensors = new ArrayList<>();
        try (SafetensorsFile source = SafetensorsFile.open(original)) {
            for (String name : source.names()) {
                Tensor t = source.get(name);
                if (name.equals(damaged)) {
                    float[] values = t.toFloatArray();
                    values[at] = Float.NaN;
                    t = Tensor.ofFloats(name, values, t.shape()).convertTo(t.dtype());
                }
                tensors.add(t);
            }
            Files.delete(file);
            SafetensorsWriter.write(file, tensors, java.util.Map.of());
        }
    }

    @Test
    void nanWeightIsNamed() throws IOException {
        Path dir = linkedCopy(TestFiles.bundledModel(), "nan");
        withNaN(dir.resolve("model.safetensors"), "model.layers.2.mlp.up_proj.weight", 17);
        generate(dir).assertRefusedAfterProgress(1, "NaN logits", "'model.layers.2.mlp.up_proj.weight'",
                dir.resolve("model.safetensors").toString(), "element 17");
        // In a branch: the soft tokens, then the logits, are NaN; the branch file is named.
        Path demo = linkedCopy(DEMO, "nan-branch");
        withNaN(demo.resolve("branches.safetensors"), "llama_proj.weight", 5);
        ChildCli.run("chat", "--model", demo.toString(), "--video", DEMO.resolve("stream-of-water.mp4").toString(),
                "--question", "what?", "--backend", "reference", "--temperature", "0", "--max-new-tokens", "2")
                .assertRefusedAfterProgress(1, "NaN logits", "'llama_proj.weight'",
                        demo.resolve("branches.safetensors").toString(), "element 5");
    }

    @Test
    void aDownloadThatNeedsConvertingSaysSo() throws IOException {
        // A downloaded Video-LLaMA-2 repository: checkpoints and a LLaMA folder in .bin shards.
        Path download = Files.createDirectories(tmp.resolve("Video-LLaMA-2-tiny"));
        Files.createSymbolicLink(download.resolve("VL_tiny.pth"), CASES.resolve("VL_tiny.pth").toAbsolutePath());
        Files.createSymbolicLink(download.resolve("llama-2-tiny-hf"), CASES.resolve("llama").toAbsolutePath());
        generate(download).assertRefusedAfterProgress(1, download.toString(), "VL_tiny.pth", "llama-2-tiny-hf/",
                "videollama convert --out " + download + "-converted " + download);
        // A Hugging Face folder with .bin weights only.
        generate(CASES.resolve("llama")).assertRefusedAfterProgress(1, "pytorch_model-00001-of-00002.bin",
                "videollama convert");
    }

    @Test
    void convertSaysWhatTheFolderCanDoAndChatNamesTheMissingFile() {
        Path out = tmp.resolve("no-eva");
        Cli run = Cli.run("convert", "--out", out.toString(), CASES.resolve("blip2_pretrained_flant5xxl.pth").toString(),
                CASES.resolve("VL_tiny.pth").toString(), CASES.resolve("llama").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("answer about videos and images (--video, --image): no: missing the EVA ViT"
                + " (convert eva_vit_g.pth)"), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.startsWith("  hear sound") && l.contains("missing the ImageBind"
                + " audio encoder (convert imagebind_huge.pth), the audio Q-Former (convert the AL checkpoint")), run.err());
        assertTrue(run.err().lines().anyMatch(l -> l.matches("  talk .*:\\s+yes")), run.err());
        // --max-new-tokens within the tiny checkpoints' context of 64 positions, so the check that fails is the branch's
        ChildCli.run("chat", "--model", out.toString(), "--video", DEMO.resolve("stream-of-water.mp4").toString(),
                "--question", "what?", "--backend", "reference", "--max-new-tokens", "8")
                .assertRefusedAfterProgress(1, "eva_vit_g.pth", "no EVA ViT");

        Cli everything = Cli.run("convert", "--out", out.toString(), CASES.resolve("eva_vit_g.pth").toString(),
                CASES.resolve("AL_tiny.pth").toString(), CASES.resolve("imagebind_tiny.pth").toString());
        assertEquals(0, everything.exitCode(), everything.toString());
        assertEquals(3, everything.err().lines().filter(l -> l.matches("  .*:\\s+yes")).count(),
                everything.err());
    }

    @Test
    void inspectListsEveryFileOfAConvertedFolder() {
        Path out = tmp.resolve("all");
        Cli run = Cli.run("convert", "--out", out.toString(), CASES.toString());
        assertEquals(0, run.exitCode(), run.toString());
        ChildCli inspect = ChildCli.run("inspect", out.toString());
        assertEquals(0, inspect.exitCode(), inspect.toString());
        for (String name : List.of("visual_encoder.cls_token", "query_tokens", "video_query_tokens",
                "audio_encoder.modality_postprocessors.audio.1.log_logit_scale", "audio_query_tokens",
                "model.embed_tokens.weight")) {
            assertTrue(inspect.out().lines().anyMatch(l -> l.startsWith(name + " ")), name + " in:\n" + inspect.out());
        }
        for (String file : List.of("videollama-eva-vit.safetensors", "videollama-vl.safetensors",
                "model-00001-of-00002.safetensors")) {
            assertTrue(inspect.out().lines().anyMatch(l -> l.startsWith(out.resolve(file) + ": ")), file + " in:\n"
                    + inspect.out());
        }
    }
}
