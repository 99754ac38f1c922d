package videollama.loader.audio.aac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Huffman codebooks of huffman-codebooks.txt (ISO/IEC 14496-3 Annex 4.A): each a complete prefix code that
 * lists every index once, and the decoder reads back every codeword it lists.
 */
class CodebooksTest {
    static Stream<String> names() {
        return Codebooks.all().keySet().stream().sorted();
    }

    @Test
    void theStandardsTwelveCodebooksWithTheirSizes() {
        Map<String, Integer> sizes = Map.ofEntries(Map.entry("scalefactor", 121), Map.entry("1", 81),
                Map.entry("2", 81), Map.entry("3", 81), Map.entry("4", 81), Map.entry("5", 81), Map.entry("6", 81),
                Map.entry("7", 64), Map.entry("8", 64), Map.entry("9", 169), Map.entry("10", 169), Map.entry("11", 289));
        assertEquals(sizes.keySet(), Codebooks.all().keySet());
        sizes.forEach((name, size) -> assertEquals(size, Codebooks.all().get(name).codewords().size(), name));
        for (int cb = 1; cb <= 11; cb++) {
            // The index packs dimension values of the codebook's modulus: the table has exactly that many entries.
            assertEquals(BigInteger.valueOf(Codebooks.modulus(cb)).pow(Codebooks.dimension(cb)).intValue(),
                    Codebooks.spectrum(cb).codewords().size(), "codebook " + cb);
        }
    }

    /** Kraft's sum over the codeword lengths is exactly 1 (complete) and every index 0..n-1 appears once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void isACompletePrefixCodeOverItsIndices(String name) {
        Huffman book = Codebooks.all().get(name);
        int longest = book.codewords().stream().mapToInt(Huffman.Codeword::length).max().orElseThrow();
        BigInteger sum = BigInteger.ZERO;
        boolean[] seen = new boolean[book.codewords().size()];
        for (Huffman.Codeword c : book.codewords()) {
            sum = sum.add(BigInteger.ONE.shiftLeft(longest - c.length()));
            assertTrue(!seen[c.index()], name + ": index " + c.index() + " twice");
            seen[c.index()] = true;
        }
        assertEquals(BigInteger.ONE.shiftLeft(longest), sum, name + ": Kraft sum times 2^" + longest);
    }

    /** Each codeword, followed by other bits, decodes to its index and consumes exactly its length. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void decodesEveryCodewordItLists(String name) {
        Huffman book = Codebooks.all().get(name);
        for (Huffman.Codeword c : book.codewords()) {
            for (long tail : new long[] {0, -1L, 0x5a5a5a5a5a5a5a5aL}) {
                long bits = (long) c.code() << (64 - c.length()) | (tail >>> c.length());
                byte[] data = new byte[8];
                for (int i = 0; i < 8; i++) {
                    data[i] = (byte) (bits >>> (56 - 8 * i));
                }
                BitReader reader = new BitReader(data, 0, data.length);
                assertEquals(c.index(), book.decode(reader), name + " codeword " + c);
                assertEquals(c.length(), reader.position(), name + " length of " + c);
            }
        }
    }

    @Test
    void aCodewordCutOffByTheEndOfThePacketIsCorrupt() {
        // Scalefactor index 0 is 18 bits long; two bytes hold only 16 of them.
        BitReader reader = new BitReader(new byte[] {(byte) 0xff, (byte) 0xfa}, 0, 2);
        AacException e = assertThrows(AacException.class, () -> Codebooks.scalefactor().decode(reader));
        assertEquals(AacException.Kind.CORRUPT, e.kind());
    }
}
