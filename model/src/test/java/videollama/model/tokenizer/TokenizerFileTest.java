package videollama.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.model.ModelException;

/** Files that are not usable tokenizer.model files give a one-line ModelException naming the file. */
class TokenizerFileTest {
    @TempDir
    Path dir;

    private ModelException rejected(byte[] content) throws IOException {
        Path file = dir.resolve("tokenizer.model");
        Files.write(file, content);
        ModelException e = assertThrows(ModelException.class, () -> SentencePieceTokenizer.load(file));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private SentencePieceTokenizer accepted(byte[] content) throws IOException {
        Path file = dir.resolve("ok.model");
        Files.write(file, content);
        return SentencePieceTokenizer.load(file);
    }

    private static ProtoWriter abPieces() {
        return Crafted.pieces("\u2581", 0f, 1, "a", 0f, 1, "b", 0f, 1, "ab", -1f, 1);
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nowhere/tokenizer.model");
        ModelException e = assertThrows(ModelException.class, () -> SentencePieceTokenizer.load(file));
        assertEquals(file + ": tokenizer.model not found", e.getMessage());
    }

    @Test
    void notAProtobuf() throws IOException {
        rejected("This is a text file, not a tokenizer.\n".getBytes(StandardCharsets.UTF_8));
        rejected("{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}".getBytes(StandardCharsets.UTF_8));
        rejected(new byte[0]);
        rejected(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF});
        rejected(new byte[] {0x0F}); // wire type 7
        rejected(new byte[] {0x00, 0x00}); // field number 0
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] whole = Files.readAllBytes(ReferenceData.llamaModel());
        for (int cut : new int[] {1, 2, 3, 10, 100, 1000, 123_457, 250_000, 499_000, whole.length - 1}) {
            ModelException e = rejected(Arrays.copyOf(whole, cut));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("not"), e.getMessage());
        }
        byte[] stories = Files.readAllBytes(ReferenceData.storiesModel());
        for (int cut = 1; cut < stories.length; cut += 37) {
            rejected(Arrays.copyOf(stories, cut));
        }
    }

    @Test
    void aTruncatedLengthPrefixNamesTheProblem() throws IOException {
        byte[] whole = Files.readAllBytes(ReferenceData.llamaModel());
        String m = rejected(Arrays.copyOf(whole, 5000)).getMessage();
        assertTrue(m.contains("not a valid sentencepiece model") && m.contains("truncated"), m);
    }

    @Test
    void unigramAndOtherUnsupportedModels() throws IOException {
        String m = rejected(Crafted.model(Crafted.specials(), abPieces(), Crafted.trainer(1, false))).getMessage();
        assertTrue(m.contains("not a BPE") && m.contains("UNIGRAM"), m);
        // no trainer spec at all: model_type defaults to UNIGRAM
        rejected(Crafted.model(Crafted.specials(), abPieces()));
        ProtoWriter nfkc = new ProtoWriter().messageField(3, new ProtoWriter().stringField(1, "nmt_nfkc")
                .bytesField(2, new byte[] {1, 2, 3, 4}));
        m = rejected(Crafted.model(Crafted.specials(), abPieces(), Crafted.bpe(false), nfkc)).getMessage();
        assertTrue(m.contains("nmt_nfkc"), m);
        ProtoWriter suffix = new ProtoWriter().messageField(2, new ProtoWriter().varintField(3, 2).varintField(24, 1));
        rejected(Crafted.model(Crafted.specials(), abPieces(), suffix));
    }

    @Test
    void vocabulariesSentencePieceWouldRefuse() throws IOException {
        // no unknown piece
        rejected(Crafted.model(Crafted.pieces("<s>", 0f, 3, "a", 0f, 1), Crafted.bpe(false)));
        // two unknown pieces
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("<unk2>", 0f, 2), Crafted.bpe(false)));
        // a piece twice
        rejected(Crafted.model(Crafted.specials(), abPieces(), Crafted.pieces("ab", -2f, 1), Crafted.bpe(false)));
        // an empty piece
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("", 0f, 1), Crafted.bpe(false)));
        // an unknown type
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("x", 0f, 9), Crafted.bpe(false)));
        // a byte piece without byte_fallback
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("<0x41>", 0f, 6), Crafted.bpe(false)));
        // byte_fallback without the 256 byte pieces
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("<0x41>", 0f, 6), Crafted.bpe(true)));
        // a malformed byte piece
        rejected(Crafted.model(Crafted.specials(), Crafted.pieces("<0xG1>", 0f, 6), Crafted.bpe(true)));
        // a field with the wrong wire type (score as a varint)
        rejected(Crafted.model(Crafted.specials(), new ProtoWriter().messageField(1,
                new ProtoWriter().stringField(1, "x").varintField(2, 5)), Crafted.bpe(false)));
        // a piece that is not UTF-8
        rejected(Crafted.model(Crafted.specials(), new ProtoWriter().messageField(1,
                new ProtoWriter().bytesField(1, new byte[] {(byte) 0xC3})), Crafted.bpe(false)));
        // bos_id outside the vocabulary
        rejected(Crafted.model(Crafted.specials(), abPieces(),
                new ProtoWriter().messageField(2, new ProtoWriter().varintField(3, 2).varintField(41, 99))));
    }

    @Test
    void unknownFieldsAreSkipped() throws IOException {
        ProtoWriter extras = new ProtoWriter()
                .varintField(100, 12345)
                .fixed64Field(101, 0x0102030405060708L)
                .floatField(102, 1.5f)
                .bytesField(103, new byte[] {1, 2, 3})
                .tag(104, 3).varintField(1, 7).bytesField(2, new byte[] {9}).tag(104, 4) // a group
                .messageField(4, new ProtoWriter().stringField(1, "self test data")) // ModelProto.self_test_data
                .messageField(5, new ProtoWriter().stringField(1, "identity")); // denormalizer_spec
        ProtoWriter trainer = new ProtoWriter().messageField(2, new ProtoWriter().stringField(1, "input.txt")
                .varintField(3, 2).floatField(10, 0.9995f).varintField(4, 7).varintField(43, -1L)
                .stringField(44, " ?? ").stringField(46, "<s>"));
        SentencePieceTokenizer t = accepted(Crafted.model(extras, Crafted.specials(), abPieces(), trainer,
                Crafted.normalizer(true, false, true), extras));
        assertEquals(7, t.vocabSize());
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals(0, t.unkId());
        assertEquals(" ?? ", t.decode(new int[] {0}));
        assertEquals(-1f, t.score(6));
        assertEquals(java.util.List.of(3, 6), java.util.Arrays.stream(t.encodeSentencePiece("ab")).boxed().toList());
        // a piece with no type field is NORMAL, with no score 0
        SentencePieceTokenizer u = accepted(Crafted.model(Crafted.specials(), new ProtoWriter().messageField(1,
                new ProtoWriter().stringField(1, "z")), Crafted.bpe(false)));
        assertEquals(0f, u.score(3));
        assertFalse(u.isControl(3) || u.isByte(3) || u.isUnknown(3));
    }

    @Test
    void theDefaultsOfTheProtoApplyToMissingFields() throws IOException {
        // No NormalizerSpec: add_dummy_prefix, remove_extra_whitespaces and escape_whitespaces default to true.
        SentencePieceTokenizer t = accepted(Crafted.model(Crafted.specials(), abPieces(),
                new ProtoWriter().messageField(2, new ProtoWriter().varintField(3, 2))));
        assertEquals("\u2581a\u2581b", t.normalize("  a   b "));
        assertEquals(1, t.bosId());
        assertEquals(2, t.eosId());
        assertEquals(" \u2047 ", t.decode(new int[] {0}));
    }
}
