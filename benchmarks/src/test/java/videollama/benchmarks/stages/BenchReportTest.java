package videollama.benchmarks.stages;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.benchmarks.BenchSupport;
import videollama.benchmarks.Smoke;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.llama.Llama;
import videollama.model.llama.SyntheticLlama;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.VideoBranch;
import videollama.weights.DType;

/**
 * {@code bench}'s reports: the JSON of real runs is valid against the committed JSON Schema: the decode stage on a
 * random stories260K (reference path and OpenCL, with the profile, beams and prefill), the vision and audio stages on
 * the bundled demo model (both backends, with the profile); and the schema refuses what it must (a kernel at 294 % of
 * DRAM bandwidth, a missing figure, a branch report with decode figures); the llama-bench table names the tests; the
 * chart is a PNG of the requested size; the model is written with progress lines from 0 to all of it.
 */
class BenchReportTest {
    @TempDir
    static Path cache;

    private static Path model;
    private static final List<String> progress = new ArrayList<>();
    private static final SyntheticLlama.Shape SHAPE = SyntheticLlama.shape("stories260K");
    private static final DecodeBench BENCH = new DecodeBench(SHAPE, DType.F32, 4, 1, 8, 2, 2, 0, true);

    @BeforeAll
    static void writeModel() {
        model = BENCH.modelDir(cache, BenchSupport.repositoryFile("models/stories260K/tokenizer.model"), progress::add);
    }

    @Test
    void theModelIsWrittenWithProgressFromNothingToAll() {
        assertFalse(progress.isEmpty());
        String total = progress.getFirst().replaceAll(".*/", "");
        assertEquals("MB written 0/" + total, progress.getFirst());
        assertEquals("MB written " + total + "/" + total, progress.getLast());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "opencl"})
    void theJsonOfARunIsValidAgainstTheSchema(String backendName, @TempDir Path out) throws Exception {
        BenchReport[] report = new BenchReport[1];
        StringWriter text = new StringWriter();
        Smoke.setUpOrSkip(() -> {
            try (Llama llama = Llama.load(model); Backend backend = Backends.open(backendName)) {
                report[0] = BENCH.run(llama, backend, new PrintWriter(text, true), StepTimer.SILENT, "videollama bench --test");
            }
        });
        Path json = out.resolve("bench.json");
        report[0].write(json);
        JsonNode node = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of(), errors(node), "the run's JSON against the schema");
        assertEquals("decode", node.path("stage").asText());
        assertEquals("tg4", node.path("tests").get(0).path("name").asText());
        assertEquals("pp8", node.path("tests").get(1).path("name").asText());
        assertEquals(backendName, node.path("backend").path("name").asText());
        assertEquals("f32", node.path("model").path("weightType").asText());
        assertEquals(backendName.equals("opencl"), node.path("kernels").size() > 0, "the profile's ops on a device only");
        assertTrue(text.toString().contains("| stories260K f32") && text.toString().contains("tg4") && text.toString().contains("pp8"),
                text.toString());
        // stories260K's 1 MB of weights fit in any last-level cache: no share of DRAM bandwidth is claimed for them
        if (report[0].machine().lastLevelCacheBytes() > 0) {
            assertEquals("cache", report[0].decode().bytesFrom());
            assertEquals(null, report[0].decode().shareOfBandwidth());
            report[0].kernels().forEach(k -> assertFalse(k.fromDram(), k.op()));
        }

        // the schema has teeth: a kernel at 294 % of DRAM bandwidth, and a report without its memory, are refused
        assertRefused(node, over -> {
            over.withArray("/kernels").removeAll();
            over.withArray("/kernels").addObject().put("op", "lm_head").put("callsPerStep", 1).put("microsecondsPerStep", 1.0)
                    .put("shareOfTime", 0.5).put("bytesPerStep", 100).put("flopsPerStep", 50).put("gigabytesPerSecond", 44.1)
                    .put("gigaflopsPerSecond", 22.0).put("bytesFrom", "dram").put("shareOfBandwidth", 2.94);
        }, "a share of DRAM bandwidth above 1");
        assertRefused(node, incomplete -> incomplete.remove("memory"), "no memory figures");
    }

    /** The schema refuses {@code report} once {@code damage} has changed a copy of it. */
    private static void assertRefused(JsonNode report, java.util.function.Consumer<ObjectNode> damage, String what) throws Exception {
        ObjectNode copy = report.deepCopy();
        damage.accept(copy);
        assertFalse(errors(copy).isEmpty(), what);
    }

    /**
     * {@code --dtype q8_0}: the random model is written as {@code convert --quantize q8_0} writes one (the matrices as I8
     * quants and F16 scales, the one 172-wide matrix and the embeddings F16), loads as Q8_0, decodes the same greedy
     * tokens on both backends, and counts its scales in the bytes a step streams.
     */
    @Test
    void aQ8_0ModelIsWrittenQuantisedAndDecodedOnBothBackends() {
        DecodeBench q8 = new DecodeBench(SHAPE, DType.Q8_0, 4, 1, 0, 1, 1, 0, false);
        Path dir = q8.modelDir(cache, BenchSupport.repositoryFile("models/stories260K/tokenizer.model"), line -> {});
        assertEquals(cache.resolve("stories260K-q8_0"), dir);
        long fileBytes = 0;
        long embeddingBytes;
        try (var file = videollama.weights.SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            for (String name : file.names()) {
                fileBytes += file.get(name).data().byteSize();
            }
            embeddingBytes = file.get("model.embed_tokens.weight").data().byteSize();
            assertEquals(DType.I8, file.get("model.layers.0.self_attn.q_proj.weight").dtype());
            assertEquals(DType.F16, file.get("model.layers.0.self_attn.q_proj.weight.q8_0_scales").dtype());
            assertEquals(DType.F16, file.get("model.layers.0.mlp.down_proj.weight").dtype(), "172 columns: not whole blocks");
            assertEquals(DType.F16, file.get("model.embed_tokens.weight").dtype());
        }
        long allBytes = fileBytes;
        long embedding = embeddingBytes;
        List<int[]> tokens = new ArrayList<>();
        for (String backendName : List.of("reference", "opencl")) {
            Smoke.setUpOrSkip(() -> {
                try (Llama llama = Llama.load(dir); Backend backend = Backends.open(backendName)) {
                    assertEquals(DType.Q8_0, llama.weights().layers.getFirst().wq().dtype());
                    BenchReport report = q8.run(llama, backend, new PrintWriter(new StringWriter(), true), StepTimer.SILENT, "q8_0 test");
                    assertEquals("q8_0", report.model().weightType());
                    // every tensor of the file counted once (the scales too); a step reads all but the embedding table
                    assertEquals(allBytes, report.model().weightBytes());
                    assertEquals(allBytes - embedding, report.decode().bytesPerToken());
                    try (var session = llama.newSession(backend, 8)) {
                        int[] t = new int[6];
                        t[0] = session.forwardGreedy(llama.tokenizer().bosId());
                        for (int i = 1; i < t.length; i++) {
                            t[i] = session.forwardGreedy(t[i - 1]);
                        }
                        tokens.add(t);
                    }
                }
            });
        }
        if (tokens.size() == 2) {
            assertArrayEquals(tokens.get(0), tokens.get(1), "greedy tokens, reference path and OpenCL");
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"vision, reference", "vision, opencl", "audio, reference", "audio, opencl"})
    void theJsonOfABranchRunIsValidAgainstTheSchema(String stage, String backendName, @TempDir Path out) throws Exception {
        Path demo = BenchSupport.repositoryFile("models/videollama-demo");
        BenchReport[] report = new BenchReport[1];
        StringWriter text = new StringWriter();
        PrintWriter print = new PrintWriter(text, true);
        String command = "videollama bench --stage " + stage + " --test";
        Smoke.setUpOrSkip(() -> {
            try (Backend backend = Backends.open(backendName)) {
                if (stage.equals("vision")) {
                    try (VideoBranch branch = VideoBranch.open(demo)) {
                        report[0] = new VisionBench("demo", 2, 0, 2, DType.F16, cache, true, 0).run(branch, backend, print, StepTimer.SILENT,
                                command);
                    }
                } else {
                    try (AudioBranch branch = AudioBranch.open(demo)) {
                        report[0] = new AudioBench("demo", 2, 0, 2, cache, true, 0).run(branch, backend, print, StepTimer.SILENT, command);
                    }
                }
            }
        });
        Path json = out.resolve("bench.json");
        report[0].write(json);
        JsonNode node = new ObjectMapper().readTree(json.toFile());
        assertEquals(List.of(), errors(node), "the run's JSON against the schema");
        assertEquals(stage, node.path("stage").asText());
        assertEquals(command, node.path("command").asText());
        JsonNode branch = node.path("branch");
        assertEquals(stage.equals("vision") ? "frames" : "clips", branch.path("itemsName").asText());
        assertEquals(2, branch.path("items").asInt());
        assertEquals(2, branch.path("runs").asInt());
        // the figures are those printed: the median line and the stage table's rows
        assertTrue(text.toString().contains(String.format(java.util.Locale.ROOT, "median %.1f", branch.path("msMedian").asDouble())),
                text.toString());
        assertTrue(branch.path("msMin").asDouble() <= branch.path("msMedian").asDouble()
                && branch.path("msMedian").asDouble() <= branch.path("msMax").asDouble());
        for (JsonNode s : branch.path("stages")) {
            assertTrue(text.toString().contains(s.path("name").asText()), s.path("name").asText());
        }
        assertEquals(backendName.equals("opencl"), node.path("kernels").size() > 0, "the profile's ops on a device only");

        // a branch report carries no decode figures, and needs its branch
        assertRefused(node, withDecode -> withDecode.put("stage", "decode"), "a branch report called a decode report");
        assertRefused(node, noBranch -> noBranch.putNull("branch"), "a branch stage without its branch figures");
    }

    @Test
    void theChartIsAPngOfTheRequestedSize(@TempDir Path out) throws Exception {
        BenchReport report = sampleReport();
        for (int[] size : new int[][] {{640, 360}, {1500, 800}}) {
            Path png = out.resolve("chart-" + size[0] + ".png");
            RooflineChart.write(png, size[0], size[1], report);
            byte[] bytes = Files.readAllBytes(png);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, Arrays.copyOf(bytes, 8), "PNG signature");
            BufferedImage image = ImageIO.read(png.toFile());
            assertNotNull(image);
            assertEquals(size[0], image.getWidth());
            assertEquals(size[1], image.getHeight());
        }
    }

    /** A report as a profiled OpenCL run gives it, without needing a device: two ops, one of them from cache. */
    private static BenchReport sampleReport() {
        Machine machine = Machine.describe();
        return new BenchReport(BenchReport.SCHEMA_VERSION, "decode", "videollama bench", "2026-12-06T18:00:00Z", machine,
                new BenchReport.BackendInfo("opencl", "test"),
                new BenchReport.ModelInfo("llama2-7b", "bf16", 6_738_415_616L, 13_476_831_232L, 32, 4096, 32000),
                List.of(TestTable.test("tg8", "decode", 1, new double[] {1.0, 1.1})),
                new BenchReport.Decode(8, 1, 900, 880, 950, 910, 1.1, 12_000_000_000L, 13.3, 15, "measured read bandwidth", "dram", 0.89),
                new BenchReport.Memory(14_000_000_000L, 13_476_831_232L, 0), new Roofline(15, 14, "test", 60, "test"),
                List.of(new BenchReport.Kernel("gate/up + silu", 32, 300_000, 0.6, 5_771_362_304L, 2_885_681_152L, 13.9, 6.9, "dram", 0.93),
                        new BenchReport.Kernel("attention norm", 32, 300, 0.001, 524_288, 262_144, 30.0, 15.0, "cache", null)),
                null, null, null);
    }

    private static List<String> errors(JsonNode report) throws Exception {
        try (InputStream schema = BenchReport.class.getResourceAsStream(BenchReport.SCHEMA_RESOURCE)) {
            assertNotNull(schema, BenchReport.SCHEMA_RESOURCE);
            Schema s = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(schema);
            return s.validate(report).stream().map(Error::toString).toList();
        }
    }
}
