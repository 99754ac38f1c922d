package videollama.model.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import videollama.model.llama.LlamaSession;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.model.tokenizer.TokenPrinter;

/**
 * Prefill, then decode one token at a time: sample, stream its text, stop on EOS, on a stop string, at the
 * token limit or when the context is full. The prompt arrives as embeddings, so text and soft tokens mix freely.
 */
public final class Generator {
    private final SentencePieceTokenizer tokenizer;

    public Generator(SentencePieceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Generates after {@code promptLength} prompt rows {@code promptEmbeddings}, feeding {@code session} (which
     * must be empty and hold at least the prompt). Text is passed to {@code onText} as it becomes final: a
     * possible start of a stop string is held back until it is known not to be one.
     *
     * @param continuesText the answer continues text already shown (a raw prompt), so its first space is kept
     */
    public Generation generate(LlamaSession session, float[] promptEmbeddings, int promptLength,
                               GenerationSettings settings, boolean continuesText, Consumer<String> onText) {
        Sampler sampler = new Sampler(settings.sampling());
        TokenPrinter printer = tokenizer.printer(!continuesText);
        StopStringFilter text = new StopStringFilter(settings.stopStrings(), onText);
        List<float[]> keptLogits = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();

        long start = System.nanoTime();
        if (promptLength == 0 || settings.maxNewTokens() == 0) {
            return new Generation(new int[0], "", StopReason.LENGTH, promptLength, 0, 0, List.of());
        }
        float[] logits = session.forward(promptEmbeddings, promptLength, false);
        long prefillEnd = System.nanoTime();
        // Greedy decoding without --dump needs no logits on the host: the backend returns just the argmax.
        boolean idsOnly = settings.sampling().isGreedy() && !settings.keepLogits();

        StopReason reason = StopReason.LENGTH;
        int token = choose(sampler, logits, settings, keptLogits);
        while (true) {
            tokens.add(token);
            if (session.config().isEos(token)) {
                reason = StopReason.EOS;
                break;
            }
            // Vicuna v0's model has a [PAD] row past the tokenizer's pieces: it has no text.
            String piece = token < tokenizer.vocabSize() ? printer.next(token) : "";
            if (text.append(piece)) {
                reason = StopReason.STOP_STRING;
                break;
            }
            if (tokens.size() == settings.maxNewTokens()) {
                break;
            }
            if (session.position() == session.capacity()) {
                reason = StopReason.CONTEXT;
                break;
            }
            token = idsOnly
                    ? session.forwardGreedy(token)
                    : choose(sampler, session.forwardTokens(new int[] {token}, false), settings, keptLogits);
        }
        if (reason != StopReason.STOP_STRING) {
            text.append(printer.flush());
            text.finish();
        }
        long end = System.nanoTime();
        return new Generation(tokens.stream().mapToInt(Integer::intValue).toArray(), text.text(), reason,
                promptLength, prefillEnd - start, end - prefillEnd, List.copyOf(keptLogits));
    }

    private static int choose(Sampler sampler, float[] logits, GenerationSettings settings, List<float[]> keptLogits) {
        if (settings.keepLogits()) {
            keptLogits.add(logits.clone());
        }
        return sampler.sample(logits);
    }

    /** Accumulates the answer, cuts it at the first stop string, and releases text that cannot start one. */
    private static final class StopStringFilter {
        private final List<String> stops;
        private final Consumer<String> sink;
        private final int holdBack;
        private final StringBuilder text = new StringBuilder();
        private int released;

        StopStringFilter(List<String> stops, Consumer<String> sink) {
            this.stops = stops;
            this.sink = sink;
            this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
        }

        /** Adds text; true when a stop string has appeared (the text is then cut before it). */
        boolean append(String piece) {
            text.append(piece);
            int cut = firstStop();
            if (cut >= 0) {
                text.setLength(cut);
                release(cut);
                return true;
            }
            release(text.length() - holdBack);
            return false;
        }

        void finish() {
            release(text.length());
        }

        String text() {
            return text.toString();
        }

        private int firstStop() {
            int first = -1;
            // Only the tail can hold a new stop string: search from where the last check could have missed one.
            int from = Math.max(0, released - holdBack);
            for (String stop : stops) {
                int at = text.indexOf(stop, from);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                }
            }
            return first;
        }

        private void release(int upTo) {
            if (upTo > text.length()) {
                upTo = text.length();
            }
            // Never split a surrogate pair across two releases.
            if (upTo > released && upTo < text.length() && Character.isHighSurrogate(text.charAt(upTo - 1))) {
                upTo--;
            }
            if (upTo > released) {
                sink.accept(text.substring(released, upTo));
                released = upTo;
            }
        }
    }
}
