package videollama.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenPrinterTest {
    private static final SentencePieceTokenizer LLAMA = SentencePieceTokenizer.load(ReferenceData.llamaModel());

    private static int id(String piece) {
        for (int i = 0; i < LLAMA.vocabSize(); i++) {
            if (LLAMA.piece(i).equals(piece)) {
                return i;
            }
        }
        throw new IllegalArgumentException(piece);
    }

    private static List<String> steps(TokenPrinter p, String... pieces) {
        List<String> out = new ArrayList<>();
        for (String piece : pieces) {
            out.add(p.next(id(piece)));
        }
        return out;
    }

    @Test
    void theDummyPrefixOfTheFirstPieceIsDropped() {
        assertEquals(List.of("", "Hello", " world", ""), steps(LLAMA.printer(), "<s>", "\u2581Hello", "\u2581world", "</s>"));
        assertEquals(List.of("Hello", " world"), steps(LLAMA.printer(), "Hello", "\u2581world"));
        assertEquals(List.of("", " Hello"), steps(LLAMA.printer(), "\u2581", "\u2581Hello"));
        assertEquals(List.of(" \u2047 ", " Hello"), steps(LLAMA.printer(), "<unk>", "\u2581Hello"));
        assertEquals(List.of("A", " Hello"), steps(LLAMA.printer(), "<0x41>", "\u2581Hello"));
    }

    @Test
    void multiByteCharactersPrintWhenComplete() {
        TokenPrinter p = LLAMA.printer();
        // 😀 = F0 9F 98 80
        assertEquals(List.of("", "", "", "\uD83D\uDE00", " ok"), steps(p, "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "\u2581ok"));
        assertEquals("", p.flush());
    }

    @Test
    void brokenBytesBecomeReplacementCharacters() {
        // E2 96 cut short by a piece: two U+FFFD, printed with that piece
        assertEquals(List.of("", "", "\uFFFD\uFFFD Hello"), steps(LLAMA.printer(), "<0xE2>", "<0x96>", "\u2581Hello"));
        // E2 then 'A': the E2 is settled at once; a lone continuation byte (96) too
        assertEquals(List.of("", "\uFFFDA", "\uFFFD", ""), stepsAndFlush(LLAMA.printer(), "<0xE2>", "<0x41>", "<0x96>"));
        // a stray continuation byte
        assertEquals(List.of("\uFFFD", "x"), steps(LLAMA.printer(), "<0x80>", "x"));
        // a surrogate encoded in UTF-8 is not valid: one U+FFFD per byte
        assertEquals(List.of("", "", "\uFFFD\uFFFD\uFFFD"), steps(LLAMA.printer(), "<0xED>", "<0xA0>", "<0x80>"));
        // overlong
        assertEquals(List.of("", "\uFFFD\uFFFD"), steps(LLAMA.printer(), "<0xC0>", "<0x80>"));
        // a control token also ends a byte run
        assertEquals(List.of("", "\uFFFD"), steps(LLAMA.printer(), "<0xF0>", "</s>"));
    }

    private static List<String> stepsAndFlush(TokenPrinter p, String... pieces) {
        List<String> out = steps(p, pieces);
        out.add(p.flush());
        return out;
    }

    @Test
    void randomSequencesPrintAsDecodeDoes() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            int n = random.nextInt(12);
            int[] ids = new int[n];
            for (int i = 0; i < n; i++) {
                int r = random.nextInt(10);
                ids[i] = r < 4 ? 3 + random.nextInt(256) : r < 5 ? random.nextInt(3) : random.nextInt(LLAMA.vocabSize());
            }
            assertEquals(LLAMA.decode(ids), ReferenceCasesTest.printAll(LLAMA, ids));
            // printing in two halves through one printer changes nothing either
            TokenPrinter p = LLAMA.printer();
            StringBuilder sb = new StringBuilder();
            for (int id : ids) {
                sb.append(p.next(id));
            }
            assertEquals(LLAMA.decode(ids), sb.append(p.flush()).toString());
        }
    }
}
