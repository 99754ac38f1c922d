package videollama.model.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * What a {@code tokenizer.model} file says (the fields of sentencepiece's {@code ModelProto} this package uses),
 * before it is checked; {@link SentencePieceModel} checks it. Fields the file leaves out keep the defaults of
 * {@code sentencepiece_model.proto}, and fields this package does not know are skipped.
 */
final class ModelProto {
    static final int MODEL_TYPE_UNIGRAM = 1;
    static final int MODEL_TYPE_BPE = 2;
    static final String[] MODEL_TYPE_NAMES = {"?", "UNIGRAM", "BPE", "WORD", "CHAR"};

    // ModelProto.pieces, one entry per SentencePiece
    final List<String> pieces = new ArrayList<>();
    final List<Float> scores = new ArrayList<>();
    final List<Integer> types = new ArrayList<>();
    // TrainerSpec
    int modelType = MODEL_TYPE_UNIGRAM;
    boolean byteFallback = false;
    boolean treatWhitespaceAsSuffix = false;
    int trainerUnkId = 0;
    int bosId = 1;
    int eosId = 2;
    int padId = -1;
    String unkSurface = " \u2047 ";
    // NormalizerSpec
    String normalizerName = "";
    int precompiledCharsmapLength = 0;
    boolean addDummyPrefix = true;
    boolean removeExtraWhitespaces = true;
    boolean escapeWhitespaces = true;

    private ModelProto() {}

    /**
     * Reads a serialized {@code ModelProto}.
     *
     * @throws ProtoReader.Malformed when the bytes are not well-formed protocol buffers or a known field has the
     *     wrong wire type
     */
    static ModelProto parse(byte[] bytes) {
        ModelProto p = new ModelProto();
        ProtoReader r = new ProtoReader(bytes);
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> readPiece(r.message(tag, "ModelProto.pieces"), p);
                case 2 -> readTrainerSpec(r.message(tag, "ModelProto.trainer_spec"), p);
                case 3 -> readNormalizerSpec(r.message(tag, "ModelProto.normalizer_spec"), p);
                default -> r.skip(tag);
            }
        }
        return p;
    }

    private static void readPiece(ProtoReader r, ModelProto p) {
        String piece = "";
        float score = 0f;
        int type = SentencePieceModel.PieceType.NORMAL.number();
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> piece = r.string(tag, "SentencePiece.piece", "piece " + p.pieces.size());
                case 2 -> score = r.float32(tag, "SentencePiece.score");
                case 3 -> type = r.int32(tag, "SentencePiece.type");
                default -> r.skip(tag);
            }
        }
        p.pieces.add(piece);
        p.scores.add(score);
        p.types.add(type);
    }

    private static void readTrainerSpec(ProtoReader r, ModelProto p) {
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 3 -> p.modelType = r.int32(tag, "TrainerSpec.model_type");
                case 24 -> p.treatWhitespaceAsSuffix = r.bool(tag, "TrainerSpec.treat_whitespace_as_suffix");
                case 35 -> p.byteFallback = r.bool(tag, "TrainerSpec.byte_fallback");
                case 40 -> p.trainerUnkId = r.int32(tag, "TrainerSpec.unk_id");
                case 41 -> p.bosId = r.int32(tag, "TrainerSpec.bos_id");
                case 42 -> p.eosId = r.int32(tag, "TrainerSpec.eos_id");
                case 43 -> p.padId = r.int32(tag, "TrainerSpec.pad_id");
                case 44 -> p.unkSurface = r.string(tag, "TrainerSpec.unk_surface", "TrainerSpec.unk_surface");
                default -> r.skip(tag);
            }
        }
    }

    private static void readNormalizerSpec(ProtoReader r, ModelProto p) {
        while (!r.atEnd()) {
            int tag = r.readTag();
            switch (ProtoReader.fieldNumber(tag)) {
                case 1 -> p.normalizerName = r.string(tag, "NormalizerSpec.name", "NormalizerSpec.name");
                case 2 -> p.precompiledCharsmapLength = r.bytes(tag, "NormalizerSpec.precompiled_charsmap").length;
                case 3 -> p.addDummyPrefix = r.bool(tag, "NormalizerSpec.add_dummy_prefix");
                case 4 -> p.removeExtraWhitespaces = r.bool(tag, "NormalizerSpec.remove_extra_whitespaces");
                case 5 -> p.escapeWhitespaces = r.bool(tag, "NormalizerSpec.escape_whitespaces");
                default -> r.skip(tag);
            }
        }
    }
}
