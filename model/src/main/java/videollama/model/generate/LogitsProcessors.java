package videollama.model.generate;

/**
 * The two logits processors the reference's {@code answer()} can switch on, as transformers 4.28 applies them (its
 * {@code _get_logits_processor} order: repetition penalty, then min length), to the raw logits of greedy and sampled
 * generation and to the log-softmax of beam search. {@code ids} are the sequence's ids as 4.28 keeps them: the BOS it
 * puts in front of an answer generated from embeddings, then the generated tokens.
 */
final class LogitsProcessors {
    private final float repetitionPenalty;
    private final int minLength;
    private final int[] eosTokenIds;
    private final boolean[] seen;

    LogitsProcessors(GenerationSettings settings, int[] eosTokenIds, int vocab) {
        this.repetitionPenalty = settings.repetitionPenalty();
        this.minLength = settings.minLength();
        this.eosTokenIds = eosTokenIds.clone();
        this.seen = new boolean[vocab];
    }

    /** False when neither processor can change a score (a penalty of 1; a minimum the BOS alone reaches). */
    boolean changesScores() {
        return repetitionPenalty != 1f || minLength > 1;
    }

    /** Applies both to {@code scores[offset, offset + vocab)} for a sequence whose ids are {@code ids[0, length)}. */
    void apply(float[] scores, int offset, int[] ids, int length) {
        if (repetitionPenalty != 1f) {
            // RepetitionPenaltyLogitsProcessor gathers each id's score and scatters the penalised one back, so an id
            // that occurs twice is penalised once
            for (int i = 0; i < length; i++) {
                int id = ids[i];
                if (id < seen.length && !seen[id]) {
                    seen[id] = true;
                    float s = scores[offset + id];
                    scores[offset + id] = s < 0 ? s * repetitionPenalty : s / repetitionPenalty;
                }
            }
            for (int i = 0; i < length; i++) {
                if (ids[i] < seen.length) {
                    seen[ids[i]] = false;
                }
            }
        }
        // MinLengthLogitsProcessor: cur_len = input_ids.shape[-1], EOS at -inf while cur_len < min_length
        if (length < minLength) {
            for (int eos : eosTokenIds) {
                if (eos < seen.length) {
                    scores[offset + eos] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }
}
