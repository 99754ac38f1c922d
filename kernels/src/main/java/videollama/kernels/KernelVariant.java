package videollama.kernels;

/**
 * One of an op family's kernels, numbered from 1 as llm.c numbers its kernels (the number is its place in the enum).
 * Where a kernel was replaced by a faster one it is kept as variant 1, the baseline the others are measured
 * against (decode attention's {@code decode_attention_heads}).
 * Each backend's family class has an enum of these and a public {@code of(backend, variant, ...)} that forces
 * one, whatever the device, so that a benchmark or a test can run every variant.
 */
public interface KernelVariant {

    /** The variant's number, from 1: its place in the enum. */
    default int number() {
        return ((Enum<?>) this).ordinal() + 1;
    }

    /** The variant of {@code variants} numbered {@code number}. */
    static <E extends Enum<E> & KernelVariant> E number(Class<E> variants, int number) {
        E[] all = variants.getEnumConstants();
        if (number < 1 || number > all.length) {
            throw new IllegalArgumentException(variants.getSimpleName() + " numbers run from 1 to " + all.length + ", not " + number);
        }
        return all[number - 1];
    }
}
