package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.TimestampSentence;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;
import videollama.loader.video.VideoLoader;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.videollama.QueryAttention;
import videollama.model.videollama.VideoBranch;
import videollama.weights.Tensor;

/**
 * The lab view's data ({@code GET /v1/lab}, {@code GET /v1/lab/frames}) against what the model computes on its own: the
 * top-5 probabilities, scored again teacher-forced, equal the softmax of the logits the generator kept while answering
 * (a second way to the same numbers); the frames' times are the timestamp sentence's; the attention weights are
 * distributions and the Q-Formers run again for them give the encoder's own output; the fbank pictures decode.
 */
class LabEndpointTest {
    private static final String QUESTION = "What is happening in this video?";
    private static final String KEY = "lab-key";
    private static final int MAX_TOKENS = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient http = HttpClient.newHttpClient();
    private static DemoServer server;

    @BeforeAll
    static void start() {
        TestFiles.ffmpegOrSkip();
        server = DemoServer.start(new StringWriter());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theLabShowsTheLastAnswerAsTheModelComputedIt() throws Exception {
        ObjectNode video = JSON.createObjectNode().put("type", "video_url");
        video.putObject("video_url").put("url", "data:video/mp4;base64," + base64(DemoServer.video()));
        ObjectNode request = question(video).put("use_audio_in_video", true);
        JsonNode lab = askThenLab(server, request);

        // the same question through a session of its own, keeping every step's logits
        MediaChat.Answer direct;
        MediaEncoder.Request upload = new MediaEncoder.Request(DemoServer.video(), null, null, true, 8,
                new ClipOptions(ClipSampler.Step.EIGHTHS, true), MediaDecoder.preferred());
        MediaEncoder.Upload encoded;
        try (ChatSession own = DemoServer.session(new StringWriter())) {
            encoded = own.upload(upload, null);
            direct = own.ask(QUESTION, new GenerationSettings(MAX_TOKENS, new SamplingSettings(0, 50, 0.9f, 1), 1, 1, 1f, 1,
                    own.template().stopStrings(), own.template().stopTokenIds(), true), piece -> {});
        }
        checkTokens(lab.path("tokens"), direct);
        checkFrames(lab.path("frames"));
        assertEquals(lab.path("frames"), JSON.readTree(get(server, "/v1/lab/frames", null).body()).path("frames"),
                "the chat page's frames");
        checkAttention(lab.path("attention"), encoded);
        JsonNode fbank = lab.path("fbank");
        assertEquals(8, fbank.size(), "a picture per sound clip");
        for (JsonNode clip : fbank) {
            BufferedImage image = picture(clip.asText());
            assertEquals(204, image.getWidth(), "fbank frames across");
            assertEquals(128, image.getHeight(), "mel bands up");
        }
        List<String> stages = new ArrayList<>();
        lab.path("stages").forEach(s -> stages.add(s.path("name").asText()));
        assertEquals(List.of("frames", "vit.out", "image_qformer.out", "video_qformer.out", "video.tokens", "audio.fbank",
                "audio.encoder.out", "audio_qformer.out", "audio.tokens", "prompt.embeds"), stages);
        List<String> times = new ArrayList<>();
        lab.path("times").forEach(t -> times.add(t.path("what").asText().replaceAll(" \\(.*|:.*", "")));
        assertEquals(List.of("decoding the frames", "reading the sound track", "vision branch", "audio branch", "prefill",
                "decoding " + direct.generation().tokens().length + " tokens", "lab", "lab"), times, "the steps timed, in order");
    }

    @Test
    void anImageHasOneFrameASoundNone() throws Exception {
        ObjectNode image = JSON.createObjectNode().put("type", "image_url");
        image.putObject("image_url").put("url", "data:image/jpeg;base64," + base64(TestFiles.root().resolve("testdata/image/gradient.jpg")));
        JsonNode lab = askThenLab(server, question(image));
        assertEquals(1, lab.path("frames").size(), "an image is one frame");
        assertTrue(lab.path("frames").get(0).path("seconds").isMissingNode(), "an image has no time");
        assertEquals(1, lab.path("attention").path("frames").asInt());
        assertTrue(lab.path("fbank").isNull(), "no sound heard");

        ObjectNode sound = JSON.createObjectNode().put("type", "input_audio");
        sound.putObject("input_audio").put("format", "wav").put("data", base64(TestFiles.root().resolve("testdata/audio/tone-8k-u8.wav")));
        lab = askThenLab(server, question(sound));
        assertEquals(0, lab.path("frames").size(), "a sound has no frames");
        assertTrue(lab.path("attention").isNull(), "no video queries");
        assertEquals(8, lab.path("fbank").size(), "a picture per sound clip");

        ObjectNode refused = question(image).put("use_audio_in_video", true);
        HttpResponse<String> response = post(server, refused, null);
        assertEquals(400, response.statusCode(), response.body());
        assertEquals("use_audio_in_video", JSON.readTree(response.body()).path("error").path("param").asText());
    }

    @Test
    void thePageNeedsNoKeyTheLabDoes() throws Exception {
        try (DemoServer keyed = DemoServer.start(new StringWriter(), KEY)) {
            for (String page : List.of("/", "/web/chat.js", "/web/lab.js", "/web/page.css")) {
                HttpResponse<String> response = get(keyed, page, null);
                assertEquals(200, response.statusCode(), page);
                assertTrue(response.body().length() > 100, page);
            }
            assertEquals(401, get(keyed, "/web/missing.js", null).statusCode(), "only the page's files go without the key");
            assertEquals(404, get(keyed, "/web/missing.js", KEY).statusCode(), "only the page's files are served");
            assertEquals(401, get(keyed, "/v1/lab", null).statusCode(), "the lab needs the key");
            assertEquals(401, get(keyed, "/v1/lab/frames", null).statusCode(), "the frames too");
            HttpResponse<String> nothing = get(keyed, "/v1/lab", KEY);
            assertEquals(404, nothing.statusCode(), "no answer yet: nothing to show");
            assertEquals("nothing_to_show", JSON.readTree(nothing.body()).path("error").path("code").asText());
        }
    }

    /** A first question about {@code media}, greedy. */
    private static ObjectNode question(ObjectNode media) {
        ObjectNode request = JSON.createObjectNode().put("max_tokens", MAX_TOKENS).put("temperature", 0);
        ObjectNode user = request.putArray("messages").addObject().put("role", "user");
        user.putArray("content").add(media).addObject().put("type", "text").put("text", QUESTION);
        return request;
    }

    /** Asks, then returns the lab's report on the answer. */
    private static JsonNode askThenLab(DemoServer on, ObjectNode request) throws Exception {
        HttpResponse<String> answered = post(on, request, null);
        assertEquals(200, answered.statusCode(), answered.body());
        HttpResponse<String> response = get(on, "/v1/lab", null);
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }

    private static String base64(Path file) throws java.io.IOException {
        return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
    }

    /** Each step: the chosen token is the generator's, and the top 5 are the softmax of the generator's own logits. */
    private static void checkTokens(JsonNode tokens, MediaChat.Answer direct) {
        int[] ids = direct.generation().tokens();
        List<float[]> logits = direct.generation().logits();
        assertEquals(ids.length, tokens.size(), "a row per answer token");
        for (int step = 0; step < ids.length; step++) {
            JsonNode row = tokens.get(step);
            assertEquals(ids[step], row.path("chosen").path("id").asInt(), "token " + step);
            double[] p = softmax(logits.get(step));
            JsonNode top = row.path("top");
            assertEquals(5, top.size());
            assertEquals(ids[step], top.get(0).path("id").asInt(), "greedy: the chosen token is the most likely, step " + step);
            for (int k = 0; k < 5; k++) {
                int id = top.get(k).path("id").asInt();
                assertEquals(p[id], top.get(k).path("probability").asDouble(), 1e-4, "step " + step + ", candidate " + k);
                if (k > 0) {
                    assertTrue(top.get(k).path("probability").asDouble() <= top.get(k - 1).path("probability").asDouble());
                }
            }
        }
    }

    private static void checkFrames(JsonNode frames) {
        SampledFrames sampled = VideoLoader.load(DemoServer.video(), 8, MediaDecoder.preferred());
        List<String> seconds = new ArrayList<>();
        for (JsonNode frame : frames) {
            seconds.add(frame.path("seconds").asText());
            BufferedImage image = picture(frame.path("picture").asText());
            assertEquals(SampledFrames.SIZE, image.getWidth());
        }
        assertEquals(TimestampSentence.of(sampled.indices(), sampled.fps()),
                "The video contains 8 frames sampled at " + String.join(", ", seconds) + " seconds. ");
    }

    /**
     * Per query the frames' shares sum to 1, and the maps are scaled to the query's greatest patch; the Q-Formers run
     * again with their weights recorded give the encoder's video_qformer.out.
     */
    private static void checkAttention(JsonNode attention, MediaEncoder.Upload encoded) {
        assertEquals(16, attention.path("patchSide").asInt(), "224 / 14 patches a side");
        assertEquals(32, attention.path("queries").size());
        for (JsonNode query : attention.path("queries")) {
            double share = 0;
            double greatest = 0;
            for (int f = 0; f < 8; f++) {
                share += query.path("frameShare").get(f).asDouble();
                assertEquals(256, query.path("maps").get(f).size());
                for (JsonNode v : query.path("maps").get(f)) {
                    greatest = Math.max(greatest, v.asDouble());
                }
            }
            assertEquals(1, share, 0.01, "a query's attention over the frames");
            assertEquals(1, greatest, 1e-9, "scaled to the strongest patch");
        }
        Tensor vit = tensor(encoded, "vit.out");
        float[] expected = tensor(encoded, "video_qformer.out").toFloatArray();
        try (VideoBranch branch = VideoBranch.open(DemoServer.model())) {
            QueryAttention again = QueryAttention.of(branch, vit.toFloatArray(), 8);
            float maxError = 0;
            for (int i = 0; i < expected.length; i++) {
                maxError = Math.max(maxError, Math.abs(expected[i] - again.videoQformerOut()[i]));
            }
            assertTrue(maxError < 1e-5, "the Q-Formers again: max error " + maxError);
        }
    }

    private static Tensor tensor(MediaEncoder.Upload upload, String name) {
        return upload.dumps().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    private static BufferedImage picture(String dataUrl) {
        try {
            return ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(dataUrl.substring(dataUrl.indexOf(',') + 1))));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> get(DemoServer on, String path, String key) throws Exception {
        return http.send(authorized(HttpRequest.newBuilder(URI.create(on.url(path))), key).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(DemoServer on, JsonNode body, String key) throws Exception {
        return http.send(authorized(HttpRequest.newBuilder(URI.create(on.url("/v1/chat/completions"))), key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder authorized(HttpRequest.Builder request, String key) {
        return key == null ? request : request.header("Authorization", "Bearer " + key);
    }
}
