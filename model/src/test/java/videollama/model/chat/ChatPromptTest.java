package videollama.model.chat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.testing.SeededRandom;

/**
 * The prompts of a Video-LLaMA chat against the reference's own conversation code: prompt-cases.json was made by
 * scripts/reference/make_prompt_cases.py, which runs the reference repository's {@code Conversation},
 * {@code Chat.ask} and the demos' messages, and tokenizes each placeholder-separated segment like the slow HF
 * tokenizer. Both templates; video, image, audio + video, empty system, multi-turn with special tokens in an answer.
 */
class ChatPromptTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    private static final Path ROOT = Path.of(System.getProperty("videollama.root", ".."));
    private static final SentencePieceTokenizer TOKENIZER =
            SentencePieceTokenizer.load(ROOT.resolve("testdata/tokenizer/tokenizer.model"));
    private static final int HIDDEN = 3;

    static Stream<JsonNode> cases() throws IOException {
        try (InputStream in = ChatPromptTest.class.getResourceAsStream("/chat/prompt-cases.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> cases = new ArrayList<>();
            root.get("cases").forEach(cases::add);
            return cases.stream();
        }
    }

    @Test
    void theDemoTextsAreTheReferences() throws IOException {
        try (InputStream in = ChatPromptTest.class.getResourceAsStream("/chat/prompt-cases.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            assertEquals(root.get("system").asText(), DemoMessages.VISUAL_SYSTEM);
            assertEquals(root.get("audio_video_body").asText(), DemoMessages.AUDIO_VIDEO);
        }
        assertEquals("<Video><ImageHere></Video> The video contains 1 frames sampled at 0.0 seconds. ",
                DemoMessages.video("The video contains 1 frames sampled at 0.0 seconds. "));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void promptsAndSegmentIdsMatchTheReference(JsonNode c) {
        ChatTemplate template = ChatTemplate.byId(c.get("template").asText());
        Conversation conversation = new Conversation(template, c.get("system").asText());
        conversation.upload(c.get("body").asText());
        JsonNode turns = c.get("turns");
        for (int t = 0; t < turns.size(); t++) {
            JsonNode turn = turns.get(t);
            conversation.ask(turn.get("question").asText());
            String prompt = conversation.prompt();
            assertEquals(turn.get("prompt").asText(), prompt, "prompt of turn " + t);

            int placeholders = turn.get("segments").size() - 1;
            List<SoftTokens> items = new ArrayList<>();
            for (int i = 0; i < placeholders; i++) {
                int count = i == 0 && placeholders == 2 ? 8 : 32; // audio first when there are two
                items.add(new SoftTokens("item " + i, soft(i, count), count));
            }
            ChatPrompt input = ChatPrompt.build(prompt, items, TOKENIZER, ChatPromptTest::embed, 300, ChatPrompt.REFERENCE_MAX_LENGTH);
            JsonNode ids = turn.get("ids");
            assertEquals(ids.size(), input.segmentIds().size());
            int length = 0;
            for (int s = 0; s < ids.size(); s++) {
                assertArrayEquals(ints(ids.get(s)), input.segmentIds().get(s), "ids of segment " + s + " of turn " + t);
                length += ids.get(s).size();
            }
            length += items.stream().mapToInt(SoftTokens::count).sum();
            assertEquals(length, input.length());
            assertEquals(0, input.dropped());
            assertArrayEquals(expectedRows(input.segmentIds(), items, 0), input.embeddings());
            if (t < c.get("answers").size()) {
                conversation.answer(c.get("answers").get(t).asText());
            }
        }
    }

    @Test
    void aLongPromptLosesItsFirstPositionsLikeTheReference() {
        Conversation conversation = new Conversation(ChatTemplate.LLAMA2, DemoMessages.VISUAL_SYSTEM);
        conversation.upload(DemoMessages.IMAGE);
        conversation.ask("Describe it. ".repeat(200));
        List<SoftTokens> items = List.of(new SoftTokens("image", soft(0, 32), 32));
        ChatPrompt full = ChatPrompt.build(conversation.prompt(), items, TOKENIZER, ChatPromptTest::embed, 0, Integer.MAX_VALUE);
        ChatPrompt cut = ChatPrompt.build(conversation.prompt(), items, TOKENIZER, ChatPromptTest::embed, 300, 1000);
        assertEquals(full.length() + 300 - 1000, cut.dropped());
        assertEquals(1000 - 300, cut.length());
        float[] tail = new float[cut.length() * HIDDEN];
        System.arraycopy(full.embeddings(), cut.dropped() * HIDDEN, tail, 0, tail.length);
        assertArrayEquals(tail, cut.embeddings());
    }

    @Test
    void placeholdersMustMatchTheItems() {
        Function<int[], float[]> embed = ChatPromptTest::embed;
        assertThrows(IllegalArgumentException.class,
                () -> ChatPrompt.build("a <ImageHere> b", List.of(), TOKENIZER, embed, 10, 2000));
        assertThrows(IllegalArgumentException.class, () -> ChatPrompt.build("a <ImageHere> b",
                List.of(new SoftTokens("wide", new float[8], 2)), TOKENIZER, embed, 10, 2000));
    }

    @Test
    void aConversationAsksAfterEachAnswer() {
        Conversation conversation = new Conversation(ChatTemplate.VICUNA, "");
        conversation.upload(DemoMessages.IMAGE);
        conversation.ask("What is it?");
        conversation.ask("Be brief."); // still the upload message: the reference joins this too
        conversation.answer("A cat.");
        assertThrows(IllegalStateException.class, conversation::prompt);
        conversation.ask("And then?");
        assertEquals("###Human: <Image><ImageHere></Image>  What is it? Be brief.###Assistant: A cat.###Human: And then?###Assistant:", conversation.prompt());
    }

    @Test
    void aSoundOnlyUploadTakesTheQuestionLikeTheOthers() {
        Conversation conversation = new Conversation(ChatTemplate.LLAMA2, "");
        conversation.upload(DemoMessages.AUDIO);
        conversation.ask("What do you hear?");
        assertEquals("[INST] <<SYS>>\n\n<</SYS>>\n\n" + DemoMessages.AUDIO + " What do you hear? [/INST]", conversation.prompt());
        conversation.answer("Rain.");
        conversation.ask("Loud?");
        assertThrows(IllegalStateException.class, () -> conversation.ask("Or soft?"));
    }

    /** A made-up embedding table: row id = (id, id + 0.25, -id). */
    private static float[] embed(int[] ids) {
        float[] rows = new float[ids.length * HIDDEN];
        for (int i = 0; i < ids.length; i++) {
            rows[i * HIDDEN] = ids[i];
            rows[i * HIDDEN + 1] = ids[i] + 0.25f;
            rows[i * HIDDEN + 2] = -ids[i];
        }
        return rows;
    }

    private float[] soft(int item, int count) {
        float[] rows = new float[count * HIDDEN];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = random.nextFloat() + 100 * (item + 1);
        }
        return rows;
    }

    private static float[] expectedRows(List<int[]> segments, List<SoftTokens> items, int dropped) {
        List<Float> all = new ArrayList<>();
        for (int s = 0; s < segments.size(); s++) {
            for (float v : embed(segments.get(s))) {
                all.add(v);
            }
            if (s < items.size()) {
                for (float v : items.get(s).rows()) {
                    all.add(v);
                }
            }
        }
        float[] out = new float[all.size() - dropped * HIDDEN];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i + dropped * HIDDEN);
        }
        return out;
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
