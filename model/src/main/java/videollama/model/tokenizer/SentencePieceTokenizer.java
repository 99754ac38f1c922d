package videollama.model.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import videollama.model.ModelException;
import videollama.model.tokenizer.SentencePieceModel.PieceType;

/**
 * The SentencePiece BPE tokenizer of LLaMA, read from a {@code tokenizer.model} file (a serialized sentencepiece
 * {@code ModelProto}) and encoding exactly as the sentencepiece library does.
 *
 * <p><b>Encoding</b> ({@link #encodeSentencePiece}) follows sentencepiece's normalizer and {@code bpe_model.cc}:
 * normalize (the identity normalization LLaMA uses, with the {@code NormalizerSpec} flags honoured), split into
 * symbols, merge the adjacent pair with the highest-scoring piece (leftmost on ties) until none is left, split UNUSED
 * pieces back, and emit the ids, with byte fallback or the unknown id for what is no piece. The steps in detail are
 * in {@code BpeEncoder}.
 *
 * <p>{@link #encode} is what the HF transformers 4.28 slow {@code LlamaTokenizer} (which Video-LLaMA uses) does
 * without its BOS: the special tokens' surface strings in the text (the CONTROL and UNKNOWN pieces: {@code <s>},
 * {@code </s>}, {@code <unk>}) are split out (leftmost, longest match) and become their ids, whitespace around them
 * left as it is, and each non-empty chunk between them is encoded on its own as above (so each gets its own dummy
 * prefix).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SentencePieceTokenizer {
    private final SentencePieceModel model;
    private final BpeEncoder encoder;
    /** Special-token surface strings (CONTROL and UNKNOWN pieces), longest first, and their ids. */
    private final String[] specialStrings;
    private final int[] specialIds;

    private SentencePieceTokenizer(SentencePieceModel model) {
        this.model = model;
        this.encoder = new BpeEncoder(model);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < model.vocabSize(); i++) {
            PieceType type = model.type(i);
            if (type == PieceType.CONTROL || type == PieceType.UNKNOWN) {
                special.add(i);
            }
        }
        special.sort(Comparator.comparingInt((Integer i) -> -model.piece(i).length()).thenComparingInt(i -> i));
        this.specialStrings = new String[special.size()];
        this.specialIds = new int[special.size()];
        for (int k = 0; k < special.size(); k++) {
            specialIds[k] = special.get(k);
            specialStrings[k] = model.piece(special.get(k));
        }
    }

    /**
     * Reads a {@code tokenizer.model}.
     *
     * @throws ModelException naming the file when it is missing, unreadable, not a well-formed sentencepiece model, or
     *     a model this class cannot encode exactly (not BPE, a non-identity normalizer, whitespace as suffix)
     */
    public static SentencePieceTokenizer load(Path tokenizerModel) {
        return new SentencePieceTokenizer(SentencePieceModel.read(tokenizerModel));
    }

    // ---------------------------------------------------------------------------------------------------------
    // The vocabulary

    /** Number of pieces; ids run from 0 to vocabSize() - 1. */
    public int vocabSize() {
        return model.vocabSize();
    }

    /** The beginning-of-sequence id ({@code TrainerSpec.bos_id}; 1 for LLaMA), -1 if the model has none. */
    public int bosId() {
        return model.bosId();
    }

    /** The end-of-sequence id ({@code TrainerSpec.eos_id}; 2 for LLaMA), -1 if the model has none. */
    public int eosId() {
        return model.eosId();
    }

    /** The id of the UNKNOWN piece (0 for LLaMA). */
    public int unkId() {
        return model.unkId();
    }

    public String piece(int id) {
        return model.piece(id);
    }

    public float score(int id) {
        return model.score(id);
    }

    public boolean isControl(int id) {
        return model.type(id) == PieceType.CONTROL;
    }

    public boolean isByte(int id) {
        return model.type(id) == PieceType.BYTE;
    }

    public boolean isUnknown(int id) {
        return model.type(id) == PieceType.UNKNOWN;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Encoding

    /**
     * Encodes as the HF transformers 4.28 slow {@code LlamaTokenizer} does, without the BOS it adds: the special
     * tokens' strings ({@code <s>}, {@code </s>}, {@code <unk>}) in the text become their ids, the text between them is
     * encoded chunk by chunk with {@link #encodeSentencePiece}.
     */
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 2 + 4);
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            int k = specialAt(text, i);
            if (k < 0) {
                i++;
                continue;
            }
            if (i > start) {
                encoder.encodeInto(text.substring(start, i), out);
            }
            out.add(specialIds[k]);
            i += specialStrings[k].length();
            start = i;
        }
        if (start < text.length()) {
            encoder.encodeInto(text.substring(start), out);
        }
        return out.toArray();
    }

    /** Index into specialStrings of the longest special string starting at i, or -1. */
    private int specialAt(String text, int i) {
        for (int k = 0; k < specialStrings.length; k++) {
            if (text.startsWith(specialStrings[k], i)) {
                return k;
            }
        }
        return -1;
    }

    /** sentencepiece's {@code encode(text)}: the whole text as one sentence, no special-token splitting, no BOS. */
    public int[] encodeSentencePiece(String text) {
        IntList out = new IntList(text.length() / 2 + 4);
        encoder.encodeInto(text, out);
        return out.toArray();
    }

    /** The normalized text, the first step of encoding (for tests). */
    String normalize(String text) {
        return encoder.normalize(text);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Decoding

    /**
     * As sentencepiece's {@code decode(ids)}: the pieces joined with "▁" read as a space, runs of byte pieces assembled
     * into UTF-8 (each byte that does not form a valid character gives one U+FFFD), control pieces dropped, the unknown
     * piece shown as the model's {@code unk_surface} (" ⁇ "), and the "▁" that starts the first piece with text dropped
     * (the dummy prefix); see {@link TokenPrinter} for the exact rule.
     *
     * @throws IllegalArgumentException for an id outside the vocabulary
     */
    public String decode(int[] ids) {
        TokenPrinter printer = printer();
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            out.append(printer.next(id));
        }
        out.append(printer.flush());
        return out.toString();
    }

    /** A streaming decoder for one generated sequence; its pieces concatenated equal {@link #decode}. */
    public TokenPrinter printer() {
        return new TokenPrinter(model, true);
    }

    /**
     * A streaming decoder for ids that continue a text already shown (a raw prompt echoed before its
     * continuation): with {@code atStartOfText} false the first piece keeps its leading space.
     */
    public TokenPrinter printer(boolean atStartOfText) {
        return new TokenPrinter(model, atStartOfText);
    }
}
