package videollama.model.llama;

import java.util.function.Consumer;
import videollama.kernels.Profile;

/**
 * A LLaMA decoder on one backend, holding one sequence's key/value cache. Tokens or input embeddings go in at
 * the next free positions; logits come out. Soft tokens (video, audio) enter through {@link #forward} as
 * embeddings spliced between the embedded text segments.
 */
public interface LlamaSession extends AutoCloseable {

    LlamaConfig config();

    /** Positions already in the cache: the next input goes to this position. */
    int position();

    /** The most positions this session's cache holds. */
    int capacity();

    /** The rows of {@code embed_tokens} for these ids, [tokens.length, hidden]. */
    float[] embed(int... tokens);

    /**
     * Runs {@code count} input rows [count, hidden] at positions {@code position() .. position()+count-1} and
     * appends them to the cache.
     *
     * @return the logits of the last row [vocab], or of every row [count, vocab] when {@code logitsForEveryRow}
     */
    float[] forward(float[] embeddings, int count, boolean logitsForEveryRow);

    /** {@link #forward} on token ids. */
    default float[] forwardTokens(int[] tokens, boolean logitsForEveryRow) {
        return forward(embed(tokens), tokens.length, logitsForEveryRow);
    }

    /**
     * Feeds one token and returns the most likely next token (the first on ties, as {@code torch.argmax}).
     * A device backend computes the argmax on the device, so only the id comes back.
     */
    default int forwardGreedy(int token) {
        float[] logits = forwardTokens(new int[] {token}, false);
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * A new session of the same model, backend and capacity whose cache holds a copy of this one's positions: beam
     * search prefills the prompt once and gives every beam its own cache from it. The caller closes it.
     */
    LlamaSession fork();

    /**
     * Makes this session continue {@code source}, a session of the same model and backend forked from the same
     * prompt: copies the cache rows {@code [from, source.position())} and moves to {@code source.position()}. Rows
     * below {@code from} must already be equal in both (the shared prompt), so only a beam's own tokens move.
     */
    void copyCacheFrom(LlamaSession source, int from);

    /**
     * Records the device time of every kernel of every later step into {@code profile} (null stops it). The
     * reference path has no kernels and records nothing.
     */
    default void profile(Profile profile) {}

    /**
     * Receives "prefill: layer k/L" before the first layer (k = 0) and after each layer of every later forward over
     * more than one row, where the reference path spends minutes on a long prompt at the released sizes. A device
     * replays the prompt as one graph and reports nothing.
     */
    default void progress(Consumer<String> lines) {}

    @Override
    void close();
}
