package videollama.repro.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible chat-completions endpoint on loopback for the judge's tests: the JDK's HTTP server, a {@link
 * Behaviour} that decides each answer from the request (its messages, and how many times the same request came
 * before), and a record of every request it got.
 */
public final class FakeJudgeEndpoint implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String MODEL = "fake-judge-2026-01-01";

    /** One request as the endpoint saw it. */
    public record Received(String user, String system, String authorization, JsonNode body, long nanoTime, int attempt) {}

    /** What to send back. */
    public sealed interface Response {}

    /** A status, headers and a body. */
    public record Reply(int status, Map<String, String> headers, String body, long delayMs) implements Response {}

    /** Headers promising {@code declaredLength} bytes, then only the first few, then the connection is closed. */
    record Drop(int declaredLength) implements Response {}

    public interface Behaviour {
        Response answer(Received request);
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<Received> received = new ArrayList<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private volatile Behaviour behaviour;

    public FakeJudgeEndpoint(Behaviour behaviour) throws IOException {
        this.behaviour = behaviour;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/chat/completions", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** The base URL, as a user gives it to --judge-url. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void behaviour(Behaviour b) {
        behaviour = b;
    }

    public synchronized List<Received> received() {
        return List.copyOf(received);
    }

    /** The most requests that were being answered at once. */
    int mostInFlight() {
        return mostInFlight.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        mostInFlight.accumulateAndGet(now, Math::max);
        boolean answering = true; // until the response starts: the client may send its next request once it has it
        try (exchange) {
            String text = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            JsonNode body = JSON.readTree(text);
            int attempt = attempts.computeIfAbsent(text, t -> new AtomicInteger()).incrementAndGet();
            Received r = new Received(body.path("messages").path(1).path("content").asText(),
                    body.path("messages").path(0).path("content").asText(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body, System.nanoTime(), attempt);
            synchronized (this) {
                received.add(r);
            }
            switch (behaviour.answer(r)) {
                case Reply reply -> {
                    if (reply.delayMs() > 0) {
                        sleep(reply.delayMs());
                    }
                    inFlight.decrementAndGet();
                    answering = false;
                    reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
                case Drop drop -> {
                    exchange.sendResponseHeaders(200, drop.declaredLength());
                    OutputStream out = exchange.getResponseBody();
                    out.write("{\"choices\": [{\"mess".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    // the JDK server closes the connection of a handler that throws; closing the stream short of
                    // the declared length would leave it open and the client waiting
                    throw new IOException("dropping the connection on purpose");
                }
            }
        } finally {
            if (answering) {
                inFlight.decrementAndGet();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A well-formed chat completion whose message is {@code content}. */
    public static Reply completion(String content) {
        ObjectNode body = JSON.createObjectNode();
        body.put("id", "chatcmpl-test");
        body.put("object", "chat.completion");
        body.put("model", MODEL);
        ObjectNode choice = body.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", "stop");
        return new Reply(200, Map.of(), body.toString(), 0);
    }

    static Reply status(int status, Map<String, String> headers) {
        return new Reply(status, headers, "{\"error\": {\"message\": \"status " + status + "\"}}", 0);
    }

    /** The text after {@code label} on its line of the user message (the built-in templates' labels). */
    static String field(String user, String label) {
        for (String line : user.split("\n")) {
            if (line.startsWith(label)) {
                return line.substring(label.length());
            }
        }
        throw new AssertionError("no '" + label + "' line in: " + user);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
