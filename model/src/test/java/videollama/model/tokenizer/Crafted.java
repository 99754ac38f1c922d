package videollama.model.tokenizer;

/** Hand-made tokenizer.model files (sentencepiece ModelProto) for the tests. */
final class Crafted {
    private Crafted() {}

    /** Pieces from triples (piece, score, type): ModelProto field 1, repeated. */
    static ProtoWriter pieces(Object... triples) {
        ProtoWriter w = new ProtoWriter();
        for (int i = 0; i < triples.length; i += 3) {
            w.messageField(1, ProtoWriter.piece((String) triples[i], (Float) triples[i + 1], (Integer) triples[i + 2]));
        }
        return w;
    }

    /** A TrainerSpec (ModelProto field 2) saying BPE. */
    static ProtoWriter bpe(boolean byteFallback) {
        return trainer(2, byteFallback);
    }

    static ProtoWriter trainer(int modelType, boolean byteFallback) {
        ProtoWriter spec = new ProtoWriter().varintField(3, modelType).varintField(35, byteFallback ? 1 : 0)
                .varintField(40, 0).varintField(41, 1).varintField(42, 2).varintField(43, -1L);
        return new ProtoWriter().messageField(2, spec);
    }

    /** A NormalizerSpec (ModelProto field 3) named identity. */
    static ProtoWriter normalizer(boolean addDummyPrefix, boolean removeExtraWhitespaces, boolean escapeWhitespaces) {
        ProtoWriter spec = new ProtoWriter().stringField(1, "identity").varintField(3, addDummyPrefix ? 1 : 0)
                .varintField(4, removeExtraWhitespaces ? 1 : 0).varintField(5, escapeWhitespaces ? 1 : 0);
        return new ProtoWriter().messageField(3, spec);
    }

    /** The parts one after the other (a message is the concatenation of its fields). */
    static byte[] model(ProtoWriter... parts) {
        ProtoWriter w = new ProtoWriter();
        for (ProtoWriter p : parts) {
            w.raw(p.toByteArray());
        }
        return w.toByteArray();
    }

    /** The three special pieces LLaMA starts with. */
    static ProtoWriter specials() {
        return pieces("<unk>", 0f, 2, "<s>", 0f, 3, "</s>", 0f, 3);
    }
}
