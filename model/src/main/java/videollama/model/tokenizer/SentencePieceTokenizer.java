package videollama.model.tokenizer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import videollama.model.ModelException;

/**
 * The SentencePiece BPE tokenizer of LLaMA, read from a {@code tokenizer.model} file (a serialized sentencepiece
 * {@code ModelProto}) and encoding exactly as the sentencepiece library does.
 *
 * <p><b>Encoding</b> ({@link #encodeSentencePiece}) follows sentencepiece's normalizer and {@code bpe_model.cc}:
 * <ol>
 *   <li>Normalize. The only normalization supported is the identity one LLaMA uses (an empty
 *       {@code precompiled_charsmap}), with the {@code NormalizerSpec} flags honoured: {@code remove_extra_whitespaces}
 *       drops leading spaces, squeezes runs of spaces to one and drops trailing ones; {@code add_dummy_prefix} puts one
 *       space in front of the text (even when it already starts with one); {@code escape_whitespaces} turns every space
 *       into "▁" (U+2581). Only the ASCII space counts as whitespace. A lone UTF-16 surrogate, which has no UTF-8 form,
 *       is read as U+FFFD, as sentencepiece reads malformed UTF-8.</li>
 *   <li>Split into symbols, one per code point, except that a USER_DEFINED piece is one symbol (longest match) that
 *       never merges with its neighbours.</li>
 *   <li>Merge: repeatedly join the adjacent pair of symbols whose concatenation is a NORMAL, USER_DEFINED or UNUSED
 *       piece with the highest score, the leftmost such pair on ties. A priority queue holds the candidate pairs;
 *       entries made stale by earlier merges are recognised by their length and dropped when they come up, so the
 *       whole is O(n log n).</li>
 *   <li>A resulting symbol that is an UNUSED piece is split back into the two symbols it was last merged from
 *       (recursively).</li>
 *   <li>Emit each symbol's id; a symbol that is no piece becomes, with {@code byte_fallback}, one {@code <0xXX>} piece
 *       per UTF-8 byte, and otherwise the unknown id, a run of unknown symbols giving one unknown id.</li>
 * </ol>
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
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    private static final int MODEL_TYPE_UNIGRAM = 1;
    private static final int MODEL_TYPE_BPE = 2;
    private static final String[] MODEL_TYPE_NAMES = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};

    /** "▁", the symbol that stands for a space in pieces. */
    static final char SPACE_SYMBOL = '\u2581';

    private final String[] pieces;
    private final float[] scores;
    private final byte[] types;
    /** Piece to id for the pieces BPE may produce by merging: NORMAL, USER_DEFINED, UNUSED. */
    private final Map<String, Integer> mergeable;
    /** Piece to id for UNKNOWN, CONTROL and BYTE pieces; looked up first, as sentencepiece does. */
    private final Map<String, Integer> reserved;
    /** For each byte value the id of its {@code <0xXX>} piece. */
    private final int[] byteIds;
    /** For each id, the byte of a BYTE piece, else -1. */
    private final int[] byteValues;
    private final UserDefinedMatcher userDefined;
    /** Special-token surface strings (CONTROL and UNKNOWN pieces), longest first, and their ids. */
    private final String[] specialStrings;
    private final int[] specialIds;

    private final int unkId;
    private final int bosId;
    private final int eosId;
    private final String unkSurface;
    private final boolean byteFallback;
    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;
    private final boolean escapeWhitespaces;

    private SentencePieceTokenizer(Parsed p) {
        int n = p.pieces.size();
        this.pieces = p.pieces.toArray(new String[0]);
        this.scores = new float[n];
        this.types = new byte[n];
        for (int i = 0; i < n; i++) {
            scores[i] = p.scores.get(i);
            types[i] = (byte) (int) p.types.get(i);
        }
        this.mergeable = p.mergeable;
        this.reserved = p.reserved;
        this.byteIds = p.byteIds;
        this.byteValues = p.byteValues;
        this.userDefined = p.userDefined.isEmpty() ? null : new UserDefinedMatcher(p.userDefined);
        List<Integer> special = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (types[i] == CONTROL || types[i] == UNKNOWN) {
                special.add(i);
            }
        }
        special.sort(Comparator.comparingInt((Integer i) -> -pieces[i].length()).thenComparingInt(i -> i));
        this.specialStrings = new String[special.size()];
        this.specialIds = new int[special.size()];
        for (int k = 0; k < special.size(); k++) {
            specialIds[k] = special.get(k);
            specialStrings[k] = pieces[special.get(k)];
        }
        this.unkId = p.unkId;
        this.bosId = p.bosId;
        this.eosId = p.eosId;
        this.unkSurface = p.unkSurface;
        this.byteFallback = p.byteFallback;
        this.addDummyPrefix = p.addDummyPrefix;
        this.removeExtraWhitespaces = p.removeExtraWhitespaces;
        this.escapeWhitespaces = p.escapeWhitespaces;
    }

    /**
     * Reads a {@code tokenizer.model}.
     *
     * @throws ModelException naming the file when it is missing, unreadable, not a well-formed sentencepiece model, or
     *     a model this class cannot encode exactly (not BPE, a non-identity normalizer, whitespace as suffix)
     */
    public static SentencePieceTokenizer load(Path tokenizerModel) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerModel);
        } catch (NoSuchFileException e) {
            throw new ModelException(tokenizerModel + ": tokenizer.model not found");
        } catch (IOException e) {
            if (!Files.exists(tokenizerModel)) {
                throw new ModelException(tokenizerModel + ": tokenizer.model not found");
            }
            throw new ModelException(tokenizerModel + ": cannot read the tokenizer: " + oneLine(e.toString()), e);
        }
        Parsed parsed;
        try {
            parsed = parse(bytes);
        } catch (ProtoReader.Malformed e) {
            throw new ModelException(tokenizerModel + ": not a valid sentencepiece model: " + e.getMessage());
        }
        String problem = parsed.validate();
        if (problem != null) {
            throw new ModelException(tokenizerModel + ": " + problem);
        }
        return new SentencePieceTokenizer(parsed);
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reading the ModelProto

    /** What the file says, before it is checked. Defaults are those of sentencepiece_model.proto. */
    private static final class Parsed {
        final List<String> pieces = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<Integer> types = new ArrayList<>();
        int modelType = MODEL_TYPE_UNIGRAM;
        boolean byteFallback = false;
        boolean treatWhitespaceAsSuffix = false;
        int trainerUnkId = 0;
        int bosId = 1;
        int eosId = 2;
        int padId = -1;
        String unkSurface = " \u2047 ";
        String normalizerName = "";
        int precompiledCharsmapLength = 0;
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;

        // filled in by validate()
        final Map<String, Integer> mergeable = new HashMap<>();
        final Map<String, Integer> reserved = new HashMap<>();
        final int[] byteIds = new int[256];
        int[] byteValues;
        final List<String> userDefined = new ArrayList<>();
        int unkId = -1;

        /** Checks what sentencepiece checks when it loads a model, plus what this class supports; null if fine. */
        String validate() {
            int n = pieces.size();
            if (n == 0) {
                return "not a sentencepiece model: no pieces";
            }
            if (modelType != MODEL_TYPE_BPE) {
                String name = modelType >= 0 && modelType < MODEL_TYPE_NAMES.length ? MODEL_TYPE_NAMES[modelType]
                        : Integer.toString(modelType);
                return "not a BPE sentencepiece model (model_type " + name + "); only BPE models (LLaMA's) are supported";
            }
            if (precompiledCharsmapLength != 0) {
                return "normalizer '" + normalizerName + "' is not supported (only the identity normalization of LLaMA,"
                        + " with an empty precompiled_charsmap)";
            }
            if (treatWhitespaceAsSuffix) {
                return "treat_whitespace_as_suffix is not supported";
            }
            byteValues = new int[n];
            Arrays.fill(byteValues, -1);
            int byteCount = 0;
            for (int i = 0; i < n; i++) {
                String piece = pieces.get(i);
                int type = types.get(i);
                if (piece.isEmpty()) {
                    return "piece " + i + " is empty";
                }
                if (type < NORMAL || type > BYTE) {
                    return "piece " + i + " ('" + piece + "') has unknown type " + type;
                }
                if (mergeable.containsKey(piece) || reserved.containsKey(piece)) {
                    return "piece '" + piece + "' is defined twice (ids " + find(piece) + " and " + i + ")";
                }
                boolean normal = type == NORMAL || type == USER_DEFINED || type == UNUSED;
                (normal ? mergeable : reserved).put(piece, i);
                if (type == USER_DEFINED) {
                    userDefined.add(piece);
                } else if (type == UNKNOWN) {
                    if (unkId >= 0) {
                        return "two unknown pieces (ids " + unkId + " and " + i + ")";
                    }
                    unkId = i;
                } else if (type == BYTE) {
                    if (!byteFallback) {
                        return "byte piece '" + piece + "' (id " + i + ") although byte_fallback is false";
                    }
                    int b = parseBytePiece(piece);
                    if (b < 0) {
                        return "byte piece " + i + " ('" + piece + "') is not of the form <0xXX>";
                    }
                    byteValues[i] = b;
                    byteIds[b] = i;
                    byteCount++;
                }
            }
            if (unkId < 0) {
                return "no unknown piece (sentencepiece needs one)";
            }
            if (byteFallback && byteCount != 256) {
                return "byte_fallback is set but there are " + byteCount + " byte pieces, not 256";
            }
            if (bosId < -1 || bosId >= n || eosId < -1 || eosId >= n) {
                return "bos_id " + bosId + " / eos_id " + eosId + " is outside the " + n + " pieces";
            }
            return null;
        }

        private int find(String piece) {
            Integer id = mergeable.get(piece);
            return id != null ? id : reserved.get(piece);
        }
    }

    /** The byte of a {@code <0xXX>} piece (two upper-case hex digits, as sentencepiece writes them), or -1. */
    static int parseBytePiece(String piece) {
        if (piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        return hi << 4 | lo;
    }

    private static Parsed parse(byte[] bytes) {
        Parsed p = new Parsed();
        ProtoReader r = new ProtoReader(bytes);
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto.pieces");
                    readPiece(r.readMessage(), p);
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto.trainer_spec");
                    readTrainerSpec(r.readMessage(), p);
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "ModelProto.normalizer_spec");
                    readNormalizerSpec(r.readMessage(), p);
                }
                default -> r.skip(tag);
            }
        }
        return p;
    }

    private static void readPiece(ProtoReader r, Parsed p) {
        String piece = "";
        float score = 0f;
        int type = NORMAL;
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "SentencePiece.piece");
                    piece = r.readString("piece " + p.pieces.size());
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.FIXED32, "SentencePiece.score");
                    score = r.readFloat();
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.VARINT, "SentencePiece.type");
                    type = r.readInt32();
                }
                default -> r.skip(tag);
            }
        }
        p.pieces.add(piece);
        p.scores.add(score);
        p.types.add(type);
    }

    private static void readTrainerSpec(ProtoReader r, Parsed p) {
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 3 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.model_type");
                    p.modelType = r.readInt32();
                }
                case 24 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.treat_whitespace_as_suffix");
                    p.treatWhitespaceAsSuffix = r.readBool();
                }
                case 35 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.byte_fallback");
                    p.byteFallback = r.readBool();
                }
                case 40 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.unk_id");
                    p.trainerUnkId = r.readInt32();
                }
                case 41 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.bos_id");
                    p.bosId = r.readInt32();
                }
                case 42 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.eos_id");
                    p.eosId = r.readInt32();
                }
                case 43 -> {
                    r.expect(tag, ProtoReader.VARINT, "TrainerSpec.pad_id");
                    p.padId = r.readInt32();
                }
                case 44 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "TrainerSpec.unk_surface");
                    p.unkSurface = r.readString("TrainerSpec.unk_surface");
                }
                default -> r.skip(tag);
            }
        }
    }

    private static void readNormalizerSpec(ProtoReader r, Parsed p) {
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NormalizerSpec.name");
                    p.normalizerName = r.readString("NormalizerSpec.name");
                }
                case 2 -> {
                    r.expect(tag, ProtoReader.LENGTH_DELIMITED, "NormalizerSpec.precompiled_charsmap");
                    p.precompiledCharsmapLength = r.readBytes().length;
                }
                case 3 -> {
                    r.expect(tag, ProtoReader.VARINT, "NormalizerSpec.add_dummy_prefix");
                    p.addDummyPrefix = r.readBool();
                }
                case 4 -> {
                    r.expect(tag, ProtoReader.VARINT, "NormalizerSpec.remove_extra_whitespaces");
                    p.removeExtraWhitespaces = r.readBool();
                }
                case 5 -> {
                    r.expect(tag, ProtoReader.VARINT, "NormalizerSpec.escape_whitespaces");
                    p.escapeWhitespaces = r.readBool();
                }
                default -> r.skip(tag);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The vocabulary

    /** Number of pieces; ids run from 0 to vocabSize() - 1. */
    public int vocabSize() {
        return pieces.length;
    }

    /** The beginning-of-sequence id ({@code TrainerSpec.bos_id}; 1 for LLaMA), -1 if the model has none. */
    public int bosId() {
        return bosId;
    }

    /** The end-of-sequence id ({@code TrainerSpec.eos_id}; 2 for LLaMA), -1 if the model has none. */
    public int eosId() {
        return eosId;
    }

    /** The id of the UNKNOWN piece (0 for LLaMA). */
    public int unkId() {
        return unkId;
    }

    public String piece(int id) {
        return pieces[check(id)];
    }

    public float score(int id) {
        return scores[check(id)];
    }

    public boolean isControl(int id) {
        return types[check(id)] == CONTROL;
    }

    public boolean isByte(int id) {
        return types[check(id)] == BYTE;
    }

    public boolean isUnknown(int id) {
        return types[check(id)] == UNKNOWN;
    }

    int type(int id) {
        return types[check(id)];
    }

    /** The byte a BYTE piece stands for. */
    int byteValue(int id) {
        return byteValues[check(id)];
    }

    String unkSurface() {
        return unkSurface;
    }

    /** Whether decoding drops the "▁" at the start of the first piece (sentencepiece: dummy prefix or extra whitespace). */
    boolean decodeStripsLeadingSpace() {
        return addDummyPrefix || removeExtraWhitespaces;
    }

    boolean removeExtraWhitespaces() {
        return removeExtraWhitespaces;
    }

    private int check(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + pieces.length + ")");
        }
        return id;
    }

    /** sentencepiece's PieceToId: reserved pieces first, then the others, else the unknown id. */
    private int pieceToId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = mergeable.get(piece);
        }
        return id != null ? id : unkId;
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
                encodeInto(text.substring(start, i), out);
            }
            out.add(specialIds[k]);
            i += specialStrings[k].length();
            start = i;
        }
        if (start < text.length()) {
            encodeInto(text.substring(start), out);
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
        encodeInto(text, out);
        return out.toArray();
    }

    /** The normalized text: sentencepiece's Normalizer with no character map (see the class comment). */
    String normalize(String text) {
        int n = text.length();
        int i = 0;
        if (removeExtraWhitespaces) {
            while (i < n && text.charAt(i) == ' ') {
                i++;
            }
        }
        if (i == n) {
            return "";
        }
        char space = escapeWhitespaces ? SPACE_SYMBOL : ' ';
        StringBuilder out = new StringBuilder(n + 1);
        if (addDummyPrefix) {
            out.append(space);
        }
        boolean previousWasSpace = removeExtraWhitespaces;
        while (i < n) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == ' ') {
                if (!previousWasSpace) {
                    out.append(space);
                }
                previousWasSpace = removeExtraWhitespaces;
            } else {
                if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
                    cp = 0xFFFD; // a lone surrogate: no UTF-8 form, read as malformed input
                }
                out.appendCodePoint(cp);
                previousWasSpace = false;
            }
        }
        if (removeExtraWhitespaces) {
            int end = out.length();
            while (end > 0 && out.charAt(end - 1) == space) {
                end--;
            }
            out.setLength(end);
        }
        return out.toString();
    }

    /** A candidate merge of symbols left and right, whose concatenation is {@code length} chars long. */
    private record Candidate(float score, int left, int right, int length) {}

    /**
     * Highest score first, then leftmost. Scores compare as {@link Float#compare} does, -0.0 below 0.0: that is what
     * sentencepiece 0.2 does (tested: pieces scored -0.0 and 0.0 side by side, the 0.0 one merges first wherever it
     * is), and stories260K's first merge "▁t" is scored -0.0.
     */
    private static final Comparator<Candidate> BEST_FIRST = (a, b) -> {
        int byScore = Float.compare(b.score, a.score);
        return byScore != 0 ? byScore : Integer.compare(a.left, b.left);
    };

    /** The BPE state of one encode call: symbols are ranges of the normalized text in a doubly linked list. */
    private final class Merger {
        final String text;
        final int[] start;
        final int[] length; // 0 once merged into the symbol on its left
        final int[] prev;
        final int[] next;
        final boolean[] frozen;
        final PriorityQueue<Candidate> agenda = new PriorityQueue<>(BEST_FIRST);
        /** For UNUSED pieces formed by a merge: the two pieces they were formed from (last seen wins). */
        final Map<String, String[]> unmerge = new HashMap<>();

        Merger(String text) {
            this.text = text;
            int capacity = text.length();
            start = new int[capacity];
            length = new int[capacity];
            prev = new int[capacity];
            next = new int[capacity];
            frozen = new boolean[capacity];
            int count = 0;
            for (int i = 0; i < text.length(); ) {
                int len = userDefined == null ? 0 : userDefined.match(text, i);
                frozen[count] = len > 0;
                if (len == 0) {
                    len = Character.charCount(text.codePointAt(i));
                }
                start[count] = i;
                length[count] = len;
                prev[count] = count - 1;
                next[count] = count + 1;
                count++;
                i += len;
            }
            next[count - 1] = -1;
            for (int s = 1; s < count; s++) {
                propose(s - 1, s);
            }
        }

        /** Queues the merge of symbols left and right if their concatenation is a piece. */
        void propose(int left, int right) {
            if (left < 0 || right < 0 || frozen[left] || frozen[right]) {
                return;
            }
            int len = length[left] + length[right];
            String merged = text.substring(start[left], start[left] + len);
            Integer id = mergeable.get(merged);
            if (id == null) {
                return;
            }
            agenda.add(new Candidate(scores[id], left, right, len));
            if (types[id] == UNUSED) {
                unmerge.put(merged, new String[] {
                    text.substring(start[left], start[left] + length[left]),
                    text.substring(start[right], start[right] + length[right])
                });
            }
        }

        void run() {
            Candidate top;
            while ((top = agenda.poll()) != null) {
                int l = top.left;
                int r = top.right;
                // Stale: one side was merged away, or grew since this candidate was queued.
                if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != top.length) {
                    continue;
                }
                length[l] += length[r];
                length[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                propose(prev[l], l);
                propose(l, next[l]);
            }
        }

        /** The final pieces in order, UNUSED ones split back into what they were merged from. */
        void emit(List<String> out) {
            for (int s = 0; s >= 0; s = next[s]) {
                resegment(text.substring(start[s], start[s] + length[s]), out);
            }
        }

        private void resegment(String piece, List<String> out) {
            int id = pieceToId(piece);
            if (types[id] == UNUSED) {
                String[] parts = unmerge.get(piece);
                if (parts != null) {
                    resegment(parts[0], out);
                    resegment(parts[1], out);
                    return;
                }
            }
            out.add(piece);
        }
    }

    private void encodeInto(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = normalize(text);
        if (normalized.isEmpty()) {
            return;
        }
        Merger merger = new Merger(normalized);
        merger.run();
        List<String> result = new ArrayList<>();
        merger.emit(result);
        boolean previousUnknown = false;
        for (String piece : result) {
            int id = pieceToId(piece);
            boolean unknown = types[id] == UNKNOWN;
            if (unknown && byteFallback) {
                for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                    out.add(byteIds[b & 0xFF]);
                }
            } else if (!(unknown && previousUnknown)) { // a run of unknown symbols is one unknown piece
                out.add(id);
            }
            previousUnknown = unknown;
        }
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
        return new TokenPrinter(this, true);
    }

    /**
     * A streaming decoder for ids that continue a text already shown (a raw prompt echoed before its
     * continuation): with {@code atStartOfText} false the first piece keeps its leading space.
     */
    public TokenPrinter printer(boolean atStartOfText) {
        return new TokenPrinter(this, atStartOfText);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** Longest-match lookup of USER_DEFINED pieces, bucketed by first char. */
    private static final class UserDefinedMatcher {
        private final Map<Character, String[]> byFirst = new HashMap<>();

        UserDefinedMatcher(List<String> pieces) {
            Map<Character, List<String>> lists = new HashMap<>();
            for (String p : pieces) {
                lists.computeIfAbsent(p.charAt(0), c -> new ArrayList<>()).add(p);
            }
            for (Map.Entry<Character, List<String>> e : lists.entrySet()) {
                String[] sorted = e.getValue().toArray(new String[0]);
                Arrays.sort(sorted, Comparator.comparingInt(String::length).reversed());
                byFirst.put(e.getKey(), sorted);
            }
        }

        /** Length in chars of the longest USER_DEFINED piece at text[i...], or 0. */
        int match(String text, int i) {
            String[] candidates = byFirst.get(text.charAt(i));
            if (candidates != null) {
                for (String c : candidates) {
                    if (text.startsWith(c, i)) {
                        return c.length();
                    }
                }
            }
            return 0;
        }
    }

    /** A growable int array. */
    private static final class IntList {
        private int[] a;
        private int size;

        IntList(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
