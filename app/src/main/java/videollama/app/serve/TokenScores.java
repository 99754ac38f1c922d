package videollama.app.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import videollama.kernels.Backend;
import videollama.model.chat.ChatPrompt;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.tokenizer.SentencePieceTokenizer;

/**
 * For each token of an answer, the model's five most likely next tokens at that point, for the lab view. The answer
 * is scored again, teacher-forced: the prompt, then the answer's tokens in one forward pass with every row's logits,
 * on a fresh key/value cache of the same backend. So the normal path keeps no logits (a greedy answer on a device
 * returns only the argmax), and the probabilities are the model's own: softmax of the raw logits, before the
 * temperature, top-p and penalties of the request.
 */
final class TokenScores {
    private TokenScores() {}

    static final int TOP = 5;

    /** One candidate next token: its id, its text, its probability. */
    record Candidate(int id, String text, double probability) {}

    /** One answer token: what it is, the probability the model gave it, and the model's top candidates there. */
    record Step(Candidate chosen, List<Candidate> top) {}

    static List<Step> of(Llama llama, Backend backend, ChatPrompt prompt, int[] tokens) {
        if (tokens.length == 0) {
            return List.of();
        }
        int vocab = llama.config().vocabSize();
        List<Step> steps = new ArrayList<>();
        // the prompt and every token but the last go in: the generation fed as many
        int capacity = Math.min(llama.config().maxPositionEmbeddings(), prompt.length() + tokens.length);
        try (LlamaSession session = llama.newSession(backend, capacity)) {
            float[] first = session.forward(prompt.embeddings(), prompt.length(), false);
            steps.add(step(llama.tokenizer(), first, 0, vocab, tokens[0]));
            if (tokens.length > 1) {
                int[] fed = Arrays.copyOf(tokens, tokens.length - 1);
                float[] rows = session.forwardTokens(fed, true);
                for (int i = 1; i < tokens.length; i++) {
                    steps.add(step(llama.tokenizer(), rows, (i - 1) * vocab, vocab, tokens[i]));
                }
            }
        }
        return steps;
    }

    /** Softmax over one logits row (in double, max subtracted), its top {@link #TOP} and {@code chosen}'s share. */
    private static Step step(SentencePieceTokenizer tokenizer, float[] logits, int offset, int vocab, int chosen) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        int[] top = new int[TOP];
        Arrays.fill(top, -1);
        for (int i = 0; i < vocab; i++) {
            // insertion into the sorted top list; on ties the lower id first
            for (int k = 0; k < TOP; k++) {
                if (top[k] < 0 || logits[offset + i] > logits[offset + top[k]]) {
                    System.arraycopy(top, k, top, k + 1, TOP - k - 1);
                    top[k] = i;
                    break;
                }
            }
        }
        List<Candidate> candidates = new ArrayList<>();
        for (int id : top) {
            if (id >= 0) {
                candidates.add(candidate(tokenizer, id, Math.exp(logits[offset + id] - max) / sum));
            }
        }
        return new Step(candidate(tokenizer, chosen, Math.exp(logits[offset + chosen] - max) / sum), candidates);
    }

    /** A token's text as the lab shows it: SentencePiece's word mark as a space, a row past the tokenizer's as [PAD]. */
    private static Candidate candidate(SentencePieceTokenizer tokenizer, int id, double probability) {
        String text = id < tokenizer.vocabSize() ? tokenizer.piece(id).replace('\u2581', ' ') : "[PAD]";
        return new Candidate(id, text, probability);
    }
}
