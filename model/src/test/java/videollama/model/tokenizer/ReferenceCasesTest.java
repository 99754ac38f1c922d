package videollama.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The tokenizer against the real sentencepiece library: the llama.cpp cases in testdata/tokenizer and the cases
 * made by scripts/reference/make_tokenizer_cases.py (test resources tokenizer/).
 */
class ReferenceCasesTest {

    @Test
    void llamaCppCasesOfTheLlamaVocabulary() {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(ReferenceData.llamaModel());
        JsonNode cases = ReferenceData.json(ReferenceData.root().resolve("testdata/tokenizer/llama-spm-cases.json")).get("cases");
        assertEquals(46, cases.size());
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            assertArrayEquals(ReferenceData.ids(c.get("ids")), tok.encodeSentencePiece(text), () -> show(text));
        }
    }

    @TestFactory
    Stream<DynamicNode> llama() {
        return suite("llama", ReferenceData.llamaModel(), ReferenceData.json(ReferenceData.resource("cases-llama.json")));
    }

    @TestFactory
    Stream<DynamicNode> stories260K() {
        return suite("stories260K", ReferenceData.storiesModel(),
                ReferenceData.json(ReferenceData.resource("cases-stories260K.json")));
    }

    /** Variants of the stories260K model (no byte fallback, user-defined/unused pieces, normalizer flags), equal scores. */
    @TestFactory
    Stream<DynamicNode> variants() {
        JsonNode all = ReferenceData.json(ReferenceData.resource("cases-variants.json"));
        List<DynamicNode> out = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : all.properties()) {
            Path model = ReferenceData.resource(e.getValue().get("model").asText());
            out.addAll(suite(e.getKey(), model, e.getValue()).toList());
        }
        assertEquals(List.of("nobyte", "userdef", "rew", "nodummy", "noescape", "ties"), names(all));
        return out.stream();
    }

    private static Stream<DynamicNode> suite(String name, Path model, JsonNode data) {
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(model);
        JsonNode cases = data.get("cases");
        JsonNode hf = data.get("hf");
        JsonNode decode = data.get("decode");
        List<DynamicNode> tests = new ArrayList<>();
        tests.add(dynamicTest(name + ": encodeSentencePiece, " + cases.size() + " texts", () -> {
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                assertArrayEquals(ReferenceData.ids(c.get("ids")), tok.encodeSentencePiece(text), () -> show(text));
            }
        }));
        tests.add(dynamicTest(name + ": decode(encode(text)) as sentencepiece", () -> {
            for (JsonNode c : cases) {
                String text = c.get("text").asText();
                String expected = c.has("decoded") ? c.get("decoded").asText() : text;
                assertEquals(expected, tok.decode(tok.encodeSentencePiece(text)), () -> show(text));
            }
        }));
        tests.add(dynamicTest(name + ": TokenPrinter pieces concatenate to decode", () -> {
            for (JsonNode c : cases) {
                int[] ids = ReferenceData.ids(c.get("ids"));
                assertEquals(tok.decode(ids), printAll(tok, ids), () -> show(c.get("text").asText()));
            }
        }));
        tests.add(dynamicTest(name + ": encode (HF LlamaTokenizer, special tokens split), " + hf.size() + " texts", () -> {
            for (JsonNode c : hf) {
                String text = c.get("text").asText();
                assertArrayEquals(ReferenceData.ids(c.get("ids")), tok.encode(text), () -> show(text));
            }
        }));
        tests.add(dynamicTest(name + ": decode of " + decode.size() + " random id sequences", () -> {
            for (JsonNode c : decode) {
                int[] ids = ReferenceData.ids(c.get("ids"));
                assertEquals(c.get("text").asText(), tok.decode(ids), () -> java.util.Arrays.toString(ids));
            }
        }));
        tests.add(dynamicTest(name + ": TokenPrinter on random id sequences", () -> {
            for (JsonNode c : decode) {
                int[] ids = ReferenceData.ids(c.get("ids"));
                assertEquals(c.get("text").asText(), printAll(tok, ids), () -> java.util.Arrays.toString(ids));
            }
        }));
        return tests.stream();
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Feeds the ids one at a time, as generation does, and joins what the printer returns. */
    static String printAll(SentencePieceTokenizer tok, int[] ids) {
        TokenPrinter printer = tok.printer();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(printer.next(id));
        }
        return out.append(printer.flush()).toString();
    }

    static String show(String text) {
        String t = text.length() > 120 ? text.substring(0, 120) + "..." : text;
        return "text " + t.replace("\n", "\\n").replace("\t", "\\t") + " (" + text.length() + " chars)";
    }
}
