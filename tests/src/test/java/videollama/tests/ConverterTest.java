package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.CheckpointKind;
import videollama.app.Converter;
import videollama.app.Errors;
import videollama.app.FolderAbilities;

/**
 * The converter called directly, as a server or a batch job would (ConvertCliTest checks the bytes it writes, through
 * the command line): the plan reads without writing, says what the folder will be able to do exactly as the written
 * folder then reports it, and the writing reports each file and its megabytes.
 */
class ConverterTest {
    private static final Path CASES = TestFiles.root().resolve("testdata/pth/convert");

    @TempDir
    Path tmp;

    private final StringWriter log = new StringWriter();

    private Converter converter(Path out, CheckpointKind kind) {
        return new Converter(out, kind, new PrintWriter(log, true));
    }

    @Test
    void thePlanWritesNothingAndForetellsWhatTheWrittenFolderCanDo() {
        Path out = tmp.resolve("model");
        Converter converter = converter(out, null);
        List<Path> inputs = List.of(CASES.resolve("VL_tiny.pth"), CASES.resolve("eva_vit_g.pth"),
                CASES.resolve("blip2_pretrained_flant5xxl.pth"), CASES.resolve("llama"));
        List<Path> written = new ArrayList<>();
        try (Converter.Plan plan = converter.plan(inputs)) {
            assertFalse(Files.exists(out), "planning writes nothing");
            Map<String, CheckpointKind> kinds = new java.util.TreeMap<>();
            plan.conversions().forEach(c -> kinds.put(c.output().getFileName().toString(), c.kind()));
            assertEquals(CheckpointKind.BRANCH, kinds.get("videollama-vl.safetensors"), kinds.toString());
            assertEquals(CheckpointKind.EVA_VIT, kinds.get("videollama-eva-vit.safetensors"), kinds.toString());
            assertEquals(CheckpointKind.BLIP2, kinds.get("videollama-blip2.safetensors"), kinds.toString());
            assertEquals(CheckpointKind.LLAMA, kinds.get("model-00001-of-00002.safetensors"), kinds.toString());
            assertEquals(1, plan.llamaFolders().size());

            FolderAbilities foretold = plan.abilities();
            assertTrue(foretold.hasLlama());
            converter.write(plan, written::add);
            assertEquals(FolderAbilities.of(out).lines(), foretold.lines(), "the plan foretells the written folder");
            assertTrue(foretold.lines().get(1).endsWith(": yes"), foretold.lines().toString());
            assertTrue(foretold.lines().get(2).contains("no: missing"), "no sound without the AL and ImageBind files: "
                    + foretold.lines());
        }
        assertEquals(List.of("videollama-vl.safetensors", "videollama-eva-vit.safetensors", "videollama-blip2.safetensors",
                        "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"),
                written.stream().limit(6).map(p -> p.getFileName().toString()).toList(), "each file as it is complete, in order");
        written.forEach(file -> assertTrue(Files.isRegularFile(file), file.toString()));
    }

    @Test
    void writingCountsEachFilesMegabytes() {
        Path out = tmp.resolve("model");
        Converter converter = converter(out, null);
        try (Converter.Plan plan = converter.plan(List.of(CASES.resolve("eva_vit_g.pth")))) {
            converter.write(plan, file -> {});
        }
        Path file = out.resolve("videollama-eva-vit.safetensors");
        // a file under 1 MB counts 0 of 0 megabytes; its own line then says the size and the time
        assertTrue(Pattern.compile("(?m)^writing " + Pattern.quote(file.toString()) + " \\.\\.\\.$").matcher(log.toString()).find(),
                log.toString());
        assertTrue(Pattern.compile("(?m)^writing " + Pattern.quote(file.toString()) + ": \\d+\\.\\d MB \\(\\d+\\.\\d\\d s\\)$")
                .matcher(log.toString()).find(), log.toString());
    }

    @Test
    void anUnusableInputIsRefusedBeforeTheFolderIsMade() throws Exception {
        Path out = tmp.resolve("model");
        Path notACheckpoint = Files.writeString(tmp.resolve("notes.pth"), "not a checkpoint");
        Converter converter = converter(out, null);
        Errors.UsageFailure refused = assertThrows(Errors.UsageFailure.class,
                () -> converter.plan(List.of(CASES.resolve("eva_vit_g.pth"), tmp.resolve("missing.pth"))));
        assertTrue(refused.getMessage().contains("missing.pth: not found"), refused.getMessage());
        assertThrows(RuntimeException.class, () -> converter.plan(List.of(CASES.resolve("eva_vit_g.pth"), notACheckpoint)));
        assertFalse(Files.exists(out));
    }

    @Test
    void aForcedKindIsUsedForEveryFile() {
        Path out = tmp.resolve("model");
        // eva_vit_g.pth taken as LLaMA weights: every tensor kept under its own name, in a shard named after the file
        try (Converter.Plan plan = converter(out, CheckpointKind.LLAMA).plan(List.of(CASES.resolve("eva_vit_g.pth")))) {
            Converter.Conversion only = plan.conversions().getFirst();
            assertEquals(CheckpointKind.LLAMA, only.kind());
            assertEquals(out.resolve("eva_vit_g.safetensors"), only.output());
            assertTrue(only.kept().containsKey("blocks.39.norm1.weight"), "no EVA block dropped as LLaMA");
            assertFalse(plan.abilities().hasLlama());
        }
        try (Converter.Plan plan = converter(out, null).plan(List.of(CASES.resolve("eva_vit_g.pth")))) {
            assertTrue(plan.conversions().getFirst().kept().containsKey("visual_encoder.blocks.38.norm1.weight"));
            assertFalse(plan.conversions().getFirst().kept().containsKey("visual_encoder.blocks.39.norm1.weight"),
                    "told from its names, the EVA file loses the block the ViT does not use");
        }
    }
}
