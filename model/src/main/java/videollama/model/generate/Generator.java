package videollama.model.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import videollama.model.llama.LlamaSession;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.model.tokenizer.TokenPrinter;

/**
 * Prefill, then decode one token at a time: process the logits (repetition penalty, min length), sample, stream its
 * text, stop on EOS, on a stop string or stop id sequence, at the token limit or when the context is full. The prompt
 * arrives as embeddings, so text and soft tokens mix freely. With beams it hands over to {@link BeamSearch}.
 */
public final class Generator {
    private final SentencePieceTokenizer tokenizer;

    public Generator(SentencePieceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Generates after {@code promptLength} prompt rows {@code promptEmbeddings}, feeding {@code session} (which
     * must be empty and hold at least the prompt). Text is passed to {@code onText} as it becomes final: a
     * possible start of a stop string is held back until it is known not to be one (with beams the text is final only
     * at the end, so it comes in one piece then).
     *
     * @param continuesText the answer continues text already shown (a raw prompt), so its first space is kept
     */
    public Generation generate(LlamaSession session, float[] promptEmbeddings, int promptLength,
                               GenerationSettings settings, boolean continuesText, Consumer<String> onText) {
        if (settings.numBeams() > 1) {
            return new BeamSearch(tokenizer).generate(session, promptEmbeddings, promptLength, settings, continuesText,
                    onText, null);
        }
        Sampler sampler = new Sampler(settings.sampling());
        TokenPrinter printer = tokenizer.printer(!continuesText);
        StopStringFilter text = new StopStringFilter(settings.stopStrings(), onText);
        int vocab = session.config().vocabSize();
        LogitsProcessors processors = new LogitsProcessors(settings, session.config().eosTokenIds(), vocab);
        List<float[]> keptLogits = new ArrayList<>();
        // the ids as transformers 4.28 keeps them when it starts from embeddings: a BOS the model never saw, then the answer
        int[] ids = new int[settings.maxNewTokens() + 1];
        ids[0] = session.config().bosTokenId();
        int length = 1;

        long start = System.nanoTime();
        if (promptLength == 0 || settings.maxNewTokens() == 0) {
            return new Generation(new int[0], "", StopReason.LENGTH, promptLength, 0, 0, 0, 1, Float.NaN, List.of());
        }
        float[] logits = session.forward(promptEmbeddings, promptLength, false);
        long prefillEnd = System.nanoTime();
        // Greedy decoding without --dump or processors needs no logits on the host: the backend returns just the argmax.
        boolean idsOnly = settings.sampling().isGreedy() && !settings.keepLogits() && !processors.changesScores();

        StopReason reason = StopReason.LENGTH;
        int token = choose(sampler, processors, logits, ids, length, settings, keptLogits);
        while (true) {
            ids[length++] = token;
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
            if (endsWithStop(ids, length, settings.stopTokenIds())) {
                reason = StopReason.STOP_TOKENS;
                break;
            }
            if (length - 1 == settings.maxNewTokens()) {
                break;
            }
            if (session.position() == session.capacity()) {
                reason = StopReason.CONTEXT;
                break;
            }
            token = idsOnly
                    ? session.forwardGreedy(token)
                    : choose(sampler, processors, session.forwardTokens(new int[] {token}, false), ids, length, settings,
                    keptLogits);
        }
        if (reason != StopReason.STOP_STRING) {
            text.append(printer.flush());
            text.finish();
        }
        long end = System.nanoTime();
        int[] tokens = java.util.Arrays.copyOfRange(ids, 1, length);
        return new Generation(tokens, text.text(), reason, promptLength, prefillEnd - start, end - prefillEnd,
                tokens.length - 1, 1, Float.NaN, List.copyOf(keptLogits));
    }

    private static int choose(Sampler sampler, LogitsProcessors processors, float[] logits, int[] ids, int length,
                              GenerationSettings settings, List<float[]> keptLogits) {
        if (settings.keepLogits()) {
            keptLogits.add(logits.clone());
        }
        if (processors.changesScores()) {
            logits = logits.clone();
            processors.apply(logits, 0, ids, length);
        }
        return sampler.sample(logits);
    }

    /** The reference's StoppingCriteriaSub: the ids end with one of the stop sequences. */
    static boolean endsWithStop(int[] ids, int length, List<int[]> stops) {
        for (int[] stop : stops) {
            if (stop.length <= length && java.util.Arrays.equals(ids, length - stop.length, length, stop, 0, stop.length)) {
                return true;
            }
        }
        return false;
    }
}
