package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code eval conversations} on the bundled demo model (its answers are not meaningful, but they are what {@code chat}
 * answers): each conversation's first answer must be {@code chat}'s for the same media, template, sampling and seed,
 * later questions must see the earlier turns, and a replay with the same seeds must give the same answers.
 */
class ConversationsCommandTest {
    @TempDir
    Path dir;

    private static final Path ROOT = Path.of(System.getProperty("videollama.root"));
    private static final Path MODEL = ROOT.resolve("models/videollama-demo");
    private static final Path VIDEO = MODEL.resolve("stream-of-water.mp4");
    private static final Path IMAGE = ROOT.resolve("testdata/image/gradient.jpg");
    private static final Pattern ANSWER = Pattern.compile("\\*\\*Video-LLaMA:\\*\\* (.*?)\\n\\n", Pattern.DOTALL);
    private static final Pattern TURN_ROW = Pattern.compile("\\| (\\d) \\| (\\d+) \\| [\\d.]+ \\| (\\d+) \\|");

    private Path cases() throws IOException {
        // the image is named relative to the cases file, the video absolutely
        Files.copy(IMAGE, dir.resolve("gradient.jpg"));
        return Files.writeString(dir.resolve("cases.json"), """
                [
                  {"name": "water", "video": "%s", "questions": ["What is in the video?", "And what color is it?"],
                   "sampling": {"temperature": 0.7, "top_k": 20, "max_new_tokens": 24}, "seed": 7},
                  {"image": "gradient.jpg", "questions": ["Describe the picture."], "template": "vicuna",
                   "sampling": {"temperature": 0, "max_new_tokens": 16}}
                ]
                """.formatted(VIDEO));
    }

    private Cli conversations(Path cases, Path out) {
        return Cli.run("eval", "conversations", "--cases", cases.toString(), "--out", out.toString(), "--model", MODEL.toString(),
                "--backend", "reference", "--decoder", "java");
    }

    private static List<String> answers(String transcript) {
        List<String> out = new ArrayList<>();
        Matcher m = ANSWER.matcher(transcript);
        while (m.find()) {
            out.add(words(m.group(1)));
        }
        return out;
    }

    /** The text's words: the transcript keeps an answer's line breaks as Markdown hard breaks. */
    private static String words(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    @Test
    void eachConversationAnswersAsChatDoesAndLaterTurnsSeeTheEarlierOnes() throws IOException {
        Path cases = cases();
        Cli run = conversations(cases, dir.resolve("t.md"));
        assertEquals(0, run.code(), run.toString());
        assertEquals("", run.out());
        String transcript = Files.readString(dir.resolve("t.md"));
        List<String> answers = answers(transcript);
        assertEquals(3, answers.size(), transcript);

        Cli chatVideo = Cli.run("chat", "--model", MODEL.toString(), "--video", VIDEO.toString(), "--question", "What is in the video?",
                "--temperature", "0.7", "--top-k", "20", "--max-new-tokens", "24", "--seed", "7", "--backend", "reference", "--decoder", "java");
        assertEquals(0, chatVideo.code(), chatVideo.toString());
        assertEquals(words(chatVideo.out()), answers.get(0));
        Cli chatImage = Cli.run("chat", "--model", MODEL.toString(), "--image", IMAGE.toString(), "--question", "Describe the picture.",
                "--template", "vicuna", "--temperature", "0", "--max-new-tokens", "16", "--backend", "reference");
        assertEquals(0, chatImage.code(), chatImage.toString());
        assertEquals(words(chatImage.out()), answers.get(2));

        // the second question's prompt holds the first question and answer: longer than the first prompt plus its answer
        Matcher rows = TURN_ROW.matcher(transcript);
        List<int[]> turns = new ArrayList<>();
        while (rows.find()) {
            turns.add(new int[] {Integer.parseInt(rows.group(2)), Integer.parseInt(rows.group(3))});
        }
        assertEquals(3, turns.size(), transcript);
        assertTrue(turns.get(1)[0] > turns.get(0)[0] + turns.get(0)[1], "turn 2's prompt does not hold turn 1");

        assertTrue(transcript.contains("| Media | video `" + VIDEO + "` |"), transcript);
        assertTrue(transcript.contains("| Sampling | temperature 0.7, top-k 20, top-p 0.9, at most 24 new tokens |"), transcript);
        assertTrue(transcript.contains("| Seed | 7 |"), transcript);
        assertTrue(transcript.contains("| Frames | 8 |"), transcript);
        assertTrue(transcript.contains("| Template | llama2 |"), transcript);
        assertTrue(transcript.contains("## 2. case 2"), transcript);
        assertTrue(transcript.contains("| Media | image `gradient.jpg` |"), transcript);
        assertTrue(transcript.contains("| Template | vicuna |"), transcript);
        assertTrue(transcript.contains("| Sampling | greedy, at most 16 new tokens |"), transcript);
        assertTrue(transcript.matches("(?s).*\\| Seed \\| -?\\d+ \\(drawn for this run: put it in the case to repeat it\\) \\|.*"), transcript);
        assertTrue(transcript.matches("(?s).*Media decoded and encoded in \\d+ ms\\..*"), transcript);
        assertTrue(transcript.contains("| Backend | reference"), transcript);

        Cli again = conversations(cases, dir.resolve("again.md"));
        assertEquals(0, again.code(), again.toString());
        assertEquals(answers, answers(Files.readString(dir.resolve("again.md"))), "a replay with the same seeds answered otherwise");
    }

    @Test
    void badCasesAreOneLineErrorsBeforeTheModelLoads() throws IOException {
        assertRefused("{}", "not a JSON list of conversation cases");
        assertRefused("[]", ": no cases");
        assertRefused("[{\"questions\": [\"q\"]}]", ": case 1: needs exactly one of video, image and audio_only");
        assertRefused("[{\"name\": \"two\", \"image\": \"a.jpg\", \"video\": \"b.mp4\", \"questions\": [\"q\"]}]",
                ": case 1 (two): needs exactly one of video, image and audio_only");
        assertRefused("[{\"image\": \"missing.jpg\", \"questions\": [\"q\"]}]", ": case 1: " + dir.resolve("missing.jpg") + ": not found");
        assertRefused("[{\"video\": \"" + VIDEO + "\", \"questions\": []}]", "needs questions: a list of non-empty strings");
        assertRefused("[{\"video\": \"" + VIDEO + "\", \"questions\": [\"q\"], \"num_beams\": 4}]", "Unrecognized field \"num_beams\"");
        assertRefused("[{\"video\": \"" + VIDEO + "\", \"questions\": [\"q\"], \"sampling\": {\"temperature\": -1}}]",
                ": case 1: sampling: --temperature must be 0 (greedy) or positive, got -1.0");
        assertRefused("[{\"video\": \"" + VIDEO + "\", \"questions\": [\"q\"], \"frames\": 99}]", ": case 1: frames: --frames 99: must be between 1 and 32");
        assertRefused("[{\"video\": \"" + VIDEO + "\", \"questions\": [\"q\"], \"template\": \"alpaca\"}]", ": case 1: template: ");
        assertRefused("[{\"image\": \"" + IMAGE + "\", \"audio\": true, \"questions\": [\"q\"]}]", "audio: true hears a video's sound track");
    }

    private void assertRefused(String json, String message) throws IOException {
        Path file = Files.writeString(dir.resolve("bad.json"), json);
        // a model folder that does not exist: the cases are checked before it would be opened
        Cli run = Cli.run("eval", "conversations", "--cases", file.toString(), "--out", dir.resolve("t.md").toString(),
                "--model", dir.resolve("no-model").toString(), "--backend", "reference");
        assertEquals(1, run.code(), run.toString());
        List<String> lines = run.err().lines().toList();
        assertEquals(1, lines.size(), run.err());
        assertTrue(lines.getFirst().startsWith("videollama: " + file) && lines.getFirst().contains(message), run.err());
        assertFalse(Files.exists(dir.resolve("t.md")));
    }
}
