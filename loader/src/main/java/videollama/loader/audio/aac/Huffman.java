package videollama.loader.audio.aac;

import java.util.List;

/**
 * One Huffman codebook as a two-level lookup table: the first {@link #ROOT_BITS} bits index the root table, whose
 * entry is either a whole codeword (its index and length) or a sub-table for the longer codewords sharing that
 * prefix. Built from the codewords as the standard lists them ({@link Codeword}).
 */
final class Huffman {
    static final int ROOT_BITS = 9;
    private static final int SUB_TABLE = 0x8000_0000;
    private static final int MISSING = -1;

    /** Codeword {@code index} of the standard's table: its {@code length} low bits of {@code code}. */
    record Codeword(int index, int length, int code) {}

    private final String name;
    private final List<Codeword> codewords;
    private final int[] table;

    Huffman(String name, List<Codeword> codewords) {
        this.name = name;
        this.codewords = List.copyOf(codewords);
        int[] subBits = new int[1 << ROOT_BITS];
        int size = 1 << ROOT_BITS;
        for (Codeword c : codewords) {
            if (c.length() < 1 || c.length() > ROOT_BITS + 16 || c.code() >>> c.length() != 0) {
                throw new IllegalArgumentException(name + ": bad codeword " + c);
            }
            if (c.length() > ROOT_BITS) {
                int prefix = c.code() >>> (c.length() - ROOT_BITS);
                subBits[prefix] = Math.max(subBits[prefix], c.length() - ROOT_BITS);
            }
        }
        int[] subStart = new int[1 << ROOT_BITS];
        for (int p = 0; p < subBits.length; p++) {
            if (subBits[p] > 0) {
                subStart[p] = size;
                size += 1 << subBits[p];
            }
        }
        table = new int[size];
        java.util.Arrays.fill(table, MISSING);
        for (int p = 0; p < subBits.length; p++) {
            if (subBits[p] > 0) {
                table[p] = SUB_TABLE | subStart[p] << 5 | subBits[p];
            }
        }
        for (Codeword c : codewords) {
            if (c.length() <= ROOT_BITS) {
                fill(0, c.code() << (ROOT_BITS - c.length()), ROOT_BITS - c.length(), c.index(), c.length(), c);
            } else {
                int rest = c.length() - ROOT_BITS;
                int prefix = c.code() >>> rest;
                int low = c.code() & ((1 << rest) - 1);
                fill(subStart[prefix], low << (subBits[prefix] - rest), subBits[prefix] - rest, c.index(), rest, c);
            }
        }
    }

    private void fill(int base, int first, int freeBits, int index, int length, Codeword c) {
        for (int i = 0; i < 1 << freeBits; i++) {
            int at = base + first + i;
            if (table[at] != MISSING) {
                throw new IllegalArgumentException(name + ": codeword " + c + " is the prefix of another");
            }
            table[at] = index << 5 | length;
        }
    }

    String name() {
        return name;
    }

    List<Codeword> codewords() {
        return codewords;
    }

    /** Reads one codeword and returns its index in the standard's table. */
    int decode(BitReader bits) {
        int entry = table[bits.peek(ROOT_BITS)];
        if (entry < 0 && entry != MISSING) {
            bits.skip(ROOT_BITS);
            entry = table[((entry & ~SUB_TABLE) >>> 5) + bits.peek(entry & 31)];
        }
        if (entry == MISSING) {
            throw AacException.corrupt("no codeword of the " + name + " codebook matches");
        }
        bits.skip(entry & 31);
        return entry >>> 5;
    }
}
