package videollama.kernels;

import videollama.weights.DType;

/**
 * The argument checks an op makes before it appends its task, the same on every backend (so are the messages): a
 * shape a kernel cannot take or a buffer too small for it is refused with a one-line error naming the op, instead
 * of a kernel reading past a buffer.
 */
public final class OpChecks {
    private OpChecks() {}

    /** {@code b} holds at least {@code bytes}. */
    public static void requireBytes(String name, String what, DeviceBuffer b, long bytes) {
        if (b.bytes() < bytes) {
            throw new IllegalArgumentException(name + ": " + what + " " + b.name() + " holds " + b.bytes() + " bytes, needs " + bytes);
        }
    }

    /** Each of {@code buffers} holds at least {@code floats} float32s. */
    public static void requireFloats(String name, long floats, DeviceBuffer... buffers) {
        for (DeviceBuffer b : buffers) {
            requireBytes(name, "buffer", b, 4 * floats);
        }
    }

    /** rows × width, both positive and the product an int (the row kernels index by int); returns the product. */
    public static long requireRows(String name, int rows, int width) {
        long elements = (long) rows * width;
        if (rows <= 0 || width <= 0 || elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + ": " + rows + " rows of width " + width + " is not a shape these kernels take");
        }
        return elements;
    }

    /**
     * {@link NormOps#layerNorm}, {@link NormOps#addLayerNorm}: rows × dim floats in each of {@code buffers} (out and
     * the inputs), a row of dim in {@code weight} and {@code bias}; returns rows × dim.
     */
    public static long requireNormRows(String name, DeviceBuffer weight, DeviceBuffer bias, int rows, int dim,
                                       DeviceBuffer... buffers) {
        long elements = requireRows(name, rows, dim);
        requireFloats(name, elements, buffers);
        requireFloats(name, dim, weight, bias);
        return elements;
    }

    /**
     * {@link NormOps#biasGelu}, {@link NormOps#addBias}: rows × width floats in {@code out} and {@code x}, a row of
     * width in {@code bias}; returns rows × width.
     */
    public static long requireBiasRows(String name, DeviceBuffer out, DeviceBuffer x, DeviceBuffer bias, int rows, int width) {
        long elements = requireRows(name, rows, width);
        requireFloats(name, elements, out, x);
        requireFloats(name, width, bias);
        return elements;
    }

    /** {@link GemvOps#qkvMatVec}: k and v of one shape, all three of one width and dtype. */
    public static void requireQkv(String name, DeviceTensor wq, DeviceTensor wk, DeviceTensor wv) {
        if (wk.rows() != wv.rows() || wq.cols() != wk.cols() || wk.cols() != wv.cols()
                || wq.dtype() != wk.dtype() || wk.dtype() != wv.dtype()) {
            throw new IllegalArgumentException(name + ": q/k/v weights " + wq + ", " + wk + ", " + wv + " do not fit together");
        }
    }

    /** {@link GemvOps#swiGluMatVec}: gate and up of one shape and dtype. */
    public static void requireGateUp(String name, DeviceTensor gate, DeviceTensor up) {
        if (gate.rows() != up.rows() || gate.cols() != up.cols() || gate.dtype() != up.dtype()) {
            throw new IllegalArgumentException(name + ": gate " + gate + " and up " + up + " differ");
        }
    }

    /**
     * A weight of the float kernels (F32, F16 or BF16), by the name both backends give its kernels: {@code f32},
     * {@code f16}, {@code bf16} (CUDA's entry-point suffix, OpenCL's {@code -DWEIGHT_F16} / {@code -DWEIGHT_BF16}).
     */
    public static String floatWeight(DType dtype) {
        return switch (dtype) {
            case F32 -> "f32";
            case F16 -> "f16";
            case BF16 -> "bf16";
            default -> throw new IllegalArgumentException("weights must be F32, F16 or BF16, not " + dtype);
        };
    }

    /** A Q8_0 weight (a family class can be called directly, past FamilyDeviceOps' choice by dtype). */
    public static void requireQ8_0(String name, DeviceTensor w) {
        if (w.dtype() != DType.Q8_0) {
            throw new IllegalArgumentException(name + ": weight " + w + " is not Q8_0");
        }
    }

    /** Grouped-query heads: the query heads divide into the key/value heads. */
    public static void requireGroupedHeads(String name, int heads, int kvHeads) {
        if (kvHeads <= 0 || heads % kvHeads != 0) {
            throw new IllegalArgumentException(name + ": " + heads + " query heads do not divide into " + kvHeads + " key/value heads");
        }
    }

    /** {@link NormOps#swiGlu}: {@code n} floats in each buffer. */
    public static void requireSwiGlu(String name, DeviceBuffer out, DeviceBuffer gate, DeviceBuffer up, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + ": " + n + " elements");
        }
        requireBytes(name, "out", out, 4L * n);
        requireBytes(name, "gate", gate, 4L * n);
        requireBytes(name, "up", up, 4L * n);
    }

    /** {@link DeviceOps#ropeAndCacheWriteRows}: rows of even heads, and buffers and caches that hold them. */
    public static void requireRopeRows(String name, DeviceBuffer q, DeviceBuffer k, DeviceBuffer v, DeviceBuffer keyCache,
                                       DeviceBuffer valueCache, KvCacheType cacheType, int tablePositions,
                                       int rows, int heads, int kvHeads, int headDim) {
        if (rows < 1 || headDim % 2 != 0) {
            throw new IllegalArgumentException(name + ": " + rows + " rows of heads of " + headDim + " (rows >= 1, even heads)");
        }
        long qFloats = (long) rows * heads * headDim;
        long kvFloats = (long) rows * kvHeads * headDim;
        requireBytes(name, "q", q, 4 * qFloats);
        requireBytes(name, "k", k, 4 * kvFloats);
        requireBytes(name, "v", v, 4 * kvFloats);
        requireBytes(name, "key cache", keyCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
        requireBytes(name, "value cache", valueCache, (long) tablePositions * kvHeads * headDim * cacheType.bytes());
    }

    /** {@link GemmOps#linear}: positive sizes, W [n, k], out not x, and buffers that hold their rows. */
    public static void requireLinear(String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                                     DeviceBuffer residual, int m, int n, int k) {
        if (m < 1 || n < 1 || k < 1) {
            throw new IllegalArgumentException(name + ": sizes " + m + "x" + n + "x" + k + " must be positive");
        }
        if (w.shape().length != 2 || w.rows() != n || w.cols() != k) {
            throw new IllegalArgumentException(name + ": weight " + w + " is not [" + n + ", " + k + "]");
        }
        if (out == x) {
            throw new IllegalArgumentException(name + ": out cannot be the input " + x.name());
        }
        requireBytes(name, "out", out, 4L * m * n);
        requireBytes(name, "x", x, 4L * m * k);
        if (bias != null) {
            requireBytes(name, "bias", bias, 4L * n);
        }
        if (residual != null) {
            requireBytes(name, "residual", residual, 4L * m * n);
        }
    }

    /** {@link GemmOps#linearGelu}: {@link #requireLinear}'s checks, and a bias. */
    public static void requireLinearGelu(String name, DeviceBuffer out, DeviceBuffer x, DeviceTensor w, DeviceBuffer bias,
                                         int m, int n, int k) {
        if (bias == null) {
            throw new IllegalArgumentException(name + ": linearGelu needs a bias (linear then gelu for a layer without one)");
        }
        requireLinear(name, out, x, w, bias, null, m, n, k);
    }
}
