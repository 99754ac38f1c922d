package videollama.model.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import videollama.model.ModelException;
import videollama.weights.SmallFile;

/**
 * A {@code tokenizer.model} file, checked: the pieces with their scores and types, the special ids and the
 * normalizer flags, plus the lookups the encoder needs. Built by {@link #read}, which accepts only what
 * {@link BpeEncoder} can encode exactly as sentencepiece does. Immutable.
 *
 * <p>The accessors that take a token id throw {@link IllegalArgumentException} for an id outside the vocabulary.
 */
final class SentencePieceModel {
    /** {@code SentencePiece.Type}, in the order of its numbers in {@code sentencepiece_model.proto} (1 to 6). */
    enum PieceType {
        NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

        /** The number the proto gives this type. */
        int number() {
            return ordinal() + 1;
        }
    }

    /** "▁", the symbol that stands for a space in pieces. */
    static final char SPACE_SYMBOL = '\u2581';

    private final String[] pieces;
    private final float[] scores;
    private final PieceType[] types;
    /** Piece to id for the pieces BPE may produce by merging: NORMAL, USER_DEFINED, UNUSED. */
    private final Map<String, Integer> mergeable;
    /** Piece to id for UNKNOWN, CONTROL and BYTE pieces; looked up first, as sentencepiece does. */
    private final Map<String, Integer> reserved;
    /** For each byte value the id of its {@code <0xXX>} piece. */
    private final int[] byteIds;
    /** For each id, the byte of a BYTE piece, else -1. */
    private final int[] byteValues;
    /** The USER_DEFINED pieces, in id order. */
    private final List<String> userDefined;

    private final int unkId;
    private final int bosId;
    private final int eosId;
    private final String unkSurface;
    private final boolean byteFallback;
    private final boolean addDummyPrefix;
    private final boolean removeExtraWhitespaces;
    private final boolean escapeWhitespaces;

    /**
     * Reads and checks a {@code tokenizer.model}.
     *
     * @throws ModelException naming the file when it is missing, unreadable, not a well-formed sentencepiece model, or
     *     a model this package cannot encode exactly (not BPE, a non-identity normalizer, whitespace as suffix)
     */
    static SentencePieceModel read(Path file) {
        if (!Files.exists(file)) {
            throw new ModelException(file + ": tokenizer.model not found");
        }
        byte[] bytes = SmallFile.read(file, SmallFile.TOKENIZER_BYTES, "a tokenizer.model");
        ModelProto proto;
        try {
            proto = ModelProto.parse(bytes);
        } catch (ProtoReader.Malformed e) {
            throw new ModelException(file + ": not a valid sentencepiece model: " + e.getMessage());
        }
        return new SentencePieceModel(file, proto);
    }

    /** The problem on one line: a quoted piece may hold any character, line breaks are shown escaped. */
    private static ModelException invalid(Path file, String problem) {
        return new ModelException(file + ": " + problem.replace("\r", "\\r").replace("\n", "\\n"));
    }

    /** Checks what sentencepiece checks when it loads a model, plus what this package supports. */
    private SentencePieceModel(Path file, ModelProto p) {
        int n = p.pieces.size();
        if (n == 0) {
            throw invalid(file, "not a sentencepiece model: no pieces");
        }
        if (p.modelType != ModelProto.MODEL_TYPE_BPE) {
            String name = p.modelType >= 0 && p.modelType < ModelProto.MODEL_TYPE_NAMES.length
                    ? ModelProto.MODEL_TYPE_NAMES[p.modelType] : Integer.toString(p.modelType);
            throw invalid(file, "not a BPE sentencepiece model (model_type " + name
                    + "); only BPE models (LLaMA's) are supported");
        }
        if (p.precompiledCharsmapLength != 0) {
            throw invalid(file, "normalizer '" + p.normalizerName + "' is not supported (only the identity"
                    + " normalization of LLaMA, with an empty precompiled_charsmap)");
        }
        if (p.treatWhitespaceAsSuffix) {
            throw invalid(file, "treat_whitespace_as_suffix is not supported");
        }
        this.pieces = p.pieces.toArray(new String[0]);
        this.scores = new float[n];
        this.types = new PieceType[n];
        this.mergeable = new HashMap<>();
        this.reserved = new HashMap<>();
        this.byteIds = new int[256];
        this.byteValues = new int[n];
        Arrays.fill(byteValues, -1);
        List<String> userDefinedPieces = new ArrayList<>();
        int unk = -1;
        int byteCount = 0;
        for (int i = 0; i < n; i++) {
            String piece = pieces[i];
            int number = p.types.get(i);
            if (piece.isEmpty()) {
                throw invalid(file, "piece " + i + " is empty");
            }
            if (number < PieceType.NORMAL.number() || number > PieceType.BYTE.number()) {
                throw invalid(file, "piece " + i + " ('" + piece + "') has unknown type " + number);
            }
            PieceType type = PieceType.values()[number - 1];
            Integer earlier = mergeable.getOrDefault(piece, reserved.get(piece));
            if (earlier != null) {
                throw invalid(file, "piece '" + piece + "' is defined twice (ids " + earlier + " and " + i + ")");
            }
            scores[i] = p.scores.get(i);
            types[i] = type;
            boolean normal = type == PieceType.NORMAL || type == PieceType.USER_DEFINED || type == PieceType.UNUSED;
            (normal ? mergeable : reserved).put(piece, i);
            if (type == PieceType.USER_DEFINED) {
                userDefinedPieces.add(piece);
            } else if (type == PieceType.UNKNOWN) {
                if (unk >= 0) {
                    throw invalid(file, "two unknown pieces (ids " + unk + " and " + i + ")");
                }
                unk = i;
            } else if (type == PieceType.BYTE) {
                if (!p.byteFallback) {
                    throw invalid(file, "byte piece '" + piece + "' (id " + i + ") although byte_fallback is false");
                }
                int b = parseBytePiece(piece);
                if (b < 0) {
                    throw invalid(file, "byte piece " + i + " ('" + piece + "') is not of the form <0xXX>");
                }
                byteValues[i] = b;
                byteIds[b] = i;
                byteCount++;
            }
        }
        if (unk < 0) {
            throw invalid(file, "no unknown piece (sentencepiece needs one)");
        }
        if (p.byteFallback && byteCount != 256) {
            throw invalid(file, "byte_fallback is set but there are " + byteCount + " byte pieces, not 256");
        }
        if (p.bosId < -1 || p.bosId >= n || p.eosId < -1 || p.eosId >= n) {
            throw invalid(file, "bos_id " + p.bosId + " / eos_id " + p.eosId + " is outside the " + n + " pieces");
        }
        this.userDefined = List.copyOf(userDefinedPieces);
        this.unkId = unk;
        this.bosId = p.bosId;
        this.eosId = p.eosId;
        this.unkSurface = p.unkSurface;
        this.byteFallback = p.byteFallback;
        this.addDummyPrefix = p.addDummyPrefix;
        this.removeExtraWhitespaces = p.removeExtraWhitespaces;
        this.escapeWhitespaces = p.escapeWhitespaces;
    }

    /** The byte of a {@code <0xXX>} piece (two upper-case hex digits, as sentencepiece writes them), or -1. */
    private static int parseBytePiece(String piece) {
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

    // ---------------------------------------------------------------------------------------------------------
    // The pieces

    int vocabSize() {
        return pieces.length;
    }

    String piece(int id) {
        return pieces[check(id)];
    }

    float score(int id) {
        return scores[check(id)];
    }

    /** The piece's type. */
    PieceType type(int id) {
        return types[check(id)];
    }

    /** The byte a BYTE piece stands for, -1 for other pieces. */
    int byteValue(int id) {
        return byteValues[check(id)];
    }

    /** The id of the {@code <0xXX>} piece of byte value {@code b} (0 to 255); meaningful with byte fallback only. */
    int byteId(int b) {
        return byteIds[b];
    }

    /** The id of a piece BPE may produce by merging (NORMAL, USER_DEFINED, UNUSED), or -1. */
    int mergeableId(String piece) {
        Integer id = mergeable.get(piece);
        return id != null ? id : -1;
    }

    /** sentencepiece's PieceToId: reserved pieces first, then the others, else the unknown id. */
    int pieceToId(String piece) {
        Integer id = reserved.get(piece);
        if (id == null) {
            id = mergeable.get(piece);
        }
        return id != null ? id : unkId;
    }

    /** The USER_DEFINED pieces, in id order. */
    List<String> userDefinedPieces() {
        return userDefined;
    }

    private int check(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + pieces.length + ")");
        }
        return id;
    }

    // ---------------------------------------------------------------------------------------------------------
    // TrainerSpec and NormalizerSpec

    /** {@code TrainerSpec.bos_id}, -1 if the model has none. */
    int bosId() {
        return bosId;
    }

    /** {@code TrainerSpec.eos_id}, -1 if the model has none. */
    int eosId() {
        return eosId;
    }

    /** The id of the UNKNOWN piece. */
    int unkId() {
        return unkId;
    }

    /** What decoding shows for the unknown piece ({@code TrainerSpec.unk_surface}, " ⁇ " by default). */
    String unkSurface() {
        return unkSurface;
    }

    boolean byteFallback() {
        return byteFallback;
    }

    boolean addDummyPrefix() {
        return addDummyPrefix;
    }

    boolean removeExtraWhitespaces() {
        return removeExtraWhitespaces;
    }

    boolean escapeWhitespaces() {
        return escapeWhitespaces;
    }
}
