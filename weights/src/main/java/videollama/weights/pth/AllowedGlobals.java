package videollama.weights.pth;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The globals a checkpoint's pickle may name: exactly those torch's own {@code weights_only} unpickler accepts by
 * default ({@code torch/_weights_only_unpickler.py}, {@code _get_allowed_globals}, torch 2.13): the tensor and
 * storage classes, dtypes, quantization schemes and rebuild functions {@code torch.save} writes for tensors, and
 * the few containers of plain data ({@code collections.OrderedDict}, {@code collections.Counter}, {@code set},
 * {@code bytearray}, {@code complex}, {@code _codecs.encode} for bytes). Anything else ({@code os.system},
 * {@code builtins.eval}, {@code subprocess.Popen}, {@code argparse.Namespace}, a model's own classes) is refused
 * by {@link Unpickler} where the pickle names it, whether or not it is ever called: a file that names it was not
 * written by {@code torch.save} of a state dict.
 *
 * <p>Written out here rather than derived because the reader never imports anything; the list is torch's,
 * name for name (the sparse and CUDA tensor classes included, so that a file torch accepts is not refused for
 * naming one), and a global on it may still give a value this reader does not interpret (a quantized or sparse
 * tensor): {@link Unpickler} then keeps an {@link UnreadValue} that is refused where a tensor is wanted.
 */
final class AllowedGlobals {
    /** Modules torch never allows, even on request. */
    private static final Set<String> BLOCKED_MODULES = Set.of("sys", "os", "posix", "nt");

    private static final Set<String> ALLOWED = allowed();

    private AllowedGlobals() {
    }

    /**
     * The global as Python 3 names it: protocol 2 pickles written by Python 2 say {@code __builtin__} and
     * {@code copy_reg} (the renaming of Python's {@code _compat_pickle}, which torch applies too).
     */
    static PyGlobal python3(PyGlobal global) {
        return switch (global.module()) {
            case "__builtin__" -> new PyGlobal("builtins", global.name());
            case "copy_reg" -> new PyGlobal("copyreg", global.name());
            default -> global;
        };
    }

    /**
     * Checks a global a pickle names.
     *
     * @throws PthFormatException naming the global, for one torch's {@code weights_only} unpickler refuses
     */
    static PyGlobal check(PyGlobal named) {
        PyGlobal global = python3(named);
        if (!BLOCKED_MODULES.contains(global.module()) && ALLOWED.contains(global.qualifiedName())) {
            return global;
        }
        throw new PthFormatException("names the global " + printable(global.qualifiedName())
                + ", which torch.save does not write for tensors and containers (torch.load(weights_only=True)"
                + " refuses it too); nothing was run");
    }

    /** A name from the file, safe for a one-line message. */
    static String printable(String name) {
        String oneLine = name.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 80) + "...";
    }

    private static Set<String> allowed() {
        Set<String> names = new HashSet<>(List.of(
                "collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter",
                "torch.serialization._get_layout", "torch.Size", "torch.Tensor", "torch.device", "_codecs.encode",
                "builtins.bytearray", "builtins.set", "builtins.complex", "torch._tensor._rebuild_from_type_v2"));
        // dtypes: _dtype_to_storage_type_map, _new_dtypes, and the sub-byte integer types.
        for (String dtype : List.of("float64", "float32", "float16", "bfloat16", "int64", "int32", "int16", "int8",
                "uint8", "bool", "complex128", "complex64", "complex32", "qint8", "quint8", "qint32", "quint4x2",
                "quint2x4", "uint16", "uint32", "uint64", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2",
                "float8_e5m2", "float8_e4m3fn", "float8_e5m2fnuz", "float8_e4m3fnuz", "float8_e8m0fnu",
                "float4_e2m1fn_x2")) {
            names.add("torch." + dtype);
        }
        for (int bits = 1; bits <= 7; bits++) {
            names.add("torch.uint" + bits);
            names.add("torch.int" + bits);
        }
        // Legacy tensor classes, dense on the CPU and CUDA and sparse.
        List<String> tensorTypes = List.of("Double", "Float", "Half", "BFloat16", "Long", "Int", "Short", "Char",
                "Byte");
        for (String type : tensorTypes) {
            for (String module : List.of("torch", "torch.cuda", "torch.sparse", "torch.cuda.sparse")) {
                names.add(module + "." + type + "Tensor");
            }
        }
        names.add("torch.BoolTensor");
        names.add("torch.cuda.BoolTensor");
        // Storage classes.
        for (String type : List.of("Double", "Float", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte",
                "Bool", "ComplexFloat", "ComplexDouble")) {
            names.add("torch." + type + "Storage");
            names.add("torch.cuda." + type + "Storage");
        }
        for (String type : List.of("QInt8", "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4")) {
            names.add("torch." + type + "Storage");
        }
        names.add("torch.storage.TypedStorage");
        names.add("torch.storage.UntypedStorage");
        for (String scheme : List.of("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
                "per_channel_symmetric", "per_channel_affine_float_qparams")) {
            names.add("torch." + scheme);
        }
        for (String rebuild : List.of("_rebuild_parameter", "_rebuild_parameter_with_state", "_rebuild_qtensor",
                "_rebuild_tensor", "_rebuild_tensor_v2", "_rebuild_tensor_v3", "_rebuild_sparse_tensor",
                "_rebuild_meta_tensor_no_storage", "_rebuild_nested_tensor", "_rebuild_wrapper_subclass",
                "_rebuild_device_tensor_from_numpy", "_rebuild_device_tensor_from_cpu_tensor")) {
            names.add("torch._utils." + rebuild);
        }
        return Set.copyOf(names);
    }

    /** Every allowed name, for comparing with torch's own list. */
    static Set<String> names() {
        return ALLOWED;
    }
}
