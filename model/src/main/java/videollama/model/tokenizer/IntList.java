package videollama.model.tokenizer;

import java.util.Arrays;

/** A growable int array, for collecting token ids. */
final class IntList {
    private int[] a;
    private int size;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (size == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[size++] = v;
    }

    int[] toArray() {
        return Arrays.copyOf(a, size);
    }
}
