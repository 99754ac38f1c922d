package videollama.kernels;

import videollama.weights.DType;

/**
 * What the ops {@link DeviceOps} declares itself (embedding, RMSNorm, RoPE with the cache write, argmax) must at
 * least move and compute, the same on every backend: the profiler compares a kernel's time with these, so an OpenCL
 * and a CUDA kernel of one op are measured against one number.
 */
public final class DecodeOpCosts {
    private DecodeOpCosts() {}

    /** A row of {@code dim} read in the table's dtype and written as float32. */
    public static Cost embedding(int dim, DType tableType) {
        return new Cost((long) dim * (tableType.byteSize() + 4), 0);
    }

    /** Each row read and written, the weight read once; a square and a multiply-add per element. */
    public static Cost rmsNorm(int rows, int dim) {
        return new Cost((long) rows * dim * 8 + dim * 4L, 4L * rows * dim);
    }

    /** One position: q and k read and written, v read, the rotated key and the value written into the caches. */
    public static Cost ropeAndCacheWrite(KvCacheType cacheType, int heads, int kvHeads, int headDim) {
        int pairs = (heads + kvHeads) * headDim / 2;
        return new Cost((long) (heads + 2 * kvHeads) * headDim * 8 + (long) kvHeads * headDim * 2 * cacheType.bytes(), 6L * pairs);
    }

    /** {@link #ropeAndCacheWrite} of {@code rows} positions. */
    public static Cost ropeAndCacheWriteRows(KvCacheType cacheType, int rows, int heads, int kvHeads, int headDim) {
        long qFloats = (long) rows * heads * headDim;
        long kvFloats = (long) rows * kvHeads * headDim;
        int pairs = (heads + kvHeads) * headDim / 2;
        return new Cost(8 * qFloats + 12 * kvFloats + 2 * kvFloats * cacheType.bytes(), 6L * pairs * rows);
    }

    /** {@code n} floats read, a comparison each. */
    public static Cost argmax(int n) {
        return new Cost(4L * n, n);
    }
}
