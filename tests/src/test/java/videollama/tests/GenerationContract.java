package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.generate.BeamSearch;
import videollama.model.generate.Generation;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.Generator;
import videollama.model.generate.SamplingSettings;
import videollama.model.generate.StopReason;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.testing.MeasuredErrors;

/**
 * Generation against transformers 4.28's {@code generate(inputs_embeds=...)} as the reference's {@code answer()}
 * calls it ({@code scripts/reference/make_generation_golden.py}, {@code testdata/golden/generate/cases.json}): beam
 * search with 2-4 beams and length penalties 1, 0.6 and 1.5, ended by the length, by finished hypotheses (EOS
 * reached) and by the reference's row-0 stop criterion; beam sampling where it is deterministic; the repetition
 * penalty and min_length with greedy decoding and with beams. The returned ids must be identical, every beam step's
 * tokens and parent beams identical, the running beam scores and the final sequence score within 3e-5 relative
 * (measured at most 3.4e-6 on the reference path, 1.1e-6 on the CUDA emulator).
 * Cases whose golden model has an EOS other than its config's (the "." token, so that beams finish within a
 * sentence) run on a copy of the model folder whose config.json names that EOS.
 */
abstract class GenerationContract extends DeviceContract {
    private static final double SCORE_TOLERANCE = 3e-5;

    @TempDir
    static Path scratch;

    /** One golden case, as the script wrote it. */
    record Case(JsonNode json) {
        String name() {
            return json.get("name").asText();
        }

        boolean float32Weights() {
            return json.get("float32_weights").asBoolean();
        }

        int[] ints(String field) {
            return StreamSupport.stream(json.get(field).spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        }

        @Override
        public String toString() {
            return name();
        }
    }

    static List<Case> allCases() {
        try {
            JsonNode doc = new ObjectMapper().readTree(TestFiles.golden("generate").resolve("cases.json").toFile());
            List<Case> cases = new ArrayList<>();
            doc.get("cases").forEach(c -> cases.add(new Case(c)));
            assertTrue(cases.size() >= 20, "golden generation cases: " + cases.size());
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Case named(String name) {
        return allCases().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    private final Predicate<Case> runs;

    /** A backend that runs every case. */
    GenerationContract() {
        this(c -> true);
    }

    /** @param runs the cases this backend runs, where it is too slow or too coarse for some */
    GenerationContract(Predicate<Case> runs) {
        this.runs = runs;
    }

    /** The cases this backend runs. */
    Stream<Case> cases() {
        return allCases().stream().filter(runs);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void sameIdsStepsAndScoresAsTransformers428(Case c) throws IOException {
        JsonNode j = c.json();
        int[] prompt = c.ints("prompt_ids");
        int[] expected = c.ints("sequence");
        int maxNew = j.get("max_new_tokens").asInt();
        int beams = j.get("num_beams").asInt();
        try (Llama llama = Llama.load(modelWithEos(c))) {
            GenerationSettings settings = settings(j, llama);
            float[] embeddings = llama.embed(prompt);
            List<BeamSearch.Step> steps = new ArrayList<>();
            Generation g;
            try (LlamaSession session = llama.newSession(backend, prompt.length + maxNew)) {
                g = beams > 1
                        ? new BeamSearch(llama.tokenizer()).generate(session, embeddings, prompt.length, settings, false,
                        text -> {}, steps::add)
                        : new Generator(llama.tokenizer()).generate(session, embeddings, prompt.length, settings, false, text -> {});
            }
            assertArrayEquals(Arrays.copyOfRange(expected, 1, expected.length), g.tokens(), c + ": ids after 4.28's BOS");
            assertEquals(reason(j.get("reason").asText()), g.stopReason(), c + ": stop reason");
            if (beams > 1) {
                JsonNode tokens = j.get("beam_tokens");
                assertEquals(tokens.size(), steps.size(), c + ": beam steps");
                for (int s = 0; s < steps.size(); s++) {
                    BeamSearch.Step step = steps.get(s);
                    assertArrayEquals(ints(tokens.get(s)), step.tokens(), c + " step " + s + ": beam tokens");
                    assertArrayEquals(ints(j.get("beam_parents").get(s)), step.parents(), c + " step " + s + ": parent beams");
                    JsonNode scores = j.get("beam_scores").get(s);
                    for (int b = 0; b < beams; b++) {
                        assertScore(scores.get(b).asDouble(), step.scores()[b], c + " step " + s + " beam " + b);
                    }
                }
                assertScore(j.get("score").asDouble(), g.score(), c + ": sequence score");
            }
        }
    }

    private static void assertScore(double expected, double actual, String what) {
        double error = Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
        MeasuredErrors.record(what, error, SCORE_TOLERANCE);
        assertTrue(error <= SCORE_TOLERANCE, what + ": " + actual + " vs " + expected + " (relative " + error + ")");
    }

    private static int[] ints(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    /** The script's end of the search, as the returned sequence tells it. */
    private static StopReason reason(String golden) {
        return switch (golden) {
            case "eos", "done" -> StopReason.EOS;
            case "stop" -> StopReason.STOP_TOKENS;
            case "length" -> StopReason.LENGTH;
            default -> throw new IllegalArgumentException("golden reason " + golden);
        };
    }

    static GenerationSettings settings(JsonNode j, Llama llama) {
        SamplingSettings sampling = j.get("do_sample").asBoolean()
                ? new SamplingSettings((float) j.get("temperature").asDouble(), j.get("top_k").asInt(), (float) j.get("top_p").asDouble(), 5)
                : SamplingSettings.greedy();
        List<int[]> stops = new ArrayList<>();
        j.get("stops").forEach(s -> stops.add(ints(s)));
        return new GenerationSettings(j.get("max_new_tokens").asInt(), sampling, j.get("num_beams").asInt(),
                j.get("length_penalty").asDouble(), (float) j.get("repetition_penalty").asDouble(), j.get("min_length").asInt(),
                List.of(), stops, false);
    }

    /** The case's model folder, or a copy whose config.json names the case's EOS when it is not the config's. */
    static Path modelWithEos(Case c) throws IOException {
        Path model = TestFiles.root().resolve(c.json().get("model").asText());
        int eos = c.json().get("eos").asInt();
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode config = (ObjectNode) mapper.readTree(model.resolve("config.json").toFile());
        if (config.get("eos_token_id").asInt() == eos) {
            return model;
        }
        Path copy = Files.createDirectories(scratch.resolve(model.getFileName() + "-eos" + eos));
        config.put("eos_token_id", eos);
        mapper.writeValue(copy.resolve("config.json").toFile(), config);
        for (String file : List.of("model.safetensors", "tokenizer.model")) {
            if (!Files.exists(copy.resolve(file))) {
                Files.copy(model.resolve(file), copy.resolve(file));
            }
        }
        return copy;
    }
}
