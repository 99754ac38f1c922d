package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.BackendChoice;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.kernels.reference.ReferenceBackend;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;
import videollama.loader.MediaDecoder;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * The chat session called directly, as a server or a batch evaluator would, on the bundled demo model: the same answer
 * as {@code videollama chat} gives, the media encoded once, the conversation kept across questions and forgotten on
 * restart, each question with its own settings, the answer streamed, the dump.
 */
class ChatSessionTest {
    private static final String QUESTION = "What is happening in this video?";

    @TempDir
    Path tmp;

    private final StringWriter log = new StringWriter();

    private static Path demo() {
        return TestFiles.root().resolve("models/videollama-demo");
    }

    private ChatSession open() {
        return ChatSession.open(demo(), new BackendChoice(new ReferenceBackend(), "backend: reference (test)"), null, null, true,
                new PrintWriter(log, true));
    }

    private static MediaEncoder.Request video(int frames) {
        Path video = demo().resolve("stream-of-water.mp4");
        return new MediaEncoder.Request(video, null, null, false, frames, new ClipOptions(ClipSampler.Step.EIGHTHS, true),
                MediaDecoder.preferred());
    }

    private static GenerationSettings greedy(ChatSession session, int maxNewTokens, boolean keepLogits) {
        return new GenerationSettings(maxNewTokens, new SamplingSettings(0, 50, 0.9f, 1), 1, 1, 1f, 1,
                session.template().stopStrings(), session.template().stopTokenIds(), keepLogits);
    }

    @Test
    void answersAsTheChatCommandDoes() {
        Cli chat = Cli.run("chat", "--model", demo().toString(), "--video", demo().resolve("stream-of-water.mp4").toString(),
                "--question", QUESTION, "--temperature", "0", "--max-new-tokens", "12", "--backend", "reference");
        assertEquals(0, chat.exitCode(), chat.toString());
        try (ChatSession session = open()) {
            session.upload(video(session.config().frames()), null);
            StringBuilder streamed = new StringBuilder();
            MediaChat.Answer answer = session.ask(QUESTION, greedy(session, 12, false), streamed::append);
            assertEquals(chat.out(), answer.text() + "\n");
            assertEquals(answer.generation().text(), streamed.toString(), "every piece streamed");
        }
    }

    @Test
    void mediaIsEncodedOnceAndTheConversationKeptUntilRestart() {
        try (ChatSession session = open()) {
            MediaEncoder.Upload first = session.upload(video(4), null);
            assertSame(first, session.upload(video(4), null), "the same upload again reuses its soft tokens");
            assertEquals(1, log.toString().split("decoding ", -1).length - 1, "decoded and encoded once: " + log);

            MediaChat.Answer a1 = session.ask(QUESTION, greedy(session, 3, false), piece -> {});
            assertTrue(a1.generation().tokens().length <= 3, "this question's own budget");
            MediaChat.Answer a2 = session.ask("And then?", greedy(session, 6, false), piece -> {});
            assertTrue(a2.generation().tokens().length <= 6);
            assertTrue(a2.prompt().length() > a1.prompt().length() + 3, "the second prompt holds the first turn: "
                    + a1.prompt().length() + " then " + a2.prompt().length());

            session.restart();
            MediaChat.Answer again = session.ask("And then?", greedy(session, 6, false), piece -> {});
            assertTrue(again.prompt().length() < a2.prompt().length(), "restart forgets the turns, keeps the upload");
            assertEquals(session.upload(video(4), null).items(), first.items());
            assertTrue(session.profileReport().startsWith("profile: the reference backend runs no kernels to time"),
                    session.profileReport());
        }
    }

    @Test
    void dumpsTheLastAnswersStages() throws Exception {
        try (ChatSession session = open()) {
            assertThrows(IllegalStateException.class, () -> session.ask(QUESTION, greedy(session, 2, true), piece -> {}));
            session.upload(video(2), null);
            MediaChat.Answer answer = session.ask(QUESTION, greedy(session, 2, true), piece -> {});
            Path dump = Files.createDirectories(tmp.resolve("dump"));
            session.dump(dump, answer);
            try (var file = videollama.weights.SafetensorsFile.open(dump.resolve("dump.safetensors"))) {
                assertEquals(List.of(2L, 3L, 224L, 224L), longs(file.get("frames").shape()));
                assertEquals((long) answer.generation().logits().size(), file.get("logits").shape()[0]);
                assertEquals((long) answer.prompt().length(), file.get("prompt.embeds").shape()[0]);
            }
            assertTrue(Files.readString(dump.resolve("prompt.json")).contains("\"segments\""));
        }
    }

    private static List<Long> longs(long[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }
}
