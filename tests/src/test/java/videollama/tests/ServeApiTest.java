package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartInputAudio;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.app.serve.ChatServer;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * {@code videollama serve}'s API over raw HTTP, against a server started here on a free port over the bundled demo
 * model: the answer is the chat session's for the same question and settings, streamed it adds up to the same text,
 * a follow-up question reuses the encoded video, OpenAI's own Java client gets the same answers, and every bad request
 * gets OpenAI's JSON error with a 4xx code.
 */
class ServeApiTest {
    private static final String KEY = "test-key";
    private static final String QUESTION = "What is happening in this video?";
    private static final int MAX_TOKENS = 12;
    private static final long MAX_UPLOAD = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final StringWriter serverLog = new StringWriter();
    private static DemoServer demoServer;
    private static ChatSession session;
    private static ChatServer server;
    private static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        demoServer = DemoServer.start(serverLog, KEY, MAX_UPLOAD);
        session = demoServer.session();
        server = demoServer.server();
    }

    @AfterAll
    static void stop() {
        if (demoServer != null) {
            demoServer.close();
        }
    }

    @Test
    void answersAsTheChatSessionDoes() throws Exception {
        MediaChat.Answer expected = directAnswer(null, DemoServer.video(), false);
        HttpResponse<String> response = post(question(videoMessage(QUESTION)));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode completion = JSON.readTree(response.body());
        assertEquals("chat.completion", completion.path("object").asText());
        assertEquals("videollama-demo", completion.path("model").asText());
        JsonNode choice = completion.path("choices").path(0);
        assertEquals("assistant", choice.path("message").path("role").asText());
        assertEquals(expected.text(), choice.path("message").path("content").asText());
        assertEquals(expected.generation().stopReason().name().equals("LENGTH") ? "length" : "stop",
                choice.path("finish_reason").asText());
        JsonNode usage = completion.path("usage");
        assertEquals(expected.prompt().length(), usage.path("prompt_tokens").asInt());
        assertEquals(expected.generation().tokens().length, usage.path("completion_tokens").asInt());
        assertEquals(usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt(), usage.path("total_tokens").asInt());
    }

    @Test
    void streamedChunksAddUpToTheAnswer() throws Exception {
        HttpResponse<String> plain = post(question(videoMessage(QUESTION)));
        String whole = content(plain);
        assertFalse(whole.isEmpty(), "an answer to compare with");
        ObjectNode request = question(videoMessage(QUESTION)).put("stream", true);
        request.putObject("stream_options").put("include_usage", true);
        HttpResponse<String> response = post(request);
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"),
                response.headers().toString());
        List<String> events = new ArrayList<>();
        for (String block : response.body().split("\n\n")) {
            assertTrue(block.startsWith("data: "), "an event: " + block);
            events.add(block.substring("data: ".length()));
        }
        assertEquals("[DONE]", events.getLast());
        StringBuilder streamed = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            for (JsonNode choice : chunk.path("choices")) {
                streamed.append(choice.path("delta").path("content").asText(""));
                if (!choice.path("finish_reason").isNull()) {
                    finish = choice.path("finish_reason").asText();
                }
            }
            if (chunk.has("usage")) {
                usage = chunk.get("usage");
            }
        }
        assertTrue(events.size() > 4, "the answer came in pieces: " + events);
        assertEquals(whole, streamed.toString());
        assertNotNull(finish, "a chunk carries the finish reason");
        assertNotNull(usage, "stream_options.include_usage: a usage chunk");
        assertEquals(JSON.readTree(plain.body()).path("usage"), usage, "the same counts streamed or not");
    }

    @Test
    void aFollowUpQuestionReusesTheEncodedVideo() throws Exception {
        HttpResponse<String> first = post(question(videoMessage(QUESTION)));
        String answer = content(first);
        int decodedBefore = count(serverLog.toString(), "decoding ");
        assertTrue(decodedBefore >= 1, "the video was decoded: " + serverLog);

        ObjectNode followUp = question(videoMessage(QUESTION));
        ArrayNode messages = followUp.withArray("messages");
        messages.addObject().put("role", "assistant").put("content", answer);
        messages.addObject().put("role", "user").put("content", "And then?");
        HttpResponse<String> second = post(followUp);
        assertEquals(200, second.statusCode(), second.body());
        assertTrue(JSON.readTree(second.body()).path("usage").path("prompt_tokens").asInt()
                > JSON.readTree(first.body()).path("usage").path("prompt_tokens").asInt(), "the follow-up's prompt holds the first turn");

        HttpResponse<String> again = post(question(videoMessage("Describe the water.")));
        assertEquals(200, again.statusCode(), again.body());
        assertEquals(decodedBefore, count(serverLog.toString(), "decoding "), "the same bytes: no decoding again: " + serverLog);

        ObjectNode foreign = question(videoMessage(QUESTION));
        foreign.withArray("messages").addObject().put("role", "assistant").put("content", "an answer this server never gave");
        foreign.withArray("messages").addObject().put("role", "user").put("content", "And then?");
        assertError(post(foreign), 400, "conversation_not_held", "messages");
    }

    @Test
    void listsTheModelAndSaysItIsHealthy() throws Exception {
        HttpResponse<String> models = send(HttpRequest.newBuilder(uri("/v1/models")).header("Authorization", "Bearer " + KEY).GET());
        assertEquals(200, models.statusCode(), models.body());
        JsonNode list = JSON.readTree(models.body());
        assertEquals("list", list.path("object").asText());
        assertEquals("videollama-demo", list.path("data").path(0).path("id").asText());
        assertEquals("model", list.path("data").path(0).path("object").asText());

        HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/health")).GET()); // no key needed
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("ok", JSON.readTree(health.body()).path("status").asText());
    }

    @Test
    void refusesBadRequestsWithOpenAiErrors() throws Exception {
        assertError(postRaw("{\"messages\": [", KEY), 400, "invalid_json", null);
        assertError(postRaw("{} trailing", KEY), 400, "invalid_json", null);
        assertError(postRaw("[1, 2]", KEY), 400, "invalid_json", null);
        assertError(postRaw("{\"model\": \"videollama-demo\"}", KEY), 400, "missing_messages", "messages");

        ObjectNode unknownPart = question(videoMessage(QUESTION));
        ((ObjectNode) unknownPart.withArray("messages").get(0).withArray("content").get(1)).put("type", "file");
        assertError(post(unknownPart), 400, "invalid_content", "messages[0].content[1].type");

        ObjectNode unknownRole = question(videoMessage(QUESTION));
        ((ObjectNode) unknownRole.withArray("messages").get(0)).put("role", "tool");
        assertError(post(unknownRole), 400, "invalid_role", "messages[0].role");

        ObjectNode textOnly = JSON.createObjectNode();
        textOnly.putArray("messages").addObject().put("role", "user").put("content", "Hello?");
        assertError(post(textOnly), 400, "missing_media", "messages");

        assertError(post(question(mediaMessage("video_url", "https://example.com/a.mp4"))), 400, "invalid_url",
                "messages[0].content[0].video_url.url");
        assertError(post(question(mediaMessage("image_url", "data:image/png,rawbytes"))), 400, "invalid_url",
                "messages[0].content[0].image_url.url");
        assertError(post(question(mediaMessage("video_url", "data:video/mp4;base64,@@not base64@@"))), 400, "invalid_base64",
                "messages[0].content[0].video_url.url");

        byte[] notAVideo = "this is no video at all, just text".repeat(40).getBytes();
        HttpResponse<String> damaged = post(question(mediaMessage("video_url", dataUrl("video/mp4", notAVideo))));
        assertError(damaged, 400, "invalid_media", "messages");
        String message = JSON.readTree(damaged.body()).path("error").path("message").asText();
        assertTrue(message.startsWith("video_url: ") && !message.startsWith("video_url: the video_url"), message);
        assertFalse(message.contains("videollama-serve-"), "the server's own file is not named: " + message);

        byte[] big = new byte[(int) MAX_UPLOAD + 1000];
        new Random(1).nextBytes(big);
        assertError(post(question(mediaMessage("video_url", dataUrl("video/mp4", big)))), 413, "upload_too_large",
                "messages[0].content[0].video_url.url");
        byte[] huge = new byte[(int) (3 * MAX_UPLOAD)];
        assertError(post(question(mediaMessage("video_url", dataUrl("video/mp4", huge)))), 413, "upload_too_large", null);

        ObjectNode wrongModel = question(videoMessage(QUESTION)).put("model", "gpt-4o");
        assertError(post(wrongModel), 404, "model_not_found", "model");
        assertError(post(question(videoMessage(QUESTION)).put("max_tokens", 100_000)), 400, "invalid_value", "max_tokens");
        assertError(post(question(videoMessage(QUESTION)).put("temperature", -1)), 400, "invalid_value", "temperature");
        assertError(post(question(videoMessage(QUESTION)).put("num_beams", 0)), 400, "invalid_value", "num_beams");
        assertError(post(question(videoMessage(QUESTION)).put("stream", "yes")), 400, "invalid_type", "stream");

        assertError(postRaw(question(videoMessage(QUESTION)).toString(), null), 401, "invalid_api_key", null);
        assertError(postRaw(question(videoMessage(QUESTION)).toString(), "wrong-key"), 401, "invalid_api_key", null);
        assertError(send(HttpRequest.newBuilder(uri("/v1/nothing")).header("Authorization", "Bearer " + KEY).GET()), 404,
                "not_found", null);
    }

    /**
     * A request refused before its body is read (no key: a 401 from the filter; a Content-Length past the bound: a 413)
     * is answered on a connection that stays open: its body is read to its end first. A server that answered and closed
     * while the body still arrived made its TCP stack reset the connection, destroying the answer before the client
     * read it (java.net.http: "header parser received no bytes", once in three runs of this class).
     */
    @Test
    void aRefusedRequestsBodyIsReadAndItsConnectionKept() throws Exception {
        byte[] body = new byte[3 * (int) MAX_UPLOAD]; // more than the largest body taken (4/3 of MAX_UPLOAD + 1 MiB)
        Arrays.fill(body, (byte) ' ');
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            for (String key : new String[] {null, "wrong-key", KEY}) {
                String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "Content-Length: " + body.length + "\r\n\r\n";
                socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().write(body);
                RawResponse refused = RawResponse.read(socket.getInputStream());
                assertEquals(key == KEY ? 413 : 401, refused.status(), refused.toString());
                assertFalse(refused.headers().toLowerCase(Locale.ROOT).contains("connection: close"), refused.toString());
                socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                RawResponse health = RawResponse.read(socket.getInputStream());
                assertEquals(200, health.status(), "the same connection serves the next request: " + health);
            }
        }
        // a client that waits for 100 Continue before sending its body is refused at once, its body never asked for
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            RawResponse refused = RawResponse.read(socket.getInputStream());
            assertEquals(401, refused.status(), refused.toString());
            assertTrue(refused.headers().toLowerCase(Locale.ROOT).contains("connection: close"), refused.toString());
        }
    }

    /** What Jetty refuses before any route (not HTTP, headers over 8 KiB, a body of two lengths) gets OpenAI's JSON too. */
    @Test
    void malformedHttpGetsOpenAiErrorsToo() throws Exception {
        String[] requests = {"GARBAGE\r\n\r\n",
                "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + "a".repeat(20_000) + "\r\n\r\n",
                "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nabcde"};
        int[] statuses = {400, 431, 400};
        for (int i = 0; i < requests.length; i++) {
            try (Socket socket = new Socket("127.0.0.1", server.port())) {
                socket.setSoTimeout(20_000);
                socket.getOutputStream().write(requests[i].getBytes(StandardCharsets.US_ASCII));
                RawResponse response = RawResponse.read(socket.getInputStream());
                assertEquals(statuses[i], response.status(), response.toString());
                assertTrue(response.headers().toLowerCase(Locale.ROOT).contains("content-type: application/json"), response.toString());
                JsonNode error = JSON.readTree(response.body()).path("error");
                assertEquals("bad_http_request", error.path("code").asText(), response.toString());
                assertEquals("invalid_request_error", error.path("type").asText(), response.toString());
            }
        }
    }

    @Test
    void theOfficialOpenAiClientGetsTheSameAnswerPlainAndStreamed() throws Exception {
        String image = dataUrl("image/jpeg", Files.readAllBytes(TestFiles.root().resolve("testdata/image/gradient.jpg")));
        String expected = content(post(question(mediaMessage("image_url", image))));
        assertFalse(expected.isEmpty(), "an answer to compare with");

        OpenAIClient client = openAiClient();
        try {
            ChatCompletionCreateParams params = clientQuestion(ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage
                    .builder().imageUrl(ChatCompletionContentPartImage.ImageUrl.builder().url(image).build()).build()));
            ChatCompletion completion = client.chat().completions().create(params);
            assertEquals(expected, completion.choices().getFirst().message().content().orElseThrow());
            assertTrue(completion.usage().orElseThrow().completionTokens() <= MAX_TOKENS);

            StringBuilder streamed = new StringBuilder();
            try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
                stream.stream().forEach(chunk -> chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append)));
            }
            assertEquals(expected, streamed.toString());
        } finally {
            client.close();
        }
    }

    @Test
    void aSoundAndAVideoHeardWithItsSoundAnswerAsTheChatSessionDoes() throws Exception {
        Path sound = TestFiles.root().resolve("testdata/audio/tone-8k-u8.wav");
        String expectedSound = directAnswer(sound, null, false).text();
        MediaChat.Answer expectedVideoWithSound = directAnswer(null, DemoServer.video(), true);

        OpenAIClient client = openAiClient();
        try {
            ChatCompletionCreateParams params = clientQuestion(ChatCompletionContentPart.ofInputAudio(
                    ChatCompletionContentPartInputAudio.builder().inputAudio(ChatCompletionContentPartInputAudio.InputAudio.builder()
                            .data(Base64.getEncoder().encodeToString(Files.readAllBytes(sound)))
                            .format(ChatCompletionContentPartInputAudio.InputAudio.Format.WAV).build()).build()));
            assertEquals(expectedSound, client.chat().completions().create(params).choices().getFirst().message().content().orElseThrow());
        } finally {
            client.close();
        }
        // the page's Audio box: vLLM's use_audio_in_video beside a video_url
        ObjectNode videoWithSound = question(videoMessage(QUESTION)).put("use_audio_in_video", true);
        HttpResponse<String> response = post(videoWithSound);
        assertEquals(expectedVideoWithSound.text(), content(response));
        int promptTokens = JSON.readTree(response.body()).path("usage").path("prompt_tokens").asInt();
        assertEquals(expectedVideoWithSound.prompt().length(), promptTokens, "the sound track's soft tokens in the prompt");
        assertNotEquals(directAnswer(null, DemoServer.video(), false).prompt().length(), promptTokens, "heard, not only seen");
    }

    private static OpenAIClient openAiClient() {
        return OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + server.port() + "/v1").apiKey(KEY).build();
    }

    /** {@link #QUESTION} about one media part, greedy, as OpenAI's Java client builds it. */
    private static ChatCompletionCreateParams clientQuestion(ChatCompletionContentPart media) {
        return ChatCompletionCreateParams.builder().model("videollama-demo").temperature(0).maxCompletionTokens(MAX_TOKENS)
                .addUserMessageOfArrayOfContentParts(List.of(media,
                        ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(QUESTION).build())))
                .build();
    }

    /** The chat session's own greedy answer to {@link #QUESTION}, without the server. */
    private static MediaChat.Answer directAnswer(Path soundOnly, Path video, boolean withAudio) {
        try (ChatSession direct = DemoServer.session(new StringWriter())) {
            direct.upload(new MediaEncoder.Request(video, null, soundOnly, withAudio, direct.config().frames(),
                    new ClipOptions(ClipSampler.Step.EIGHTHS, true), MediaDecoder.preferred()), null);
            GenerationSettings greedy = new GenerationSettings(MAX_TOKENS, new SamplingSettings(0, 50, 0.9f, 1), 1, 1, 1f, 1,
                    direct.template().stopStrings(), direct.template().stopTokenIds(), false);
            return direct.ask(QUESTION, greedy, piece -> {});
        }
    }

    @Test
    void requestsTakeTurnsInOrderAndThoseBeyondTheQueueAreRefused() throws Exception {
        String image = dataUrl("image/jpeg", Files.readAllBytes(TestFiles.root().resolve("testdata/image/gradient.jpg")));
        // a long answer: no end before its 300th token, 8 beams; streamed, so its first event says it holds the model
        ObjectNode longAnswer = question(mediaMessage("image_url", image)).put("max_tokens", 300).put("min_tokens", 300)
                .put("num_beams", 8).put("stream", true);
        HttpResponse<InputStream> running = http.send(postRequest(longAnswer.toString(), KEY), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, running.statusCode());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(running.body(), StandardCharsets.UTF_8))) {
            assertTrue(events.readLine().startsWith("data: "), "the first event: the model is answering it");
            List<String> finished = new CopyOnWriteArrayList<>();
            CompletableFuture<HttpResponse<String>> first = http.sendAsync(postRequest(question(mediaMessage("image_url", image))
                    .toString(), KEY), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> finished.add("first"));
            awaitRequests(2);
            CompletableFuture<HttpResponse<String>> second = http.sendAsync(postRequest(question(mediaMessage("image_url", image))
                    .toString(), KEY), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> finished.add("second"));
            awaitRequests(3);
            Map<String, Double> busy = metrics();
            assertEquals(1.0, busy.get("videollama_requests_running"), "the long answer runs");
            assertEquals(2.0, busy.get("videollama_queue_length"), "two wait");
            assertError(post(question(mediaMessage("image_url", image))), 429, "queue_full", null);

            String rest = events.lines().reduce("", (a, b) -> a + b + "\n");
            assertTrue(rest.strip().endsWith("data: [DONE]"), "the long answer went on to its end: " + rest);
            assertEquals(200, first.get().statusCode(), first.get().body());
            assertEquals(200, second.get().statusCode(), second.get().body());
            assertEquals(content(first.get()), content(second.get()), "the same question, greedy: the same answer");
            assertEquals(List.of("first", "second"), finished, "answered in arrival order");
        }
        awaitRequests(0);
    }

    @Test
    void aClientThatGoesAwayMidStreamCancelsItsAnswer() throws Exception {
        String image = dataUrl("image/jpeg", Files.readAllBytes(TestFiles.root().resolve("testdata/image/gradient.jpg")));
        ObjectNode longAnswer = question(mediaMessage("image_url", image)).put("max_tokens", 330).put("min_tokens", 330)
                .put("stream", true);
        HttpResponse<InputStream> running = http.send(postRequest(longAnswer.toString(), KEY), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(running.body(), StandardCharsets.UTF_8))) {
            assertTrue(events.readLine().startsWith("data: "), "the first event: the model is answering it");
        } // the connection closed mid-answer
        awaitRequests(0);
        assertTrue(serverLog.toString().contains("went away: its answer is cancelled"), serverLog.toString());
        assertFalse(serverLog.toString().contains("generated 330 tokens"), "not answered to its end: " + serverLog);
        assertEquals(200, post(question(mediaMessage("image_url", image))).statusCode(), "the model serves the next request");
    }

    @Test
    void metricsCountRequestsTokensAndStageTimes() throws Exception {
        Map<String, Double> before = metrics();
        HttpResponse<String> answered = post(question(videoMessage(QUESTION)));
        JsonNode usage = JSON.readTree(answered.body()).path("usage");
        assertEquals(200, answered.statusCode(), answered.body());
        assertError(postRaw("{}", "wrong-key"), 401, "invalid_api_key", null);
        assertError(send(HttpRequest.newBuilder(uri("/v1/nothing")).header("Authorization", "Bearer " + KEY).GET()), 404,
                "not_found", null);
        Map<String, Double> after = metrics();

        String ok = "videollama_requests_total{route=\"/v1/chat/completions\",status=\"200\"}";
        assertEquals(1, after.get(ok) - before.getOrDefault(ok, 0.0), after.toString());
        String refused = "videollama_requests_total{route=\"other\",status=\"401\"}"; // refused before routing
        assertEquals(1, after.get(refused) - before.getOrDefault(refused, 0.0), after.toString());
        String noRoute = "videollama_requests_total{route=\"other\",status=\"404\"}";
        assertEquals(1, after.get(noRoute) - before.getOrDefault(noRoute, 0.0), after.toString());
        assertEquals(usage.path("completion_tokens").asDouble(), after.get("videollama_generated_tokens_total")
                - before.get("videollama_generated_tokens_total"), after.toString());
        assertEquals(usage.path("prompt_tokens").asDouble(), after.get("videollama_prompt_tokens_total")
                - before.get("videollama_prompt_tokens_total"), after.toString());
        assertTrue(after.get("videollama_decode_tokens_per_second") > 0, after.toString());
        for (String stage : List.of("prefill", "decode")) {
            String count = "videollama_stage_seconds_count{stage=\"" + stage + "\"}";
            String sum = "videollama_stage_seconds_sum{stage=\"" + stage + "\"}";
            assertEquals(1, after.get(count) - before.get(count), stage + ": one answer: " + after);
            assertTrue(after.get(sum) > before.get(sum), stage + ": its time added: " + after);
        }
        assertTrue(after.get("videollama_stage_seconds_count{stage=\"media\"}") >= 1, "the video was encoded: " + after);
        assertTrue(after.get("videollama_stage_seconds_sum{stage=\"media\"}") > 0, after.toString());
        assertEquals(0, after.get("videollama_requests_running"));
        assertEquals(0, after.get("videollama_queue_length"));
    }

    /**
     * GET /metrics, checked against Prometheus' text format (each sample's metric announced by # HELP and # TYPE, a
     * sample a name, optional labels and a number): the samples by series.
     */
    private static Map<String, Double> metrics() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/metrics")).header("Authorization", "Bearer " + KEY).GET());
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
        Map<String, Double> samples = new TreeMap<>();
        Set<String> typed = new HashSet<>();
        Pattern sample = Pattern.compile(
                "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\"(,[a-zA-Z_][a-zA-Z0-9_]*=\"[^\"]*\")*\\})? (\\S+)");
        for (String line : response.body().split("\n")) {
            if (line.startsWith("# TYPE ")) {
                typed.add(line.split(" ")[2]);
            } else if (!line.startsWith("# HELP ")) {
                Matcher m = sample.matcher(line);
                assertTrue(m.matches(), "a sample line: '" + line + "'");
                assertTrue(typed.contains(m.group(1).replaceAll("_(sum|count)$", "")), "a metric with # TYPE: " + line);
                samples.put(m.group(1) + (m.group(2) == null ? "" : m.group(2)), Double.parseDouble(m.group(4)));
            }
        }
        return samples;
    }

    /** Waits (at most 20 s) until /health counts {@code n} requests running or waiting. */
    private static void awaitRequests(int n) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        int now;
        while ((now = JSON.readTree(send(HttpRequest.newBuilder(uri("/health")).GET()).body()).path("requests").asInt()) != n) {
            assertTrue(System.nanoTime() < deadline, "requests running or waiting: " + now + ", expected " + n);
            Thread.sleep(5);
        }
    }

    /**
     * --media-root: a request may name a file inside the folder (file:///..., a relative path), answered as its upload
     * is; a path leading outside (.., percent-encoded .., an absolute path, a symbolic link) gets a 403, a missing file
     * a 400, and the server without --media-root takes data: URLs only.
     */
    @Test
    void namesLocalFilesOnlyInsideTheMediaRoot(@TempDir Path temp) throws Exception {
        Path root = Files.createDirectories(temp.resolve("media"));
        Files.createDirectories(root.resolve("sub"));
        Files.copy(DemoServer.video(), root.resolve("clip.mp4"));
        Path outside = Files.copy(DemoServer.video(), temp.resolve("outside.mp4"));
        Files.createSymbolicLink(root.resolve("link.mp4"), outside);
        String inRoot = root.toUri().toString(); // file:///.../media/

        assertError(post(question(mediaMessage("video_url", inRoot + "clip.mp4"))), 400, "invalid_url",
                "messages[0].content[0].video_url.url"); // this server has no --media-root

        StringWriter log = new StringWriter();
        try (ChatSession own = DemoServer.session(log);
             ChatServer rooted = ChatServer.start(own, MediaDecoder.preferred(), "videollama-demo",
                     new ChatServer.Options("127.0.0.1", 0, null, MAX_UPLOAD, 2, root), new PrintWriter(log, true))) {
            Function<String, HttpResponse<String>> ask = url -> {
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rooted.port() + "/v1/chat/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(question(mediaMessage("video_url", url)).toString())).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            String uploaded = content(ask.apply(dataUrl("video/mp4", Files.readAllBytes(DemoServer.video()))));
            assertEquals(uploaded, content(ask.apply(inRoot + "clip.mp4")), "the file answered as its upload is");
            assertEquals(uploaded, content(ask.apply("clip.mp4")), "a path relative to the root");
            assertEquals(uploaded, content(ask.apply("sub/../clip.mp4")), "'..' that stays inside");

            String param = "messages[0].content[0].video_url.url";
            for (String escape : List.of("../outside.mp4", "sub/../../outside.mp4", inRoot + "..%2Foutside.mp4",
                    inRoot + "%2e%2e/outside.mp4", outside.toString(), outside.toUri().toString(), "/etc/passwd", "link.mp4")) {
                HttpResponse<String> refused = ask.apply(escape);
                assertError(refused, 403, "path_outside_media_root", param);
                if (!escape.startsWith("/") && !escape.startsWith("file:")) {
                    assertFalse(refused.body().contains(temp.toString()) || refused.body().contains("outside.mp4") && escape.equals("link.mp4"),
                            "the server's own paths are not named: " + refused.body());
                }
            }
            assertError(ask.apply("missing.mp4"), 400, "file_not_found", param);
            assertError(ask.apply("sub"), 400, "file_not_readable", param);
            assertError(ask.apply("file://otherhost/clip.mp4"), 400, "invalid_url", param);
        }
        Cli.assertFailure(Cli.run("serve", "--media-root", temp.resolve("no-such-folder").toString()), 2, "--media-root");
    }

    @Test
    void refusesAnOpenAddressWithoutAnApiKey() {
        Cli run = Cli.run("serve", "--host", "0.0.0.0", "--backend", "reference");
        Cli.assertFailure(run, 2, "--host 0.0.0.0", "--api-key");
    }

    /** OpenAI's error shape, the code and status expected, and no stack trace. */
    private static void assertError(HttpResponse<String> response, int status, String code, String param) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), response.headers().toString());
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertTrue(error.isObject(), response.body());
        assertTrue(error.path("message").isTextual() && !error.path("message").asText().isBlank(), response.body());
        assertTrue(error.path("type").isTextual(), response.body());
        assertEquals(code, error.path("code").asText(), response.body());
        assertTrue(error.has("param"), response.body());
        assertEquals(param, error.path("param").isNull() ? null : error.path("param").asText(), response.body());
        assertFalse(response.body().contains("\tat ") || response.body().contains("Exception"), "no stack trace: " + response.body());
    }

    private static ObjectNode question(ObjectNode userMessage) {
        ObjectNode request = JSON.createObjectNode().put("model", "videollama-demo").put("temperature", 0)
                .put("max_tokens", MAX_TOKENS);
        request.putArray("messages").add(userMessage);
        return request;
    }

    private static ObjectNode videoMessage(String question) throws Exception {
        ObjectNode message = mediaMessage("video_url", dataUrl("video/mp4", Files.readAllBytes(DemoServer.video())));
        ((ObjectNode) message.withArray("content").get(1)).put("text", question);
        return message;
    }

    /** A user message with a media part and the question. */
    private static ObjectNode mediaMessage(String type, String url) {
        ObjectNode message = JSON.createObjectNode().put("role", "user");
        ArrayNode content = message.putArray("content");
        content.addObject().put("type", type).putObject(type).put("url", url);
        content.addObject().put("type", "text").put("text", QUESTION);
        return message;
    }

    private static String dataUrl(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    private static String content(HttpResponse<String> response) throws Exception {
        assertEquals(200, response.statusCode(), response.body());
        return JSON.readTree(response.body()).path("choices").path(0).path("message").path("content").asText();
    }

    private static HttpResponse<String> post(JsonNode body) throws Exception {
        return postRaw(body.toString(), KEY);
    }

    private static HttpResponse<String> postRaw(String body, String key) throws Exception {
        return http.send(postRequest(body, key), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest postRequest(String body, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/v1/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return request.build();
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static int count(String text, String what) {
        return text.split(what, -1).length - 1;
    }

    /** One HTTP/1.1 response read off a socket: status, header block, and a Content-Length body. */
    record RawResponse(int status, String headers, String body) {
        static RawResponse read(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("the server closed the connection after " + head.size() + " bytes: " + head);
                }
                head.write(c);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            int length = 0;
            for (String line : headers.split("\r\n")) {
                if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring("content-length:".length()).strip());
                }
            }
            return new RawResponse(Integer.parseInt(headers.split(" ", 3)[1]), headers,
                    new String(in.readNBytes(length), StandardCharsets.UTF_8));
        }
    }
}
