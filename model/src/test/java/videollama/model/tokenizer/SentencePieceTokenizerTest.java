package videollama.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SentencePieceTokenizerTest {
    private static final SentencePieceTokenizer LLAMA = SentencePieceTokenizer.load(ReferenceData.llamaModel());
    private static final SentencePieceTokenizer STORIES = SentencePieceTokenizer.load(ReferenceData.storiesModel());

    @TempDir
    Path dir;

    private static int[] concat(int[]... parts) {
        return IntStream.range(0, parts.length).flatMap(i -> IntStream.of(parts[i])).toArray();
    }

    @Test
    void theLlamaVocabulary() {
        assertEquals(32000, LLAMA.vocabSize());
        assertEquals(1, LLAMA.bosId());
        assertEquals(2, LLAMA.eosId());
        assertEquals(0, LLAMA.unkId());
        assertEquals("<unk>", LLAMA.piece(0));
        assertEquals("<s>", LLAMA.piece(1));
        assertEquals("</s>", LLAMA.piece(2));
        assertEquals("<0x00>", LLAMA.piece(3));
        assertEquals("<0xFF>", LLAMA.piece(258));
        assertEquals("\u2581", LLAMA.piece(29871));
        assertEquals("\u2581Hello", LLAMA.piece(15043));
        assertEquals(-14784.0f, LLAMA.score(15043));
        assertEquals(-1e9f, LLAMA.score(29871));
        assertTrue(LLAMA.isUnknown(0));
        assertFalse(LLAMA.isControl(0));
        assertTrue(LLAMA.isControl(1));
        assertTrue(LLAMA.isControl(2));
        assertTrue(LLAMA.isByte(3));
        assertTrue(LLAMA.isByte(258));
        assertFalse(LLAMA.isByte(259));
        assertFalse(LLAMA.isControl(15043) || LLAMA.isByte(15043) || LLAMA.isUnknown(15043));
        assertThrows(IllegalArgumentException.class, () -> LLAMA.piece(32000));
        assertThrows(IllegalArgumentException.class, () -> LLAMA.isByte(-1));
        assertThrows(IllegalArgumentException.class, () -> LLAMA.decode(new int[] {15043, 32000}));

        assertEquals(512, STORIES.vocabSize());
        assertEquals(1, STORIES.bosId());
        assertEquals(2, STORIES.eosId());
        assertEquals(0, STORIES.unkId());
    }

    @Test
    void basicEncoding() {
        assertArrayEquals(new int[] {}, LLAMA.encode(""));
        assertArrayEquals(new int[] {}, LLAMA.encodeSentencePiece(""));
        assertArrayEquals(new int[] {15043, 3186}, LLAMA.encode("Hello world"));
        assertArrayEquals(new int[] {29871, 15043, 3186}, LLAMA.encode(" Hello world"));
        assertArrayEquals(new int[] {259}, LLAMA.encode(" "));
        assertArrayEquals(new int[] {259}, LLAMA.encode("\u2581")); // the dummy prefix and the text's own "▁"
        assertArrayEquals(new int[] {29871, 13}, LLAMA.encode("\n"));
        assertEquals("Hello world", LLAMA.decode(new int[] {1, 15043, 3186, 2}));
    }

    @Test
    void specialTokensAreSplitOutAsTheSlowHfTokenizerDoes() {
        String a = "[INST] hi [/INST] ok ";
        String b = "[INST] q [/INST]";
        assertArrayEquals(concat(LLAMA.encodeSentencePiece(a), new int[] {2, 1}, LLAMA.encodeSentencePiece(b)),
                LLAMA.encode(a + "</s><s>" + b));
        // whitespace around the special tokens stays with the chunks (lstrip = rstrip = False)
        assertArrayEquals(concat(LLAMA.encodeSentencePiece("x "), new int[] {2}, LLAMA.encodeSentencePiece(" y")),
                LLAMA.encode("x </s> y"));
        assertArrayEquals(new int[] {1, 2, 0}, LLAMA.encode("<s></s><unk>"));
        // encodeSentencePiece sees them as plain text: "<", "s", ">"
        assertArrayEquals(new int[] {529, 29879, 29958}, LLAMA.encodeSentencePiece("<s>"));
        assertArrayEquals(new int[] {529, 2960, 29958}, LLAMA.encodeSentencePiece("<unk>"));
        // leftmost match: in "<</s>" the "</s>" starts at 1
        assertArrayEquals(concat(LLAMA.encodeSentencePiece("<"), new int[] {2}), LLAMA.encode("<</s>"));
        // no special token: the same as SentencePiece
        String prompt = "###Human: <Video>";
        assertArrayEquals(LLAMA.encodeSentencePiece(prompt), LLAMA.encode(prompt));
    }

    @Test
    void aLoneSurrogateReadsAsTheReplacementCharacter() {
        assertArrayEquals(LLAMA.encodeSentencePiece("a\uFFFDb"), LLAMA.encodeSentencePiece("a\uD800b"));
        assertArrayEquals(LLAMA.encodeSentencePiece("a\uFFFD"), LLAMA.encodeSentencePiece("a\uDC00"));
        assertArrayEquals(STORIES.encodeSentencePiece("\uFFFD\uFFFDx"), STORIES.encodeSentencePiece("\uDC00\uD800x"));
        // a proper pair is one character
        assertArrayEquals(LLAMA.encodeSentencePiece("\uD83D\uDE00"), LLAMA.encodeSentencePiece("😀"));
    }

    @Test
    void longTextsEncodeInOnePassAndRoundTrip() {
        Random random = new Random(42);
        String alphabet = "abcdefghijklmnopqrstuvwxyz     ABCDEFG0123456789.,;\n\té中文😀";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < 20_000) {
            sb.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
        }
        String mixed = sb.toString();
        for (SentencePieceTokenizer tok : new SentencePieceTokenizer[] {LLAMA, STORIES}) {
            for (String text : new String[] {mixed, "x".repeat(20_000), " ".repeat(20_000), "ab".repeat(10_000)}) {
                int[] ids = tok.encodeSentencePiece(text);
                assertEquals(text, tok.decode(ids));
                assertArrayEquals(ids, tok.encode(text));
            }
        }
        // one piece per chunk of repeated spaces: LLaMA has pieces of up to 16 "▁"
        assertEquals(1 + 20_000 / 16, LLAMA.encodeSentencePiece(" ".repeat(20_000)).length);
    }

    @Test
    void equalScoresMergeLeftmostAndMinusZeroRanksBelowZero() throws IOException {
        // Expected ids checked against sentencepiece 0.2.2. "ab" (-0.0) and "bc" (0.0) in "▁abc": "bc" merges first,
        // although -0.0 == 0.0 as floats. "bd" and "da" (both -1) in "▁bda": the leftmost pair merges.
        Path file = dir.resolve("ties.model");
        Files.write(file, Crafted.model(Crafted.specials(), Crafted.pieces("\u2581", 0f, 1, "a", 0f, 1, "b", 0f, 1,
                "c", 0f, 1, "ab", -0.0f, 1, "bc", 0.0f, 1, "bd", -1f, 1, "cd", -1f, 1, "d", 0f, 1, "da", -1f, 1),
                Crafted.bpe(false), Crafted.normalizer(true, false, true)));
        SentencePieceTokenizer tok = SentencePieceTokenizer.load(file);
        assertArrayEquals(new int[] {3, 4, 8}, tok.encodeSentencePiece("abc"));
        assertArrayEquals(new int[] {3, 8, 11}, tok.encodeSentencePiece("bcd"));
        assertArrayEquals(new int[] {3, 9, 4}, tok.encodeSentencePiece("bda"));
        assertArrayEquals(new int[] {3, 11, 7}, tok.encodeSentencePiece("dab"));
        // without byte fallback a run of unknown characters is one <unk>
        assertArrayEquals(new int[] {3, 0, 3, 0}, tok.encodeSentencePiece("xy zz"));
        assertEquals(" \u2047   \u2047 ", tok.decode(new int[] {3, 0, 3, 0}));
    }

    @Test
    void removeExtraWhitespacesAndTheOtherNormalizerFlags() throws IOException {
        ProtoWriter pieces = Crafted.pieces("\u2581", 0f, 1, "a", 0f, 1, " ", 0f, 1, "\u2581a", -1f, 1, " a", -1f, 1);
        Path rew = dir.resolve("rew.model");
        Files.write(rew, Crafted.model(Crafted.specials(), pieces, Crafted.bpe(false), Crafted.normalizer(true, true, true)));
        SentencePieceTokenizer t = SentencePieceTokenizer.load(rew);
        assertEquals("\u2581a\u2581a", t.normalize("   a    a  "));
        assertEquals("\u2581a", t.normalize("a\u2581\u2581 ")); // trailing "▁" go too, even the text's own
        assertEquals("", t.normalize("   "));
        assertEquals("", t.normalize(" \u2581 "));
        assertEquals("\u2581\t\u2581a", t.normalize(" \t a")); // only ' ' is whitespace
        assertArrayEquals(new int[] {}, t.encodeSentencePiece("    "));
        assertArrayEquals(new int[] {6, 6}, t.encodeSentencePiece("  a a "));
        assertEquals("a", t.decode(new int[] {3, 6})); // "▁" "▁a": every leading "▁" goes

        Path plain = dir.resolve("plain.model");
        Files.write(plain, Crafted.model(Crafted.specials(), pieces, Crafted.bpe(false), Crafted.normalizer(false, false, false)));
        SentencePieceTokenizer p = SentencePieceTokenizer.load(plain);
        assertEquals("  a  ", p.normalize("  a  "));
        assertArrayEquals(new int[] {5, 7}, p.encodeSentencePiece("  a"));
        assertEquals(" a", p.decode(new int[] {6})); // no dummy prefix: nothing is dropped
    }
}
