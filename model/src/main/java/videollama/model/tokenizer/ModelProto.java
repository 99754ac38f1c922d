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

    private static void readPiece(ProtoReader r, ModelProto p) {
        String piece = "";
        float score = 0f;
        int type = SentencePieceModel.NORMAL;
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

    private static void readTrainerSpec(ProtoReader r, ModelProto p) {
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

    private static void readNormalizerSpec(ProtoReader r, ModelProto p) {
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
}
