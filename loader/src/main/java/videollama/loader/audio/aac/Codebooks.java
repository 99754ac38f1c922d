package videollama.loader.audio.aac;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scalefactor codebook and spectrum codebooks 1 to 11 of ISO/IEC 14496-3 Annex 4.A, read from
 * {@code huffman-codebooks.txt} beside this class (normative data, kept in the standard's own form), and what
 * each spectrum codebook's index means (Table 4.A.1's notes): 4 or 2 values, signed or with sign bits, and the
 * largest value (16 in codebook 11 marks an escape).
 */
final class Codebooks {
    static final int ESCAPE_CODEBOOK = 11;
    private static final Map<String, Huffman> BOOKS = load();
    private static final Huffman[] SPECTRUM = new Huffman[12];
    /** Per spectrum codebook and index: its values, {@link #dimension} of them from {@code index * 4}. */
    private static final int[][] VALUES = new int[12][];

    static {
        for (int cb = 1; cb <= 11; cb++) {
            SPECTRUM[cb] = BOOKS.get(Integer.toString(cb));
            int size = SPECTRUM[cb].codewords().size();
            int middle = signed(cb) ? modulus(cb) / 2 : 0;
            VALUES[cb] = new int[size * 4];
            for (int index = 0; index < size; index++) {
                int rest = index;
                for (int i = dimension(cb) - 1; i >= 0; i--) { // the first value is the most significant digit
                    VALUES[cb][index * 4 + i] = rest % modulus(cb) - middle;
                    rest /= modulus(cb);
                }
            }
        }
    }

    /** The values of spectrum codebook {@code cb}'s codewords: those of index i at {@code [4 i, 4 i + dimension)}. */
    static int[] values(int cb) {
        return VALUES[cb];
    }

    private Codebooks() {}

    static Huffman scalefactor() {
        return BOOKS.get("scalefactor");
    }

    static Huffman spectrum(int codebook) {
        return SPECTRUM[codebook];
    }

    /** Every codebook by its name in the resource ("scalefactor", "1" to "11"). */
    static Map<String, Huffman> all() {
        return BOOKS;
    }

    /** Values a codeword of spectrum codebook {@code cb} carries: 4 for codebooks 1 to 4, else 2. */
    static int dimension(int cb) {
        return cb <= 4 ? 4 : 2;
    }

    /** Whether the codebook's values carry their sign (codebooks 1, 2, 5, 6) instead of sign bits after the codeword. */
    static boolean signed(int cb) {
        return cb == 1 || cb == 2 || cb == 5 || cb == 6;
    }

    /** The base of one value in the index: largest absolute value + 1, doubled less one for signed codebooks. */
    static int modulus(int cb) {
        return switch (cb) {
            case 1, 2, 3, 4 -> 3;
            case 5, 6 -> 9;
            case 7, 8 -> 8;
            case 9, 10 -> 13;
            case 11 -> 17;
            default -> throw new IllegalArgumentException("codebook " + cb);
        };
    }

    private static Map<String, Huffman> load() {
        Map<String, List<Huffman.Codeword>> lists = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        try (InputStream in = Codebooks.class.getResourceAsStream("huffman-codebooks.txt")) {
            if (in == null) {
                throw new IllegalStateException("huffman-codebooks.txt is missing from the class path");
            }
            List<Huffman.Codeword> current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.trim().split("\\s+");
                if (parts[0].equals("codebook")) {
                    current = new ArrayList<>();
                    lists.put(parts[1], current);
                    sizes.put(parts[1], Integer.parseInt(parts[2]));
                } else {
                    current.add(new Huffman.Codeword(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]),
                            Integer.parseInt(parts[2], 16)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Huffman> books = new LinkedHashMap<>();
        lists.forEach((name, codewords) -> {
            if (codewords.size() != sizes.get(name)) {
                throw new IllegalStateException("codebook " + name + ": " + codewords.size() + " codewords, header says "
                        + sizes.get(name));
            }
            books.put(name, new Huffman(name, codewords));
        });
        return Map.copyOf(books);
    }
}
