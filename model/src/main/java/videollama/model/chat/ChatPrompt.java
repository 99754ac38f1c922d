package videollama.model.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import videollama.model.tokenizer.SentencePieceTokenizer;

/**
 * A rendered prompt turned into LLM input as {@code Chat.get_context_emb} does it (docs/model.md section 4.4): split at the
 * placeholders, each text segment tokenized on its own (BOS before the first only, and each segment with its own
 * SentencePiece dummy prefix), the segments embedded and interleaved with the items' soft tokens
 * (segment 0, item 0, segment 1, item 1, ..., last segment). When the prompt and the answer budget would exceed the
 * context limit, the first positions are dropped, as the reference does.
 *
 * @param segmentIds the token ids of each text segment (BOS included in the first)
 * @param embeddings the input rows [length, hidden], after any dropped positions
 * @param length     rows in {@code embeddings}
 * @param dropped    positions cut off the front to respect the context limit (0 normally)
 */
public record ChatPrompt(List<int[]> segmentIds, float[] embeddings, int length, int dropped) {
    /** {@code Chat.answer}'s {@code max_length}: prompt plus answer budget (docs/model.md section 4.4 step 6). */
    public static final int REFERENCE_MAX_LENGTH = 2000;

    /**
     * Builds the input of {@code prompt}.
     *
     * @param items        the soft tokens for the placeholders, in order (audio before video when both are there)
     * @param embed        the LLM's {@code embed_tokens} lookup: ids to rows [ids.length, hidden]
     * @param maxNewTokens the answer budget, counted against {@code maxLength}
     * @param maxLength    the reference's context limit ({@link #REFERENCE_MAX_LENGTH})
     */
    public static ChatPrompt build(String prompt, List<SoftTokens> items, SentencePieceTokenizer tokenizer,
                                   Function<int[], float[]> embed, int maxNewTokens, int maxLength) {
        // Python's str.split: the pieces between every occurrence, empty ones included.
        List<String> segments = List.of(prompt.split(java.util.regex.Pattern.quote(DemoMessages.PLACEHOLDER), -1));
        if (segments.size() != items.size() + 1) {
            throw new IllegalArgumentException("the prompt has " + (segments.size() - 1) + " placeholders for "
                    + items.size() + " media items");
        }
        List<int[]> ids = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            int[] text = tokenizer.encode(segments.get(i));
            if (i == 0) {
                int[] withBos = new int[text.length + 1];
                withBos[0] = tokenizer.bosId();
                System.arraycopy(text, 0, withBos, 1, text.length);
                text = withBos;
            }
            ids.add(text);
        }
        List<float[]> parts = new ArrayList<>();
        int hidden = -1;
        int length = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (ids.get(i).length > 0) {
                float[] rows = embed.apply(ids.get(i));
                hidden = rows.length / ids.get(i).length;
                parts.add(rows);
                length += ids.get(i).length;
            }
            if (i < items.size()) {
                SoftTokens item = items.get(i);
                if (hidden >= 0 && item.hidden() != hidden) {
                    throw new IllegalArgumentException(item.name() + " has width " + item.hidden()
                            + " but the LLM's embeddings have width " + hidden);
                }
                hidden = item.hidden();
                parts.add(item.rows());
                length += item.count();
            }
        }
        int dropped = Math.max(0, length + maxNewTokens - maxLength);
        if (dropped >= length) {
            throw new IllegalArgumentException("the prompt (" + length + " positions) and " + maxNewTokens
                    + " new tokens do not fit a context of " + maxLength);
        }
        float[] all = new float[(length - dropped) * hidden];
        int skip = dropped * hidden;
        int at = 0;
        for (float[] part : parts) {
            int from = Math.min(skip, part.length);
            skip -= from;
            System.arraycopy(part, from, all, at, part.length - from);
            at += part.length - from;
        }
        return new ChatPrompt(List.copyOf(ids), all, length - dropped, dropped);
    }
}
