package videollama.app.serve;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;
import videollama.model.chat.MediaChat;
import videollama.model.generate.Generation;

/**
 * What {@code GET /metrics} reports, in Prometheus' text exposition format (version 0.0.4): requests by route and
 * status, tokens generated, the decoding speed of the last answers, the requests running and waiting, and the time
 * spent in each stage of an answer. Hand-written: a dozen counters do not need a metrics library and its registry.
 */
final class ServeMetrics {
    /** The decoding speed reported is the mean over this many of the last answers. */
    static final int RECENT_ANSWERS = 16;

    /** The stages of an answer, as the {@code stage} label names them. */
    enum Stage {
        /** Decoding and encoding an upload into soft tokens (once per upload: a follow-up question reuses them). */
        MEDIA,
        /** The prompt through the LLaMA, up to the first logits. */
        PREFILL,
        /** The answer's tokens after the first. */
        DECODE;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final LongAdder promptTokens = new LongAdder();
    private final LongAdder generatedTokens = new LongAdder();
    private final Map<Stage, LongAdder> stageNanos = new ConcurrentHashMap<>();
    private final Map<Stage, LongAdder> stageCounts = new ConcurrentHashMap<>();
    private final double[] recentRates = new double[RECENT_ANSWERS];
    private int answers;

    /** One request answered: its route (the path it matched, or "other") and its status. */
    void request(String route, int status) {
        requests.computeIfAbsent(route + "\u0000" + status, key -> new LongAdder()).increment();
    }

    void stage(Stage stage, long nanos) {
        stageNanos.computeIfAbsent(stage, s -> new LongAdder()).add(nanos);
        stageCounts.computeIfAbsent(stage, s -> new LongAdder()).increment();
    }

    /** An answer's token counts, stage times and decoding speed. */
    void answer(MediaChat.Answer answer) {
        Generation generation = answer.generation();
        promptTokens.add(answer.prompt().length());
        generatedTokens.add(generation.tokens().length);
        stage(Stage.PREFILL, generation.prefillNanos());
        stage(Stage.DECODE, generation.decodeNanos());
        if (generation.decodeSteps() > 0) {
            synchronized (recentRates) {
                recentRates[answers++ % RECENT_ANSWERS] = generation.decodeTokensPerSecond();
            }
        }
    }

    /**
     * The exposition text.
     *
     * @param running the requests the model is answering (0 or 1)
     * @param waiting the requests waiting for it
     */
    String render(int running, int waiting) {
        StringBuilder out = new StringBuilder();
        header(out, "videollama_requests_total", "counter", "HTTP requests answered, by route and status.");
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((key, count) -> sorted.put(key, count.sum()));
        sorted.forEach((key, count) -> {
            String[] routeStatus = key.split("\u0000", 2);
            out.append("videollama_requests_total{route=\"").append(escaped(routeStatus[0])).append("\",status=\"")
                    .append(routeStatus[1]).append("\"} ").append(count).append('\n');
        });
        sample(out, "videollama_prompt_tokens_total", "counter", "Prompt positions run through the LLaMA.", promptTokens.sum());
        sample(out, "videollama_generated_tokens_total", "counter", "Tokens generated in answers.", generatedTokens.sum());
        sample(out, "videollama_decode_tokens_per_second", "gauge", "Decoding speed, the mean over the last "
                + RECENT_ANSWERS + " answers (0 before the first).", recentRate());
        sample(out, "videollama_requests_running", "gauge", "Requests the model is answering.", running);
        sample(out, "videollama_queue_length", "gauge", "Requests waiting for the model.", waiting);
        header(out, "videollama_stage_seconds", "summary", "Time spent per stage: media (decoding and encoding an "
                + "upload), prefill (the prompt), decode (the tokens after the first).");
        for (Stage stage : Stage.values()) {
            LongAdder nanos = stageNanos.get(stage);
            LongAdder count = stageCounts.get(stage);
            out.append("videollama_stage_seconds_sum{stage=\"").append(stage.label()).append("\"} ")
                    .append(number(nanos == null ? 0 : nanos.sum() / 1e9)).append('\n');
            out.append("videollama_stage_seconds_count{stage=\"").append(stage.label()).append("\"} ")
                    .append(count == null ? 0 : count.sum()).append('\n');
        }
        return out.toString();
    }

    private double recentRate() {
        synchronized (recentRates) {
            int n = Math.min(answers, RECENT_ANSWERS);
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += recentRates[i];
            }
            return n == 0 ? 0 : sum / n;
        }
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String type, String help, double value) {
        header(out, name, type, help);
        out.append(name).append(' ').append(number(value)).append('\n');
    }

    /** Integers without a fraction, as Prometheus writes them; others in Java's shortest exact form. */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /** A label value escaped as the format asks: backslash, double quote and line feed. */
    private static String escaped(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
