package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * {@code videollama chat} end to end on the bundled demo model: the answer on stdout and nothing else; the same
 * greedy answer from the decoded video as the PyTorch pipeline gave from FFmpeg's frames (ChatGoldenTest
 * holds that answer); {@code --dump}; an image; an interactive multi-turn chat; bad input.
 */
class ChatCliTest {
    @TempDir
    Path tmp;

    private static Path demo() {
        return TestFiles.root().resolve("models/videollama-demo");
    }

    private static String demoVideo() {
        return demo().resolve("stream-of-water.mp4").toString();
    }

    /** {@code videollama chat} on the demo model with {@code args}, greedy, on the reference backend. */
    private static Cli greedyChat(String... args) {
        List<String> all = new ArrayList<>(List.of("chat", "--model", demo().toString(), "--temperature", "0", "--backend", "reference"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    /** The run answered: exit code 0 and an answer on stdout. */
    private static void assertAnswered(Cli run) {
        assertEquals(0, run.exitCode(), run.toString());
        assertFalse(run.out().isBlank(), run.toString());
    }

    private static JsonNode golden() throws IOException {
        return new ObjectMapper().readTree(TestFiles.golden("chat").resolve("expected.json").toFile());
    }

    @Test
    void answersAQuestionAboutTheBundledVideoAsThePyTorchPipeline() throws IOException {
        JsonNode golden = golden();
        Path dump = tmp.resolve("dump");
        Cli run = Cli.run("chat", "--model", demo().toString(), "--video", demoVideo(), "--question", golden.get("question").asText(),
                "--temperature", "0", "--max-new-tokens", String.valueOf(golden.get("greedy_ids").size()), "--backend", "reference",
                "--dump", dump.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(golden.get("answer").asText() + "\n", run.out());
        assertTrue(run.err().contains("8 frames at [" + golden.get("indices").toString().replace("[", "").replace("]", "").replace(",", ", ") + "]"),
                run.err());

        try (SafetensorsFile file = SafetensorsFile.open(dump.resolve("dump.safetensors"))) {
            assertShape(file, "frames", 8, 3, 224, 224);
            assertShape(file, "vit.out", 8, 257, 48);
            assertShape(file, "image_qformer.out", 8, 32, 48);
            assertShape(file, "video_qformer.out", 32, 48);
            assertShape(file, "video.tokens", 32, 64);
            int promptLength = 0;
            for (JsonNode segment : golden.get("segment_ids")) {
                promptLength += segment.size();
            }
            assertShape(file, "prompt.embeds", promptLength + 32, 64);
            assertShape(file, "logits", golden.get("greedy_ids").size(), 512);
        }
        JsonNode prompt = new ObjectMapper().readTree(dump.resolve("prompt.json").toFile());
        assertEquals(golden.get("segment_ids"), prompt.get("segments"));
    }

    @Test
    void demoAnswersAboutTheBundledVideoAndSaysTheAnswerMeansNothing() throws IOException {
        Cli run = Cli.run("demo");
        assertEquals(0, run.exitCode(), run.toString());
        // the golden answer is 48 greedy tokens; the demo generates 60 on the best backend here
        assertTrue(run.out().startsWith(golden().get("answer").asText()), run.toString());
        assertTrue(run.err().contains("NOT meaningful"), run.err());
        assertTrue(run.err().contains("videollama convert"), run.err());
    }

    private static void assertShape(SafetensorsFile file, String name, long... shape) {
        Tensor t = file.get(name);
        assertEquals(Arrays.toString(shape), Arrays.toString(t.shape()), name);
    }

    @Test
    void answersWithBeamSearchAndPenalties() {
        String image = TestFiles.root().resolve("testdata/image/gradient.jpg").toString();
        Cli run = greedyChat("--image", image, "--question", "What is in this image?", "--num-beams", "3", "--length-penalty", "0.6",
                "--repetition-penalty", "1.2", "--min-length", "5", "--max-new-tokens", "12");
        assertAnswered(run);
        assertTrue(run.err().contains("beam search: 3 beams, length penalty 0.600000; repetition penalty 1.2; min length 5"), run.err());
        assertTrue(run.err().contains("3 beams: "), run.err());
        Cli.assertFailure(Cli.run("chat", "--model", demo().toString(), "--image", image, "--question", "q", "--min-length", "14",
                "--max-new-tokens", "12"), 2, "--min-length");
    }

    @Test
    void answersAboutAnImage() {
        Cli run = greedyChat("--image", TestFiles.root().resolve("testdata/image/gradient.jpg").toString(),
                "--question", "What is in this image?", "--max-new-tokens", "12");
        assertAnswered(run);
        assertTrue(run.err().contains("reading "), run.err());
    }

    @Test
    void hearsAndSeesTheBundledVideoWithAudio() throws IOException {
        Path dump = tmp.resolve("dump-av");
        Cli run = greedyChat("--video", demoVideo(), "--audio", "--question", "What do you hear?", "--max-new-tokens", "12",
                "--dump", dump.toString());
        assertAnswered(run);
        assertTrue(run.err().contains("8 sound clips"), run.err());
        try (SafetensorsFile file = SafetensorsFile.open(dump.resolve("dump.safetensors"))) {
            assertShape(file, "audio.fbank", 8, 1, 128, 204);
            assertShape(file, "audio.encoder.out", 8, 64);
            assertShape(file, "audio_qformer.out", 8, 48);
            assertShape(file, "audio.tokens", 8, 64);
            assertShape(file, "video.tokens", 32, 64);
        }
        JsonNode prompt = new ObjectMapper().readTree(dump.resolve("prompt.json").toFile());
        assertEquals(3, prompt.get("segments").size(), "text, audio, text, video, text");
    }

    @Test
    void aVideoWithoutSoundFallsBackToThePicturesWithAWarning() {
        Cli run = greedyChat("--video", TestFiles.root().resolve("testdata/video/bframes.mp4").toString(), "--audio",
                "--question", "What is it?", "--max-new-tokens", "6", "--decoder", "java");
        assertAnswered(run);
        assertTrue(run.err().contains("warning: ") && run.err().contains("answering from the pictures alone"), run.err());
        assertFalse(run.err().contains("--decoder ffmpeg"), "JCodec decodes these B-frames exactly: " + run.err());
    }

    @Test
    void framesTheJavaDecoderGetsWrongAreWarnedAboutOnce() {
        Path video = TestFiles.root().resolve("testdata/video/temporal-direct.mp4");
        Cli run = greedyChat("--video", video.toString(), "--question", "What is it?", "--max-new-tokens", "6", "--decoder", "java");
        assertAnswered(run);
        List<String> warnings = run.err().lines().filter(l -> l.contains("--decoder ffmpeg")).toList();
        assertEquals(1, warnings.size(), run.err());
        assertTrue(warnings.getFirst().startsWith("warning: " + video + ": "), run.err());
        assertFalse(run.out().contains("--decoder"), "the warning goes to stderr only: " + run.out());
    }

    @Test
    void answersAboutASoundFileAlone() {
        String jfk = TestFiles.root().resolve("testdata/audio/jfk.wav").toString();
        Cli run = greedyChat("--audio-only", jfk, "--question", "What is said?", "--max-new-tokens", "6");
        assertAnswered(run);
        assertFalse(run.err().contains("frames at"), "no pictures: " + run.err());
        Cli sevenths = greedyChat("--audio-only", jfk, "--question", "What is said?", "--max-new-tokens", "6",
                "--clip-step", "7", "--copied-clip-means");
        assertEquals(0, sevenths.exitCode(), sevenths.toString());
        Cli.assertFailure(Cli.run("chat", "--model", demo().toString(), "--audio-only", "x.wav", "--clip-step", "6", "--question", "q"),
                2, "--clip-step");
    }

    @Test
    void chatsInteractivelyOverSeveralTurns() {
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream("What is happening?\nAnd then?\n\n".getBytes(StandardCharsets.UTF_8)));
            Cli run = greedyChat("--video", demoVideo(), "--frames", "2", "--max-new-tokens", "8");
            assertAnswered(run);
            assertTrue(run.err().contains("2 frames at [0, 45]"), run.err());
            // the second prompt holds the first question and answer, so it is longer
            List<Integer> promptLengths = Pattern.compile("prompt: (\\d+) positions").matcher(run.err()).results()
                    .map(m -> Integer.parseInt(m.group(1))).toList();
            assertEquals(2, promptLengths.size(), run.err());
            assertTrue(promptLengths.get(1) > promptLengths.get(0) + 8, promptLengths.toString());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void badInputGetsOneLineNamingTheCulprit() throws IOException {
        Path notAnImage = tmp.resolve("notes.png");
        Files.writeString(notAnImage, "not a picture");
        String model = demo().toString();
        String video = demoVideo();
        Cli.assertFailure(Cli.run("chat", "--model", model, "--question", "q"), 2, "--video");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--video", video, "--image", notAnImage.toString(), "--question", "q"), 2, "--image");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--video", video, "--frames", "33", "--question", "q"), 2, "--frames");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--video", video, "--template", "chatml", "--question", "q"), 2, "--template");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--image", notAnImage.toString(), "--question", "q", "--backend", "reference"),
                1, notAnImage.toString());
        Cli.assertFailure(Cli.run("chat", "--model", model, "--video", tmp.resolve("missing.mp4").toString(), "--question", "q",
                "--backend", "reference"), 1, "missing.mp4");
        Path audioOnly = TestFiles.root().resolve("testdata/video/audio-only.mp4");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--video", audioOnly.toString(), "--question", "q", "--backend", "reference"),
                1, "audio-only.mp4", "no video track");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--image", notAnImage.toString(), "--audio", "--question", "q"), 2, "--audio");
        Cli.assertFailure(Cli.run("chat", "--model", model, "--audio-only", TestFiles.root().resolve("testdata/video/bframes.mp4").toString(),
                "--question", "q", "--backend", "reference"), 1, "bframes.mp4");
        // a LLaMA folder without the vision branch
        Cli.assertFailure(Cli.run("chat", "--model", TestFiles.bundledModel().toString(), "--video", video, "--question", "q",
                "--backend", "reference"), 1, "no vision branch");
    }
}
