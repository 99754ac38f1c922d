package videollama.app.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.eclipse.jetty.server.handler.ErrorHandler;
import videollama.app.ChatSession;
import videollama.app.Errors;
import videollama.app.MediaEncoder;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;
import videollama.model.ModelException;
import videollama.model.chat.ChatPrompt;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.generate.StopReason;

/**
 * {@code videollama serve}'s HTTP server: OpenAI's chat completions API over one {@link ChatSession} (Javalin on
 * Jetty). Requests take turns on the one model in arrival order (a fair lock), at most {@code queue} waiting beyond the
 * one running, later ones refused with 429. OpenAI's API is stateless (every request carries the whole conversation),
 * the session is not: the server remembers the conversation the session holds, and a request whose earlier turns are
 * exactly that conversation asks only its last question, the upload's soft tokens reused. Uploads are files named by
 * their bytes' SHA-256 ({@link MediaCache}), so the same bytes reuse the session's encoded upload too.
 */
public final class ChatServer implements AutoCloseable {
    /**
     * @param apiKey         the Bearer key every request but {@code /health} must carry (null: none)
     * @param maxUploadBytes the largest upload, decoded
     * @param queue          requests that may wait while one runs
     * @param mediaRoot      the folder whose files requests may name (file:///... or a path), or null: uploads only
     */
    public record Options(String host, int port, String apiKey, long maxUploadBytes, int queue, Path mediaRoot) {
        /** No media root: uploads only. */
        public Options(String host, int port, String apiKey, long maxUploadBytes, int queue) {
            this(host, port, apiKey, maxUploadBytes, queue, null);
        }
    }

    /** The command line's defaults for the sound clips (8 clips max_start/8 apart, means subtracted in place). */
    static {
        // slf4j-simple writes to stderr; Jetty's and Javalin's start-up chatter (info) is not worth a line there
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    /** The context attribute that marks a response as written here (Javalin's 404 handler then leaves it). */
    private static final String ANSWERED = "videollama.answered";
    /** The context attribute that marks a request whose body reading began (a 100 Continue went out, if asked for). */
    private static final String BODY_READ = "videollama.bodyRead";

    private static final ClipOptions CLIPS = new ClipOptions(ClipSampler.Step.EIGHTHS, true);

    private final ChatSession session;
    private final MediaDecoder decoder;
    private final String modelId;
    private final Options options;
    private final PrintWriter log;
    private final MediaCache cache;
    private final MediaRoot mediaRoot;
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final long created = System.currentTimeMillis() / 1000;
    private final ReentrantLock model = new ReentrantLock(true);
    private final AtomicInteger admitted = new AtomicInteger();
    private final ServeMetrics metrics = new ServeMetrics();
    private final Javalin app;
    private final LabView lab;

    // The conversation the session holds (guarded by the model lock): its upload, system message and answered turns.
    private MediaEncoder.Request heldUpload;
    private String heldSystem;
    private final List<ChatRequest.Turn> heldTurns = new ArrayList<>();

    private ChatServer(ChatSession session, MediaDecoder decoder, String modelId, Options options, PrintWriter log) {
        this.session = session;
        this.decoder = decoder;
        this.modelId = modelId;
        this.options = options;
        this.log = log;
        this.cache = new MediaCache(options.maxUploadBytes(), ChatSession.KEPT_UPLOADS + options.queue() + 1);
        this.mediaRoot = options.mediaRoot() != null ? new MediaRoot(options.mediaRoot()) : null;
        this.lab = new LabView(session, model, json);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            // an event stream must reach the client piece by piece
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            config.jetty.modifyServer(server -> server.setErrorHandler(this::protocolError));
            config.routes.before(this::authorize);
            config.routes.get("/health", ctx -> respond(ctx, 200, json.createObjectNode().put("status", "ok")
                    .put("requests", admitted.get()))); // the one answered and those waiting
            config.routes.get("/v1/models", this::models);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.render(model.isLocked() ? 1 : 0, model.getQueueLength())));
            config.requestLogger.http((ctx, ms) -> metrics.request(route(ctx), ctx.statusCode()));
            config.routes.post("/v1/chat/completions", this::completions);
            WebPage.routes(config.routes); // the chat page and its lab view
            lab.routes(config.routes);
            config.routes.exception(ApiError.class, (e, ctx) -> respond(ctx, e.status(), e.body(json)));
            config.routes.exception(StreamEnded.class, (e, ctx) -> {}); // its response is sent, or its client gone
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.println("serve: " + ctx.method() + " " + ctx.path() + ": " + Errors.describe(e));
                ApiError internal = new ApiError(500, "server_error", null, "internal_error",
                        "the server failed answering: " + Errors.describe(e));
                respond(ctx, 500, internal.body(json));
            });
            // Javalin's own refusals (no such route, ...) in the same shape
            config.routes.exception(HttpResponseException.class, (e, ctx) -> respond(ctx, e.getStatus(), new ApiError(
                    e.getStatus(), "invalid_request_error", null, e.getStatus() == 404 ? "not_found" : "invalid_request",
                    e.getStatus() == 404 ? "no route " + ctx.method() + " " + ctx.path() : String.valueOf(e.getMessage()).lines().findFirst().orElse("")).body(json)));
            config.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    respond(ctx, 404, new ApiError(404, "invalid_request_error", null, "not_found",
                            "no route " + ctx.method() + " " + ctx.path()).body(json));
                }
            });
        });
    }

    /**
     * Serves {@code session}'s model until {@link #close}; the server owns neither the session nor its backend.
     *
     * @param decoder the decoder uploads are read with
     * @param modelId the name /v1/models lists and requests may give as {@code model}
     */
    public static ChatServer start(ChatSession session, MediaDecoder decoder, String modelId, Options options, PrintWriter log) {
        ChatServer server = new ChatServer(session, decoder, modelId, options, log);
        server.app.start();
        return server;
    }

    /** The port listened on (the one the system chose, for port 0). */
    public int port() {
        return app.port();
    }

    /** The route a request matched, for the metrics: its path pattern, or "other" (no route, or refused before routing: the API key). */
    private static String route(Context ctx) {
        var endpoint = ctx.endpoints().matchedHttpEndpoint();
        return endpoint != null ? endpoint.path : "other";
    }

    private void authorize(Context ctx) {
        if (options.apiKey() == null || ctx.path().equals("/health") || WebPage.isPage(ctx.path())) {
            return;
        }
        String header = ctx.header("Authorization");
        byte[] expected = ("Bearer " + options.apiKey()).getBytes(StandardCharsets.UTF_8);
        if (header == null || !MessageDigest.isEqual(expected, header.getBytes(StandardCharsets.UTF_8))) {
            throw new ApiError(401, "authentication_error", null, "invalid_api_key", header == null
                    ? "missing API key: send the header Authorization: Bearer KEY" : "wrong API key");
        }
    }

    private void models(Context ctx) {
        ObjectNode list = json.createObjectNode().put("object", "list");
        list.putArray("data").addObject().put("id", modelId).put("object", "model").put("created", created)
                .put("owned_by", "videollama");
        respond(ctx, 200, list);
    }

    private void completions(Context ctx) throws InterruptedException {
        ChatRequest request = ChatRequest.parse(body(ctx), cache, mediaRoot);
        if (request.model() != null && !request.model().equals(modelId)) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found", "model: '" + request.model()
                    + "' is not served here; this server serves '" + modelId + "'");
        }
        GenerationSettings settings = settings(request);
        ChatRequest.Media media = request.media();
        boolean video = media.kind() == ChatRequest.Kind.VIDEO || media.kind() == ChatRequest.Kind.VIDEO_WITH_AUDIO;
        MediaEncoder.Request upload = new MediaEncoder.Request(video ? media.file() : null,
                media.kind() == ChatRequest.Kind.IMAGE ? media.file() : null, media.kind() == ChatRequest.Kind.SOUND ? media.file() : null,
                media.kind() == ChatRequest.Kind.VIDEO_WITH_AUDIO, session.config().frames(), CLIPS, decoder);
        if (admitted.incrementAndGet() > 1 + options.queue()) {
            admitted.decrementAndGet();
            throw new ApiError(429, "rate_limit_error", null, "queue_full", "the server is busy: " + options.queue()
                    + " requests are waiting already (--queue); try again later");
        }
        try {
            model.lockInterruptibly();
            try {
                answer(ctx, request, upload, settings);
            } finally {
                model.unlock();
            }
        } finally {
            admitted.decrementAndGet();
        }
    }

    /** Continues the held conversation or starts the request's, then answers its last question. */
    private void answer(Context ctx, ChatRequest request, MediaEncoder.Request upload, GenerationSettings settings) {
        boolean continues = upload.equals(heldUpload) && Objects.equals(request.system(), heldSystem)
                && request.answered().equals(heldTurns);
        if (!continues) {
            if (!request.answered().isEmpty()) {
                throw ApiError.invalid("messages", "conversation_not_held", "messages: this server continues the conversation "
                        + "it holds, whose answers were its own; these earlier turns are another conversation's (start with "
                        + "a single user message)");
            }
            heldUpload = null;
            heldTurns.clear();
            boolean encoded = session.encoded(upload);
            long start = System.nanoTime();
            upload(upload, request);
            if (!encoded) {
                metrics.stage(ServeMetrics.Stage.MEDIA, System.nanoTime() - start);
            }
            heldUpload = upload;
            heldSystem = request.system();
        }
        String id = "chatcmpl-" + UUID.randomUUID();
        try {
            if (request.stream()) {
                stream(ctx, id, request, settings);
            } else {
                MediaChat.Answer answer = session.ask(request.question(), settings, piece -> {});
                heldTurns.add(new ChatRequest.Turn(request.question(), answer.text()));
                lab.answered(answer);
                ObjectNode completion = head(id, "chat.completion");
                ObjectNode choice = completion.putArray("choices").addObject().put("index", 0);
                choice.putObject("message").put("role", "assistant").put("content", answer.text());
                choice.put("finish_reason", finishReason(answer)).putNull("logprobs");
                usage(completion, answer);
                logAnswer(answer);
                respond(ctx, 200, completion);
            }
        } catch (RuntimeException | Error e) {
            heldUpload = null; // the session's conversation may hold an unanswered question now
            throw e;
        }
    }

    /** The upload encoded (or its kept soft tokens reused), a damaged file refused with the loader's one line. */
    private void upload(MediaEncoder.Request upload, ChatRequest request) {
        ChatRequest.Media media = request.media();
        String part = switch (media.kind()) {
            case VIDEO, VIDEO_WITH_AUDIO -> "video_url";
            case IMAGE -> "image_url";
            case SOUND -> "input_audio";
        };
        try {
            session.openBranches(upload);
            lab.uploaded(upload, session.upload(upload, request.system()));
        } catch (LoaderException | ModelException | Errors.UsageFailure | UncheckedIOException e) {
            String file = media.file().toString(); // the server's own name for it: not for the client's eyes
            String message = Errors.describe(e).replace(file + ": ", "").replace(file, "the " + part);
            throw ApiError.invalid("messages", "invalid_media", part + ": " + message);
        }
    }

    /** The answer as server-sent events: a role chunk, content chunks, a finishing chunk, usage if asked, [DONE]. */
    private void stream(Context ctx, String id, ChatRequest request, GenerationSettings settings) {
        ctx.status(200).contentType("text/event-stream").header("Cache-Control", "no-cache");
        OutputStream out;
        try {
            out = ctx.res().getOutputStream(); // the servlet's own: Javalin's wrapper holds back what is flushed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode first = chunk(id);
        first.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                .put("role", "assistant").put("content", "");
        event(out, first.toString());
        ChatTemplate template = session.template();
        CleanedStream cleaned = new CleanedStream(template::cleanAnswer, text -> {
            ObjectNode delta = chunk(id);
            delta.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").put("content", text);
            event(out, delta.toString()); // a client gone: the write fails, and with it the generation
        });
        MediaChat.Answer answer;
        try {
            answer = session.ask(request.question(), settings, cleaned::add);
        } catch (UncheckedIOException disconnected) {
            log.println("serve: the client of " + id + " went away: its answer is cancelled");
            throw new StreamEnded();
        } catch (RuntimeException e) {
            ObjectNode error = new ApiError(500, "server_error", null, "internal_error", "the server failed answering: "
                    + Errors.describe(e)).body(json);
            log.println("serve: " + id + ": " + Errors.describe(e));
            event(out, error.toString());
            throw new StreamEnded();
        }
        heldTurns.add(new ChatRequest.Turn(request.question(), answer.text()));
        lab.answered(answer);
        if (!cleaned.finish(answer.text())) {
            log.println("serve: " + id + ": the streamed text differs from the cleaned answer (a role label late in it)");
        }
        ObjectNode last = chunk(id);
        last.withArray("choices").addObject().put("index", 0).put("finish_reason", finishReason(answer)).putObject("delta");
        event(out, last.toString());
        if (request.includeUsage()) {
            ObjectNode usage = chunk(id);
            usage.putArray("choices");
            usage(usage, answer);
            event(out, usage.toString());
        }
        event(out, "[DONE]");
        logAnswer(answer);
    }

    /** Ends a stream whose error event is sent already, or whose client is gone: nothing more is written. */
    private static final class StreamEnded extends RuntimeException {
        StreamEnded() {
            super("stream ended with an error event", null, false, false);
        }
    }

    private static void event(OutputStream out, String data) {
        try {
            out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ObjectNode head(String id, String object) {
        return json.createObjectNode().put("id", id).put("object", object).put("created", System.currentTimeMillis() / 1000)
                .put("model", modelId);
    }

    private ObjectNode chunk(String id) {
        return head(id, "chat.completion.chunk");
    }

    private static void usage(ObjectNode into, MediaChat.Answer answer) {
        int prompt = answer.prompt().length();
        int completion = answer.generation().tokens().length;
        into.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    private static String finishReason(MediaChat.Answer answer) {
        return answer.generation().stopReason() == StopReason.LENGTH ? "length" : "stop";
    }

    private void logAnswer(MediaChat.Answer answer) {
        metrics.answer(answer);
        log.println(String.format(Locale.ROOT, "serve: prompt %d positions in %.1f ms; generated %d tokens, %.1f tok/s",
                answer.prompt().length(), answer.generation().prefillNanos() / 1e6, answer.generation().tokens().length,
                answer.generation().decodeTokensPerSecond()));
    }

    /** The request's generation settings, checked as the command line checks its flags. */
    private GenerationSettings settings(ChatRequest request) {
        int maxLength = Math.min(ChatPrompt.REFERENCE_MAX_LENGTH, session.llama().config().maxPositionEmbeddings());
        if (request.maxTokens() >= maxLength) {
            throw ApiError.invalid("max_tokens", "invalid_value", "max_tokens: " + request.maxTokens() + " leaves no room for "
                    + "the prompt: prompt and answer share " + maxLength + " positions; at most " + (maxLength - 1));
        }
        ChatTemplate template = session.template();
        long seed = request.seed() != null ? request.seed() : ThreadLocalRandom.current().nextLong();
        return new GenerationSettings(request.maxTokens(), new SamplingSettings(request.temperature(), request.topK(),
                request.topP(), seed), request.numBeams(), 1.0, request.repetitionPenalty(),
                request.minTokens() + 1, // min_length counts the BOS transformers 4.28 keeps before the answer
                Stream.concat(template.stopStrings().stream(), request.stop().stream()).toList(), template.stopTokenIds(), false);
    }

    /**
     * Reads and drops what is left of a refused request's body (up to 4 times the largest body taken) before its answer
     * goes out. A server that closes a connection while the client's body still arrives makes its TCP stack answer the
     * unread bytes with a reset, and a reset destroys the answer still unread in the client's buffer: the client saw
     * "header parser received no bytes" instead of its 401 (4 in 100 refused 360 KB bodies, each closing connection
     * counted in the kernel's TCPAbortOnClose). Read to its end, the body leaves the connection open for the next request.
     * Past the bound, or a body the client waits to send (Expect: 100-continue) and was never asked for, the answer says
     * the connection closes.
     */
    private void drain(Context ctx) {
        boolean awaitsContinue = "100-continue".equalsIgnoreCase(ctx.header("Expect")) && ctx.attribute(BODY_READ) == null;
        if (!awaitsContinue) {
            try {
                InputStream in = ctx.req().getInputStream();
                byte[] buffer = new byte[65536];
                long left = 4 * bodyLimit();
                for (int n; left > 0 && (n = in.read(buffer)) >= 0; ) {
                    left -= n;
                }
                if (left > 0) {
                    return;
                }
            } catch (IOException | IllegalStateException e) {
                // the client went away, or the body is not to be read here: the connection is not kept either way
            }
        }
        ctx.header("Connection", "close");
    }

    /** The largest body taken: the upload bound in base64 (4 characters per 3 bytes) plus 1 MiB of message text. */
    private long bodyLimit() {
        return options.maxUploadBytes() / 3 * 4 + (1 << 20);
    }

    /** The body as JSON, read up to {@link #bodyLimit} (the stream left open: {@link #drain} reads the rest of one too large). */
    private JsonNode body(Context ctx) {
        long limit = bodyLimit();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw bodyTooLarge("the request is " + declared + " bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ctx.attribute(BODY_READ, true);
        try {
            InputStream in = ctx.bodyInputStream();
            byte[] buffer = new byte[65536];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                if (bytes.size() + n > limit) {
                    throw bodyTooLarge("the request is more than " + limit + " bytes");
                }
                bytes.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw ApiError.invalid(null, "unreadable_body", "the request body could not be read: " + e.getMessage());
        }
        try {
            return json.readTree(bytes.toByteArray());
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "invalid_json", "the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.invalid(null, "invalid_json", "the body is not valid JSON: " + e.getMessage());
        }
    }

    private ApiError bodyTooLarge(String size) {
        return new ApiError(413, "invalid_request_error", null, "upload_too_large", size + ", more than --max-upload-mb "
                + options.maxUploadBytes() / (1024 * 1024) + " allows");
    }

    /**
     * Jetty's own refusals of what never reaches a route (a malformed request line, headers over 8 KiB, both
     * Content-Length and Transfer-Encoding), in OpenAI's error shape too instead of Jetty's HTML page.
     */
    private boolean protocolError(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer code ? code : response.getStatus();
        String message = request.getAttribute(ErrorHandler.ERROR_MESSAGE) instanceof String text ? text
                : org.eclipse.jetty.http.HttpStatus.getMessage(status);
        byte[] body = new ApiError(status, "invalid_request_error", null, "bad_http_request", "the request is not valid "
                + "HTTP/1.1: " + message).body(json).toString().getBytes(StandardCharsets.UTF_8);
        response.getHeaders().put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, java.nio.ByteBuffer.wrap(body), callback);
        return true;
    }

    private void respond(Context ctx, int status, JsonNode body) {
        if (status >= 400) {
            drain(ctx);
        }
        ctx.attribute(ANSWERED, true);
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    @Override
    public void close() {
        app.stop();
        cache.close();
    }
}
