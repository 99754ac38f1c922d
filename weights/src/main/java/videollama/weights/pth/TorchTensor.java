package videollama.weights.pth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import videollama.weights.DType;
import videollama.weights.Tensor;
import videollama.weights.WeightsException;

/**
 * A tensor as a checkpoint describes it: a view of a storage, {@code torch._utils._rebuild_tensor_v2(storage,
 * storage_offset, size, stride, ...)}. Nothing is read until {@link #toTensor} is called, so a checkpoint whose
 * optimizer state holds tensors of types the project does not store still gives its model tensors.
 */
public final class TorchTensor {
    /** Where storages' bytes come from: the archive the tensor was read from. */
    interface Storages {
        /** The file, for messages. */
        String file();

        /**
         * The bytes of a storage: {@code numel} elements of its type.
         *
         * @throws PthFormatException if the storage's entry is missing, damaged or too short
         */
        MemorySegment bytes(TorchStorage storage);
    }

    private final Storages storages;
    private final TorchStorage storage;
    private final ElementType type;
    private final long storageOffset;
    private final long[] shape;
    private final long[] stride;

    /**
     * @param type          the element type of the tensor: the storage's for {@code _rebuild_tensor_v2}, the
     *                      explicit dtype for {@code _rebuild_tensor_v3} over an untyped storage
     * @param storageOffset in elements of {@code type}
     * @throws PthFormatException for a negative offset, dimension or stride, or shape and stride of different ranks
     */
    TorchTensor(Storages storages, TorchStorage storage, ElementType type, long storageOffset, long[] shape,
            long[] stride) {
        if (storageOffset < 0) {
            throw new PthFormatException("a tensor has a negative storage offset " + storageOffset);
        }
        if (shape.length != stride.length) {
            throw new PthFormatException("a tensor has a size of rank " + shape.length + " and a stride of rank "
                    + stride.length);
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0 || stride[i] < 0) {
                throw new PthFormatException("a tensor has size " + Arrays.toString(shape) + " and stride "
                        + Arrays.toString(stride) + ": negative values");
            }
        }
        this.storages = storages;
        this.storage = storage;
        this.type = type;
        this.storageOffset = storageOffset;
        this.shape = shape.clone();
        this.stride = stride.clone();
    }

    public TorchStorage storage() {
        return storage;
    }

    public ElementType type() {
        return type;
    }

    /** Where the tensor starts in its storage, in elements. */
    public long storageOffset() {
        return storageOffset;
    }

    /** A copy of the size. */
    public long[] shape() {
        return shape.clone();
    }

    /** A copy of the stride, in elements. */
    public long[] stride() {
        return stride.clone();
    }

    /**
     * True if the elements lie in row-major order without gaps, so the tensor is one slice of its storage.
     * Dimensions of size 1 may have any stride; an empty tensor is contiguous.
     */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 0) {
                return true;
            }
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /**
     * The tensor under {@code name}: a slice of the mapped file when it is contiguous; otherwise (a transposed
     * view, say) its elements copied into row-major order in memory of its own (off the heap).
     *
     * @throws WeightsException naming the file and tensor, for a type the project does not store (float64,
     *         bool, ...), a storage that is missing or too short for the view, or an overlapping view
     *         (stride 0, from {@code expand}) that would be larger than its storage
     */
    public Tensor toTensor(String name) {
        try {
            return materialise(name);
        } catch (PthFormatException | ArithmeticException e) {
            String why = e instanceof ArithmeticException ? "has a size or stride too large to count" : e.getMessage();
            throw new WeightsException(storages.file() + ": tensor '" + name + "' " + why, e);
        }
    }

    private Tensor materialise(String name) {
        DType dtype = type.dtype();
        if (dtype == null) {
            throw new PthFormatException(type.byteSize() == 0
                    ? "has the unknown element type " + type
                    : "has the element type " + type + ", which videollama does not store (it stores float32,"
                    + " float16, bfloat16, int64, int32 and uint8)");
        }
        MemorySegment bytes = storages.bytes(storage);
        long available = bytes.byteSize() / type.byteSize();
        long count = 1;
        long last = storageOffset;
        for (int i = 0; i < shape.length; i++) {
            count = Math.multiplyExact(count, shape[i]);
            if (shape[i] > 0) {
                last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
            }
        }
        if (count == 0) {
            return Tensor.of(name, dtype, shape, bytes.asSlice(0, 0));
        }
        if (last >= available) {
            throw new PthFormatException("of size " + Arrays.toString(shape) + ", stride " + Arrays.toString(stride)
                    + " and offset " + storageOffset + " reaches element " + last + " of storage '" + storage.key()
                    + "', which holds " + available);
        }
        long elementSize = type.byteSize();
        if (isContiguous()) {
            return Tensor.of(name, dtype, shape, bytes.asSlice(storageOffset * elementSize, count * elementSize));
        }
        if (count > available) {
            throw new PthFormatException("of size " + Arrays.toString(shape) + " and stride " + Arrays.toString(stride)
                    + " views its elements more than once (an expanded tensor): save it with .contiguous()");
        }
        return Tensor.of(name, dtype, shape, copyRowMajor(bytes, count, elementSize));
    }

    /** Walks the view's index space in row-major order and copies each element; rank 0 never gets here. */
    private MemorySegment copyRowMajor(MemorySegment from, long count, long elementSize) {
        MemorySegment to = Arena.ofAuto().allocate(count * elementSize, Long.BYTES);
        int rank = shape.length;
        long[] index = new long[rank];
        long source = storageOffset;
        for (long written = 0; written < count; written++) {
            MemorySegment.copy(from, source * elementSize, to, written * elementSize, elementSize);
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                source += stride[d];
                if (index[d] < shape[d]) {
                    break;
                }
                source -= stride[d] * index[d];
                index[d] = 0;
            }
        }
        return to;
    }

    /** {@code "torch.float16 [3, 4]"}. */
    @Override
    public String toString() {
        return type + " " + Arrays.toString(shape);
    }
}
