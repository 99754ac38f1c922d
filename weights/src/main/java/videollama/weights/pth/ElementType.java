package videollama.weights.pth;

import java.util.Map;
import java.util.Optional;
import videollama.weights.DType;

/**
 * The element type of a torch storage or tensor: its torch name, its size in bytes, and the project's
 * {@link DType} when there is one. Torch names the type twice: through the storage class in the persistent id
 * ({@code torch.FloatStorage}, for tensors rebuilt by {@code _rebuild_tensor_v2}), or through a dtype global
 * ({@code torch.float32}, for {@code _rebuild_tensor_v3} over an untyped byte storage).
 *
 * @param torchName e.g. {@code "float32"}
 * @param byteSize  bytes per element; 0 when unknown (the type can still be named in an error)
 * @param dtype     the project's dtype, or null for types the project does not store (float64, bool, ...)
 */
public record ElementType(String torchName, int byteSize, DType dtype) {
    private static final Map<String, ElementType> BY_DTYPE_NAME = Map.ofEntries(
            type("float32", 4, DType.F32), type("float16", 2, DType.F16), type("bfloat16", 2, DType.BF16),
            type("int64", 8, DType.I64), type("int32", 4, DType.I32), type("uint8", 1, DType.U8),
            type("float64", 8, null), type("int16", 2, null), type("int8", 1, null), type("bool", 1, null),
            type("complex64", 8, null), type("complex128", 16, null), type("uint16", 2, null),
            type("uint32", 4, null), type("uint64", 8, null), type("float8_e4m3fn", 1, null),
            type("float8_e5m2", 1, null), type("float8_e4m3fnuz", 1, null), type("float8_e5m2fnuz", 1, null),
            type("float8_e8m0fnu", 1, null), type("qint8", 1, null), type("quint8", 1, null),
            type("qint32", 4, null), type("quint4x2", 1, null), type("quint2x4", 1, null));

    /** The storage classes of {@code torch/storage.py}, by the dtype each holds. */
    private static final Map<String, String> STORAGE_CLASSES = Map.ofEntries(
            Map.entry("FloatStorage", "float32"), Map.entry("HalfStorage", "float16"),
            Map.entry("BFloat16Storage", "bfloat16"), Map.entry("LongStorage", "int64"),
            Map.entry("IntStorage", "int32"), Map.entry("ByteStorage", "uint8"), Map.entry("DoubleStorage", "float64"),
            Map.entry("ShortStorage", "int16"), Map.entry("CharStorage", "int8"), Map.entry("BoolStorage", "bool"),
            Map.entry("ComplexFloatStorage", "complex64"), Map.entry("ComplexDoubleStorage", "complex128"),
            Map.entry("QInt8Storage", "qint8"), Map.entry("QUInt8Storage", "quint8"),
            Map.entry("QInt32Storage", "qint32"), Map.entry("QUInt4x2Storage", "quint4x2"),
            Map.entry("QUInt2x4Storage", "quint2x4"),
            // An untyped storage is bytes; the tensor over it names its dtype separately (_rebuild_tensor_v3).
            Map.entry("UntypedStorage", "uint8"));

    private static Map.Entry<String, ElementType> type(String name, int bytes, DType dtype) {
        return Map.entry(name, new ElementType(name, bytes, dtype));
    }

    /** The type of a storage class global such as {@code torch.HalfStorage}; unknown classes have size 0. */
    static ElementType ofStorageClass(PyGlobal storageClass) {
        String dtypeName = storageClass.module().equals("torch") || storageClass.module().equals("torch.storage")
                ? STORAGE_CLASSES.get(storageClass.name()) : null;
        return dtypeName != null ? BY_DTYPE_NAME.get(dtypeName)
                : new ElementType(storageClass.qualifiedName(), 0, null);
    }

    /** The type of a dtype global such as {@code torch.bfloat16}; unknown names have size 0. */
    static ElementType ofDTypeGlobal(PyGlobal dtype) {
        ElementType known = dtype.module().equals("torch") ? BY_DTYPE_NAME.get(dtype.name()) : null;
        return known != null ? known : new ElementType(dtype.qualifiedName(), 0, null);
    }

    /** The project's dtype, if it stores this type. */
    public Optional<DType> projectDType() {
        return Optional.ofNullable(dtype);
    }

    /** {@code "torch.float32"}. */
    @Override
    public String toString() {
        return torchName.contains(".") ? torchName : "torch." + torchName;
    }
}
