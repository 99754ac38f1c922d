package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.llama.Llama;
import videollama.model.videollama.VideoLlamaWeights;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.ShardedTensors;
import videollama.weights.Tensor;
import videollama.weights.TensorAssertions;
import videollama.weights.TensorSource;

/**
 * {@code videollama convert} on checkpoints written by {@code torch.save} for a tiny Video-LLaMA with the real
 * tensor names (scripts/reference/make_pth_cases.py): the output must hold exactly the tensors that the Python
 * script exported directly as safetensors after applying docs/model.md section 2, with the same dtypes and bytes.
 */
class ConvertCliTest {
    private static final Path CASES = TestFiles.root().resolve("testdata/pth/convert");
    private static final Path EXPECTED = CASES.resolve("expected");
    private static final List<String> BRANCH_FILES = List.of("videollama-eva-vit.safetensors",
            "videollama-blip2.safetensors", "videollama-vl.safetensors", "videollama-al.safetensors",
            "videollama-imagebind-audio.safetensors");

    @TempDir
    Path tmp;

    private static Cli convert(Path out, Object... inputs) {
        Stream<String> args = Stream.concat(Stream.of("convert", "--out", out.toString()),
                Arrays.stream(inputs).map(Object::toString));
        return Cli.run(args.toArray(String[]::new));
    }

    /** Exactly the expected names, each with the same dtype, shape and bytes. */
    private static void assertSameTensors(Path expectedFile, TensorSource actual) {
        try (SafetensorsFile expected = SafetensorsFile.open(expectedFile)) {
            assertEquals(new TreeSet<>(expected.names()), new TreeSet<>(actual.names()), expectedFile.toString());
            TensorAssertions.assertEachTensorIn(expected, actual);
        }
    }

    private static void assertSameFile(Path expected, Path actual) throws IOException {
        assertArrayEquals(Files.readAllBytes(expected), Files.readAllBytes(actual), actual.toString());
    }

    @Test
    void releasedFilesBecomeOneModelFolder() throws IOException {
        Path out = tmp.resolve("model");
        Cli run = convert(out, CASES.resolve("VL_tiny.pth"), CASES.resolve("AL_tiny.pth"),
                CASES.resolve("eva_vit_g.pth"), CASES.resolve("blip2_pretrained_flant5xxl.pth"),
                CASES.resolve("imagebind_tiny.pth"), CASES.resolve("llama"));
        assertEquals(0, run.exitCode(), run.toString());
        for (String file : BRANCH_FILES) {
            try (SafetensorsFile converted = SafetensorsFile.open(out.resolve(file))) {
                assertSameTensors(EXPECTED.resolve(file), converted);
                assertEquals("pt", converted.metadata().get("format"));
            }
        }
        try (TensorSource llama = ShardedTensors.open(out)) { // through the index: the branch files are not shards
            assertSameTensors(EXPECTED.resolve("llama.safetensors"), llama);
        }
        for (String copied : List.of("config.json", "generation_config.json", "tokenizer.model")) {
            assertSameFile(CASES.resolve("llama").resolve(copied), out.resolve(copied));
        }
        assertFalse(Files.exists(out.resolve("pytorch_model.bin.index.json")));
        try (Stream<Path> files = Files.list(out)) {
            Set<String> written = new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
            Set<String> expected = new TreeSet<>(BRANCH_FILES);
            expected.addAll(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
                    "model.safetensors.index.json", "config.json", "generation_config.json", "tokenizer.model"));
            assertEquals(expected, written, "nothing else, no temporary files left");
            assertEquals(expected, new TreeSet<>(run.out().lines().map(l -> Path.of(l).getFileName().toString()).toList()),
                    "stdout lists the files written");
        }
        assertTrue(run.err().contains("eva-vit (EVA ViT-g): 528 tensors, 511 kept, 17 dropped"), run.err());
        try (Llama llama = Llama.load(out)) {
            assertEquals(512, llama.config().vocabSize(), "the LLaMA part loads as a --model folder");
        }
        try (VideoLlamaWeights branches = VideoLlamaWeights.open(out)) { // no tensor in two files
            assertTrue(branches.hasVision() && branches.hasAudio());
            assertTrue(branches.tensors().contains("visual_encoder.blocks.38.attn.qkv.weight"));
            assertFalse(branches.tensors().contains("visual_encoder.blocks.39.attn.qkv.weight"));
        }
    }

    @Test
    void kindComesFromTheTensorNamesNotTheFileName() throws IOException {
        Path renamed = Files.copy(CASES.resolve("eva_vit_g.pth"), tmp.resolve("weights.bin"));
        Path out = tmp.resolve("out");
        Cli run = convert(out, renamed);
        assertEquals(0, run.exitCode(), run.toString());
        try (SafetensorsFile converted = SafetensorsFile.open(out.resolve("videollama-eva-vit.safetensors"))) {
            assertSameTensors(EXPECTED.resolve("videollama-eva-vit.safetensors"), converted);
        }
    }

    @Test
    void aFolderOfReleasedFilesConvertsEachOne() throws IOException {
        Path release = Files.createDirectories(tmp.resolve("Video-LLaMA-2-7B-Finetuned"));
        Files.copy(CASES.resolve("VL_tiny.pth"), release.resolve("VL_LLaMA_2_7B_Finetuned.pth"));
        Files.copy(CASES.resolve("imagebind_tiny.pth"), release.resolve("imagebind_huge.pth"));
        Path llama = Files.createDirectories(release.resolve("llama-2-7b-chat-hf"));
        try (Stream<Path> files = Files.list(CASES.resolve("llama"))) {
            for (Path file : files.toList()) {
                Files.copy(file, llama.resolve(file.getFileName()));
            }
        }
        Path out = tmp.resolve("out");
        Cli run = convert(out, release);
        assertEquals(0, run.exitCode(), run.toString());
        try (SafetensorsFile vl = SafetensorsFile.open(out.resolve("videollama-vl.safetensors"));
             SafetensorsFile audio = SafetensorsFile.open(out.resolve("videollama-imagebind-audio.safetensors"));
             TensorSource shards = ShardedTensors.open(out)) {
            assertSameTensors(EXPECTED.resolve("videollama-vl.safetensors"), vl);
            assertSameTensors(EXPECTED.resolve("videollama-imagebind-audio.safetensors"), audio);
            assertSameTensors(EXPECTED.resolve("llama.safetensors"), shards);
        }
    }

    @Test
    void aTensorInTwoFilesIsTakenFromTheOneLoadedLast() throws IOException {
        // A branch checkpoint that also trained the query tokens overrides BLIP-2's, as load_state_dict does.
        Path branch = tmp.resolve("tuned.safetensors");
        SafetensorsWriter.write(branch, List.of(
                Tensor.ofFloats("video_query_tokens", new float[] {1, 2}, 1, 1, 2),
                Tensor.ofFloats("query_tokens", new float[] {5, 6, 7, 8}, 1, 4, 1)), Map.of());
        Path out = tmp.resolve("out");
        Cli run = convert(out, branch, CASES.resolve("blip2_pretrained_flant5xxl.pth"));
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("note: 'query_tokens' is in"), run.err());
        try (SafetensorsFile blip2 = SafetensorsFile.open(out.resolve("videollama-blip2.safetensors"));
             SafetensorsFile tuned = SafetensorsFile.open(out.resolve("videollama-vl.safetensors"))) {
            assertFalse(blip2.contains("query_tokens"));
            assertTrue(blip2.contains("ln_vision.weight"));
            assertArrayEquals(new float[] {5, 6, 7, 8}, tuned.get("query_tokens").toFloatArray());
        }
    }

    // --- bad input: exit 1 with one line naming the file -----------------------------------------------------------

    private static void assertFails(Cli run, int code, String... mentions) {
        assertEquals(code, run.exitCode(), run.toString());
        String line = run.lastErrLine();
        assertTrue(line.startsWith("videollama: "), run.toString());
        for (String mention : mentions) {
            assertTrue(line.contains(mention), "'" + mention + "' in: " + line);
        }
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    @Test
    void notAZip() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.pth"), "these are not weights\n");
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "not a PyTorch checkpoint");
    }

    @Test
    void truncatedCheckpoint() throws IOException {
        byte[] whole = Files.readAllBytes(CASES.resolve("VL_tiny.pth"));
        Path file = Files.write(tmp.resolve("VL_cut.pth"), Arrays.copyOf(whole, whole.length * 2 / 3));
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "truncated");
        assertFalse(Files.exists(tmp.resolve("out/videollama-vl.safetensors")));
    }

    @Test
    void pickleWithoutTensors() {
        Path file = CASES.resolve("bad/no_tensors.pth");
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "no tensors");
    }

    @Test
    void tensorOfATypeTheProjectDoesNotStore() {
        Path file = CASES.resolve("bad/float64.pth");
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "'llama_proj.weight'", "torch.float64");
    }

    @Test
    void unknownTensorNames() throws IOException {
        Path file = tmp.resolve("other.safetensors");
        SafetensorsWriter.write(file, List.of(Tensor.ofFloats("encoder.weight", new float[] {1}, 1)), Map.of());
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "cannot tell", "--kind");
    }

    @Test
    void kindThatKeepsNothing() {
        Path file = CASES.resolve("eva_vit_g.pth");
        assertFails(convert(tmp.resolve("out"), "--kind", "imagebind", file), 1, file.toString(),
                "none of its 528 tensors");
    }

    @Test
    void unknownKindIsAUsageError() {
        assertFails(convert(tmp.resolve("out"), "--kind", "vit", CASES.resolve("eva_vit_g.pth")), 2, "--kind", "eva-vit");
    }

    @Test
    void twoInputsForOneOutputFile() {
        assertFails(convert(tmp.resolve("out"), CASES.resolve("VL_tiny.pth"), CASES.resolve("VL_tiny.pth")), 1,
                "videollama-vl.safetensors", "separate folders");
    }

    @Test
    void missingInput() {
        Path file = tmp.resolve("absent.pth");
        assertFails(convert(tmp.resolve("out"), file), 1, file.toString(), "not found");
    }
}
