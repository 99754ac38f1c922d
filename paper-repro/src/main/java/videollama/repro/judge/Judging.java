package videollama.repro.judge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import videollama.repro.Prediction;
import videollama.repro.judge.Judgement.Status;

/**
 * Asks the judge about every answer: one chat request per answer and {@link JudgeKind} (the benchmark's generic
 * answers three times), {@code concurrency} at a time, each answered from the {@link ReplyCache} when it was asked
 * before, a progress line on {@code err}. The judgements come back in the order of the predictions, however the
 * requests interleave.
 */
public record Judging(Judge judge, ChatEndpoint endpoint, ReplyCache cache, int concurrency, PrintWriter err) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The longest reply or response body kept in judged.jsonl; a judge that rambles is shown, not stored whole. */
    private static final int LONGEST_REPLY = 4000;

    /** Who judges and how: the request's fixed parts. {@code temperature} null leaves it to the endpoint. */
    public record Judge(String url, String model, Double temperature, Map<JudgeKind, JudgeTemplate> templates, boolean extractDict) {}

    /**
     * What one run found.
     *
     * @param judgements every answer's, in the order of the predictions
     * @param asked      requests sent to the endpoint (retries not counted)
     * @param cached     answers taken from the cache
     */
    public record Result(List<Judgement> judgements, int asked, int cached) {}

    /** The counts of one run, which its requests' threads share, and its progress line. */
    private static final class Run {
        final int total;
        final long start = System.nanoTime();
        final AtomicInteger asked = new AtomicInteger();
        final AtomicInteger cached = new AtomicInteger();
        private int done; // answers in, guarded by this
        private long lastProgress; // guarded by this

        Run(int total) {
            this.total = total;
        }

        /** One more answer in: a line on {@code err} at most once a second, and when the last answer is in. */
        synchronized void answered(PrintWriter err) {
            int n = ++done;
            long now = System.nanoTime();
            if (now - lastProgress < 1_000_000_000L && n < total) {
                return;
            }
            lastProgress = now;
            double elapsed = (now - start) / 1e9;
            double eta = elapsed / n * (total - n);
            err.printf(Locale.ROOT, "judge: %d/%d answers (%d asked, %d from the cache), %.0f s%s%n", n, total, asked.get(),
                    cached.get(), elapsed, n < total ? String.format(Locale.ROOT, ", about %.0f s left", eta) : "");
            err.flush();
        }
    }

    /** The judgements of every answer of {@code predictions}, in order, and where they came from. */
    public Result judge(List<Prediction> predictions) throws InterruptedException {
        List<Item> items = new ArrayList<>();
        for (Prediction p : predictions) {
            for (JudgeKind kind : JudgeKind.forDataset(p.dataset())) {
                items.add(new Item(p, kind));
            }
        }
        Run run = new Run(items.size());
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Judgement>> pending = new ArrayList<>();
            for (Item item : items) {
                pending.add(pool.submit(() -> {
                    Judgement j = judge(item, run);
                    run.answered(err);
                    return j;
                }));
            }
            List<Judgement> out = new ArrayList<>(items.size());
            for (Future<Judgement> f : pending) {
                out.add(f.get());
            }
            return new Result(out, run.asked.get(), run.cached.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r; // the endpoint refused (wrong key or URL): stop everything
            }
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private record Item(Prediction prediction, JudgeKind kind) {}

    private Judgement judge(Item item, Run run) throws InterruptedException {
        Prediction p = item.prediction();
        if (!p.answered()) {
            return judgement(item, Status.NOT_ANSWERED, null, null, p.error(), null);
        }
        String request = request(item);
        String key = ReplyCache.key(judge.url(), request);
        String body = cache.get(key).orElse(null);
        if (body != null) {
            run.cached.incrementAndGet();
        } else {
            run.asked.incrementAndGet();
            ChatEndpoint.Answer answer = endpoint.post(request);
            if (answer.body() == null) {
                return judgement(item, Status.FAILED, null, null, answer.failure(), null);
            }
            body = answer.body();
        }
        JsonNode response;
        try {
            response = JSON.readTree(body);
        } catch (IOException e) {
            return judgement(item, Status.UNPARSEABLE, null, clip(body), "the response is not JSON", null);
        }
        JsonNode message = response == null ? null : response.path("choices").path(0).path("message");
        if (message == null || !message.isObject()) {
            return judgement(item, Status.UNPARSEABLE, null, clip(body), "the response has no choices[0].message", null);
        }
        // a well-formed completion is kept whatever its message says: asking again would cost and may differ
        cache.put(key, judge.url(), request, body);
        String model = response.path("model").isTextual() ? response.get("model").asText() : null;
        JsonNode content = message.get("content");
        if (content == null || !content.isTextual()) {
            return judgement(item, Status.UNPARSEABLE, null, null, "the message has no text content", model);
        }
        JudgeReply reply = JudgeReply.read(content.asText(), item.kind(), judge.extractDict());
        return judgement(item, reply.parsed() ? Status.JUDGED : Status.UNPARSEABLE, reply, clip(content.asText()), reply.problem(), model);
    }

    private Judgement judgement(Item item, Status status, JudgeReply reply, String text, String problem, String model) {
        Prediction p = item.prediction();
        return new Judgement(p.dataset(), p.id(), p.type(), item.kind().id(), status,
                reply == null ? null : reply.verdict(), reply == null ? null : reply.score(), text, problem, model,
                reply != null && reply.extracted());
    }

    /** The chat-completions request body: the model, the filled system and user messages, the temperature if set. */
    private String request(Item item) {
        Prediction p = item.prediction();
        Map<String, String> fields = new HashMap<>();
        fields.put("question", p.question());
        fields.put("answer", p.answer());
        fields.put("prediction", p.prediction());
        fields.put("question2", p.question2());
        fields.put("prediction2", p.prediction2());
        String[] messages = judge.templates().get(item.kind()).fill(fields);
        ObjectNode body = JSON.createObjectNode();
        body.put("model", judge.model());
        ArrayNode list = body.putArray("messages");
        list.addObject().put("role", "system").put("content", messages[0]);
        list.addObject().put("role", "user").put("content", messages[1]);
        if (judge.temperature() != null) {
            body.put("temperature", judge.temperature());
        }
        return body.toString();
    }

    private static String clip(String text) {
        return text.length() <= LONGEST_REPLY ? text : text.substring(0, LONGEST_REPLY) + "...";
    }
}
