package videollama.app;

import java.util.List;
import videollama.model.tokenizer.SentencePieceTokenizer;

/**
 * A prompt's token ids, kept per segment as the chat prompt will have them (one segment per text piece
 * between soft-token placeholders; {@code generate} has one).
 */
record PromptIds(List<int[]> segments) {

    /** BOS followed by the text's ids, as one segment. */
    static PromptIds withBos(SentencePieceTokenizer tokenizer, String text) {
        int[] body = tokenizer.encode(text);
        int[] ids = new int[body.length + 1];
        ids[0] = tokenizer.bosId();
        System.arraycopy(body, 0, ids, 1, body.length);
        return new PromptIds(List.of(ids));
    }

    /** All ids, segments concatenated. */
    int[] ids() {
        return segments.stream().flatMapToInt(java.util.Arrays::stream).toArray();
    }

    int length() {
        return segments.stream().mapToInt(s -> s.length).sum();
    }
}
