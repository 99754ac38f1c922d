package videollama.app.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import videollama.app.BackendChoice;
import videollama.app.ChatSession;
import videollama.kernels.reference.ReferenceBackend;
import videollama.loader.MediaDecoder;

/**
 * A bounded load test of {@code videollama serve} on loopback: a server over the bundled demo model (reference backend)
 * in this JVM, {@code clients} threads each asking about the demo video over and over for {@code seconds} (every other
 * request streamed), then the latencies' median and 99th percentile, the failures, and the heap in use after a full
 * collection: once before the clients start and at each quarter of the run (the first quarter holds what 16 open
 * connections and busy threads take once; a server that leaks grows it from quarter to quarter). Speed is measured here, never asserted in tests;
 * the tests run it briefly and assert only that no request failed.
 *
 * <pre>java -cp app/target/videollama.jar videollama.app.serve.ServeLoad [--clients 16] [--seconds 60] [--max-tokens 16]
 *     [--model models/videollama-demo]</pre>
 */
public final class ServeLoad {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] QUESTIONS = {"What is happening in this video?", "Describe the water.",
            "What colours do you see?", "Is there any sound?"};

    /**
     * One run's outcome.
     *
     * @param failures   one line per failed request (status and body, or the exception), in order
     * @param latencies  every successful request's seconds, sorted
     * @param heap       bytes in use after a full collection: once the model was loaded and the video encoded, then at
     *                   each quarter of the run
     */
    public record Result(int clients, double seconds, List<String> failures, List<Double> latencies, List<Long> heap) {
        public int requests() {
            return latencies.size() + failures.size();
        }

        /** The latency below which {@code q} of the successful requests finished (nearest rank). */
        public double quantile(double q) {
            return latencies.isEmpty() ? Double.NaN
                    : latencies.get(Math.min(latencies.size() - 1, (int) Math.ceil(q * latencies.size()) - 1));
        }

        public String summary() {
            return String.format(Locale.ROOT, "%d clients, %.1f s: %d requests (%.2f/s), %d failed; latency p50 %.3f s, "
                            + "p99 %.3f s, max %.3f s; heap after GC (MiB) before and at each quarter: %s",
                    clients, seconds, requests(), requests() / seconds, failures.size(), quantile(0.5), quantile(0.99),
                    latencies.isEmpty() ? Double.NaN : latencies.getLast(),
                    heap.stream().map(b -> String.format(Locale.ROOT, "%.1f", b / 1048576.0)).toList());
        }
    }

    private ServeLoad() {}

    public static void main(String[] args) throws Exception {
        int clients = 16;
        int seconds = 60;
        int maxTokens = 16;
        Path model = Path.of(System.getProperty("videollama.home", ""), "models", "videollama-demo");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--max-tokens" -> maxTokens = Integer.parseInt(args[i + 1]);
                case "--model" -> model = Path.of(args[i + 1]);
                default -> clients = 0; // refused below
            }
        }
        if (args.length % 2 != 0 || clients < 1 || seconds < 1 || maxTokens < 1) {
            System.err.println("usage: ServeLoad [--clients N] [--seconds S] [--max-tokens N] [--model DIR], numbers at least 1");
            System.exit(2);
        }
        Result result = run(model, clients, Duration.ofSeconds(seconds), maxTokens);
        result.failures().stream().limit(5).forEach(f -> System.out.println("failed: " + f));
        System.out.println(result.summary());
        System.exit(result.failures().isEmpty() ? 0 : 1);
    }

    /** Serves {@code model} (a Video-LLaMA folder holding stream-of-water.mp4, as the demo model does) and loads it. */
    public static Result run(Path model, int clients, Duration duration, int maxTokens) throws Exception {
        PrintWriter quiet = new PrintWriter(new StringWriter()); // the server's per-answer lines are not the point here
        String video = "data:video/mp4;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(model.resolve("stream-of-water.mp4")));
        try (ChatSession session = ChatSession.open(model, new BackendChoice(new ReferenceBackend(), "reference"), null, null, false, quiet);
             ChatServer server = ChatServer.start(session, MediaDecoder.preferred(), "load",
                     new ChatServer.Options("127.0.0.1", 0, null, 64L << 20, clients), quiet)) {
            URI uri = URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions");
            HttpClient http = HttpClient.newHttpClient();
            List<String> failures = new CopyOnWriteArrayList<>();
            String warmUp = ask(http, uri, request(video, QUESTIONS[0], maxTokens, false), false); // loads the branches, encodes the video
            if (warmUp != null) {
                failures.add("warm-up: " + warmUp);
            }
            List<Long> heap = new ArrayList<>(List.of(heapAfterGc()));
            List<Double> latencies = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                threads.add(Thread.ofPlatform().name("load-client-" + c).start(() -> {
                    for (int n = 0; System.nanoTime() < end; n++) {
                        boolean stream = (client + n) % 2 == 1;
                        String body = request(video, QUESTIONS[(client + n) % QUESTIONS.length], maxTokens, stream);
                        long sent = System.nanoTime();
                        String failure = ask(http, uri, body, stream);
                        if (failure == null) {
                            latencies.add((System.nanoTime() - sent) / 1e9);
                        } else {
                            failures.add(failure);
                        }
                    }
                }));
            }
            for (int quarter = 1; quarter < 4; quarter++) {
                Thread.sleep(Math.max(0, (start + duration.toNanos() / 4 * quarter - System.nanoTime()) / 1_000_000));
                heap.add(heapAfterGc());
            }
            for (Thread t : threads) {
                t.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            heap.add(heapAfterGc());
            List<Double> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return new Result(clients, seconds, List.copyOf(failures), List.copyOf(sorted), List.copyOf(heap));
        }
    }

    private static String request(String video, String question, int maxTokens, boolean stream) {
        ObjectNode request = JSON.createObjectNode().put("temperature", 0).put("max_tokens", maxTokens).put("stream", stream);
        ArrayNode content = request.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "video_url").putObject("video_url").put("url", video);
        content.addObject().put("type", "text").put("text", question);
        return request.toString();
    }

    /** Sends one request; null when it was answered in full, else what went wrong. */
    private static String ask(HttpClient http, URI uri, String body, boolean stream) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return response.statusCode() + " " + response.body();
            }
            if (stream) {
                return response.body().strip().endsWith("data: [DONE]") ? null : "a stream without [DONE]: " + response.body();
            }
            JsonNode answer = JSON.readTree(response.body()).path("choices").path(0).path("message").path("content");
            return answer.isTextual() ? null : "no answer in " + response.body();
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Heap bytes in use after full collections (two, so what the first finalised is gone too). */
    private static long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
