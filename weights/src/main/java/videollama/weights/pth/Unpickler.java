package videollama.weights.pth;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import videollama.weights.StrictUtf8;

/**
 * A pickle interpreter for what {@code torch.save} writes: protocol 2 (torch's default) and the opcodes of
 * protocols 3 to 5 that carry plain data, so a checkpoint saved with {@code pickle_protocol=4} reads too.
 *
 * <p>It builds Java values and never runs anything: Python's None is null, bool {@link Boolean}, int
 * {@link Long} (or {@link BigInteger} past 64 bits), float {@link Double}, str {@link String}, bytes
 * {@code byte[]}, list {@link List}, tuple {@link PyTuple}, dict and {@code collections.OrderedDict}
 * {@link Map} (insertion-ordered), set {@link Set}.
 *
 * <p>It is as strict as torch's {@code weights_only} unpickler: a global the pickle names ({@code GLOBAL},
 * {@code STACK_GLOBAL}, {@code INST}) must be on {@link AllowedGlobals}, or the whole file is refused naming it;
 * only globals are called ({@code REDUCE}, {@code NEWOBJ}); {@code BUILD} only sets the state of dicts and
 * tensors; items are appended to lists only and set on dicts only. Of the allowed callables, those that rebuild
 * tensors and those protocol 2 uses for plain data (OrderedDict, set, bytes) are interpreted (see
 * {@link #reduce}); the others (a quantized or sparse tensor, a device) give an {@link UnreadValue} that says what
 * it was, refused where a tensor is wanted. Every length and index is checked against the pickle, and the
 * interpreter is a loop over a stack (no recursion), so a damaged pickle ends in a {@link PthFormatException}.
 */
final class Unpickler {
    /** Nesting deeper than this in a dict key is refused: Python keys are strings and ints here. */
    private static final int MAX_KEY_DEPTH = 16;

    private final byte[] pickle;
    private final Function<PyTuple, Object> persistentLoad;
    private final TorchTensor.Storages storages;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int position;

    private Unpickler(byte[] pickle, Function<PyTuple, Object> persistentLoad, TorchTensor.Storages storages) {
        this.pickle = pickle;
        this.persistentLoad = persistentLoad;
        this.storages = storages;
    }

    /**
     * Interprets a pickle.
     *
     * @param persistentLoad turns a persistent id ({@code BINPERSID}) into a value, e.g. a {@link TorchStorage}
     * @param storages       where the tensors' storages will be read from
     * @throws PthFormatException with the byte offset, for anything malformed or unsupported
     */
    static Object load(byte[] pickle, Function<PyTuple, Object> persistentLoad, TorchTensor.Storages storages) {
        return new Unpickler(pickle, persistentLoad, storages).run();
    }

    private Object run() {
        while (true) {
            int at = position;
            int opcode = u8();
            try {
                if (opcode == '.') {
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw new PthFormatException("STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.getFirst();
                }
                step(opcode);
            } catch (PthFormatException e) {
                throw e.getMessage().contains(" at byte ") ? e
                        : new PthFormatException("pickle at byte " + at + ": " + e.getMessage());
            }
        }
    }

    private void step(int opcode) {
        switch (opcode) {
            // Protocol and framing.
            case 0x80 -> { // PROTO
                int protocol = u8();
                if (protocol > 5) {
                    throw new PthFormatException("pickle protocol " + protocol + " is newer than 5");
                }
            }
            case 0x95 -> bytes(8); // FRAME: a length hint, not needed
            // Stack and marks.
            case '(' -> marks.push(stack.size()); // MARK
            case '0' -> pop(); // POP
            case '1' -> popMark(); // POP_MARK
            case '2' -> push(peek()); // DUP
            // Memo.
            case 'q' -> memo.put((long) u8(), peek()); // BINPUT
            case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
            case 'p' -> memo.put(parseLong(line()), peek()); // PUT
            case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
            case 'h' -> push(memoGet(u8())); // BINGET
            case 'j' -> push(memoGet(u32())); // LONG_BINGET
            case 'g' -> push(memoGet(parseLong(line()))); // GET
            // Constants and numbers.
            case 'N' -> push(null); // NONE
            case 0x88 -> push(Boolean.TRUE); // NEWTRUE
            case 0x89 -> push(Boolean.FALSE); // NEWFALSE
            case 'K' -> push((long) u8()); // BININT1
            case 'M' -> push((long) (u8() | u8() << 8)); // BININT2
            case 'J' -> push((long) ByteBuffer.wrap(bytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt()); // BININT
            case 0x8a -> push(littleEndianInteger(bytes(u8()))); // LONG1
            case 0x8b -> push(littleEndianInteger(bytes(length(u32())))); // LONG4
            case 'I' -> push(textInt(line())); // INT
            case 'L' -> push(textLong(line())); // LONG
            case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT
            case 'F' -> push(parseDouble(line())); // FLOAT
            // Strings and bytes.
            case 'X' -> push(utf8(bytes(length(u32())))); // BINUNICODE
            case 0x8c -> push(utf8(bytes(u8()))); // SHORT_BINUNICODE
            case 0x8d -> push(utf8(bytes(length(u64())))); // BINUNICODE8
            case 'T' -> push(latin1(bytes(length(u32())))); // BINSTRING
            case 'U' -> push(latin1(bytes(u8()))); // SHORT_BINSTRING
            case 'B' -> push(bytes(length(u32()))); // BINBYTES
            case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
            case 0x8e, 0x96 -> push(bytes(length(u64()))); // BINBYTES8, BYTEARRAY8
            // Containers.
            case ']' -> push(new ArrayList<>()); // EMPTY_LIST
            case 'l' -> push(new ArrayList<>(popMark())); // LIST
            case 'a' -> { // APPEND
                Object item = pop();
                append(peek(), Collections.singletonList(item));
            }
            case 'e' -> { // APPENDS
                List<Object> items = popMark();
                append(peek(), items);
            }
            case ')' -> push(new PyTuple(List.of())); // EMPTY_TUPLE
            case 't' -> push(new PyTuple(popMark())); // TUPLE
            case 0x85 -> push(new PyTuple(popN(1))); // TUPLE1
            case 0x86 -> push(new PyTuple(popN(2))); // TUPLE2
            case 0x87 -> push(new PyTuple(popN(3))); // TUPLE3
            case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
            case 'd' -> { // DICT
                Map<Object, Object> dict = new LinkedHashMap<>();
                setItems(dict, popMark());
                push(dict);
            }
            case 's' -> { // SETITEM
                List<Object> pair = popN(2);
                setItems(peek(), pair);
            }
            case 'u' -> { // SETITEMS
                List<Object> items = popMark();
                setItems(peek(), items);
            }
            case 0x8f -> push(new LinkedHashSet<>()); // EMPTY_SET
            case 0x90 -> { // ADDITEMS
                List<Object> items = popMark();
                if (!(peek() instanceof Set<?>)) {
                    throw new PthFormatException("ADDITEMS to a " + typeName(peek()));
                }
                @SuppressWarnings("unchecked")
                Set<Object> set = (Set<Object>) peek();
                for (Object item : items) {
                    set.add(key(item));
                }
            }
            case 0x91 -> { // FROZENSET
                Set<Object> set = new LinkedHashSet<>();
                for (Object item : popMark()) {
                    set.add(key(item));
                }
                push(Collections.unmodifiableSet(set));
            }
            // Classes, calls and objects: nothing is imported, nothing runs, only allowed globals are named.
            case 'c' -> push(AllowedGlobals.check(new PyGlobal(line(), line()))); // GLOBAL
            case 0x93 -> { // STACK_GLOBAL
                List<Object> names = popN(2);
                if (!(names.get(0) instanceof String module) || !(names.get(1) instanceof String name)) {
                    throw new PthFormatException("STACK_GLOBAL needs two strings");
                }
                push(AllowedGlobals.check(new PyGlobal(module, name)));
            }
            case 'R' -> { // REDUCE
                Object arguments = pop();
                PyGlobal callable = callable(pop(), "REDUCE");
                if (!(arguments instanceof PyTuple tuple)) {
                    throw new PthFormatException("REDUCE with arguments that are a " + typeName(arguments)
                            + ", not a tuple");
                }
                push(reduce(callable, tuple.items()));
            }
            case 0x81 -> { // NEWOBJ: cls.__new__(cls, *args)
                Object arguments = pop();
                push(newObject(callable(pop(), "NEWOBJ"), arguments));
            }
            case 0x92 -> { // NEWOBJ_EX
                pop(); // keyword arguments
                Object arguments = pop();
                push(newObject(callable(pop(), "NEWOBJ_EX"), arguments));
            }
            case 'i' -> { // INST: protocol 0's object creation, which torch's weights_only unpickler never accepts
                PyGlobal cls = AllowedGlobals.check(new PyGlobal(line(), line()));
                throw new PthFormatException("INST of " + cls + ": protocol 0 object creation, which torch.save does"
                        + " not write");
            }
            case 'o' -> { // OBJ: protocol 1's object creation, likewise
                List<Object> items = popMark();
                throw new PthFormatException("OBJ of " + (items.isEmpty() ? "nothing" : typeName(items.getFirst()))
                        + ": protocol 1 object creation, which torch.save does not write");
            }
            case 'b' -> { // BUILD
                pop(); // the state: dropped
                Object target = peek();
                // An OrderedDict's _metadata, a tensor's Python attributes: state we do not need. Nothing else
                // may be built (torch allows Tensor, Parameter and OrderedDict).
                if (!(target instanceof Map<?, ?> || target instanceof TorchTensor || target instanceof UnreadValue)) {
                    throw new PthFormatException("BUILD sets the state of a " + typeName(target)
                            + "; only dicts and tensors take state in a checkpoint");
                }
            }
            case 'Q' -> push(persistentLoad.apply(persistentId(pop()))); // BINPERSID
            default -> throw new PthFormatException(opcode == 'P' || opcode == 'S' || opcode == 'V'
                    ? "text opcode '" + (char) opcode + "' of pickle protocol 0, which torch.save does not write"
                    : "unsupported opcode 0x" + Integer.toHexString(opcode));
        }
    }

    /** What REDUCE or NEWOBJ calls: a global (checked when it was named), never a value built by the pickle. */
    private static PyGlobal callable(Object value, String opcode) {
        if (!(value instanceof PyGlobal global)) {
            throw new PthFormatException(opcode + " calls a " + typeName(value) + ", not a global");
        }
        return global;
    }

    /** NEWOBJ: a Parameter is its data; any other allowed class gives a value this reader does not interpret. */
    private static Object newObject(PyGlobal cls, Object arguments) {
        if (cls.qualifiedName().equals("torch.nn.parameter.Parameter") && arguments instanceof PyTuple tuple
                && !tuple.items().isEmpty() && tuple.get(0) instanceof TorchTensor data) {
            return data;
        }
        return new UnreadValue("an object of " + cls);
    }

    /**
     * REDUCE: calls an allowed global in Python. The torch tensor constructors are interpreted, OrderedDict and
     * Counter make a map, set a set, {@code _codecs.encode} and bytearray bytes; any other allowed global gives an
     * {@link UnreadValue} naming it.
     */
    private Object reduce(PyGlobal global, List<Object> arguments) {
        return switch (global.qualifiedName()) {
            case "collections.OrderedDict", "collections.Counter" -> dict(global, arguments);
            // Protocol 2 has no opcodes for sets and bytes: they are pickled as these calls.
            case "builtins.set" -> {
                Set<Object> set = new LinkedHashSet<>();
                if (arguments.size() == 1 && arguments.getFirst() instanceof List<?> items) {
                    items.forEach(item -> set.add(key(item)));
                    yield set;
                }
                yield arguments.isEmpty() ? set : unread(global, arguments);
            }
            case "_codecs.encode" -> arguments.size() == 2 && arguments.get(0) instanceof String text
                    && "latin1".equals(arguments.get(1))
                    ? text.getBytes(StandardCharsets.ISO_8859_1) : unread(global, arguments);
            case "builtins.bytearray" -> arguments.isEmpty() ? new byte[0]
                    : arguments.size() == 1 && arguments.getFirst() instanceof byte[] bytes ? bytes
                    : unread(global, arguments);
            case "torch.Size" -> arguments.size() == 1 && arguments.getFirst() instanceof PyTuple size ? size
                    : unread(global, arguments);
            case "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2" -> rebuildTensor(arguments, null);
            case "torch._utils._rebuild_tensor_v3" -> {
                if (arguments.size() < 7 || !(arguments.get(6) instanceof PyGlobal dtype)) {
                    throw new PthFormatException("_rebuild_tensor_v3 without a dtype");
                }
                yield rebuildTensor(arguments, ElementType.ofDTypeGlobal(dtype));
            }
            // A Parameter is its data; requires_grad, hooks and state do not matter for inference.
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" ->
                    !arguments.isEmpty() && (arguments.getFirst() instanceof TorchTensor
                            || arguments.getFirst() instanceof UnreadValue) ? arguments.getFirst()
                            : unread(global, arguments);
            // A tensor with Python attributes: (func, type, args, state); type is torch.Tensor or Parameter, as
            // a subclass would be a global off the list.
            case "torch._tensor._rebuild_from_type_v2" -> {
                if (arguments.size() >= 3 && arguments.get(2) instanceof PyTuple innerArguments) {
                    yield reduce(callable(arguments.getFirst(), "_rebuild_from_type_v2"), innerArguments.items());
                }
                yield unread(global, arguments);
            }
            case "torch._utils._rebuild_qtensor" -> new UnreadValue("a quantized tensor"
                    + (!arguments.isEmpty() && arguments.getFirst() instanceof TorchStorage storage
                            ? " of " + storage.type() : "") + " (" + global + ")");
            case "torch._utils._rebuild_sparse_tensor" -> new UnreadValue("a sparse tensor (" + global + ")");
            case "torch._utils._rebuild_nested_tensor" -> new UnreadValue("a nested tensor (" + global + ")");
            case "torch._utils._rebuild_meta_tensor_no_storage" ->
                    new UnreadValue("a tensor without data on the meta device (" + global + ")");
            default -> unread(global, arguments);
        };
    }

    private static UnreadValue unread(PyGlobal global, List<Object> arguments) {
        return new UnreadValue("the value of " + global + " called with " + arguments.size() + " argument(s)");
    }

    /** {@code OrderedDict(pairs)}, {@code Counter(dict)}, or an empty one filled later by SETITEMS. */
    private static Object dict(PyGlobal global, List<Object> arguments) {
        Map<Object, Object> dict = new LinkedHashMap<>();
        if (arguments.isEmpty()) {
            return dict;
        }
        if (arguments.size() == 1 && arguments.getFirst() instanceof Map<?, ?> items) {
            items.forEach(dict::put);
            return dict;
        }
        if (arguments.size() == 1 && arguments.getFirst() instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (!(pair instanceof PyTuple p && p.size() == 2)) {
                    return unread(global, arguments);
                }
                dict.put(key(p.get(0)), p.get(1));
            }
            return dict;
        }
        return unread(global, arguments);
    }

    /** {@code (storage, storage_offset, size, stride, ...)}; the element type is the storage's unless given. */
    private TorchTensor rebuildTensor(List<Object> arguments, ElementType explicitType) {
        if (arguments.size() < 4 || !(arguments.get(0) instanceof TorchStorage storage)
                || !(arguments.get(1) instanceof Long offset)
                || !(arguments.get(2) instanceof PyTuple size) || !(arguments.get(3) instanceof PyTuple stride)) {
            throw new PthFormatException("a tensor is rebuilt from arguments that are not (storage, offset, size,"
                    + " stride, ...)");
        }
        // For _rebuild_tensor_v3 the storage is untyped bytes and the offset counts elements of the given dtype.
        ElementType type = explicitType != null ? explicitType : storage.type();
        return new TorchTensor(storages, storage, type, offset, longs(size, "size"), longs(stride, "stride"));
    }

    private static long[] longs(PyTuple tuple, String what) {
        long[] values = new long[tuple.size()];
        for (int i = 0; i < values.length; i++) {
            if (!(tuple.get(i) instanceof Long value)) {
                throw new PthFormatException("a tensor " + what + " holds a " + typeName(tuple.get(i)));
            }
            values[i] = value;
        }
        return values;
    }

    private static PyTuple persistentId(Object id) {
        if (!(id instanceof PyTuple tuple)) {
            throw new PthFormatException("a persistent id that is a " + typeName(id) + ", not a tuple");
        }
        return tuple;
    }

    // --- containers -------------------------------------------------------------------------------------------

    private static void append(Object target, List<Object> items) {
        if (target instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> objects = (List<Object>) list;
            objects.addAll(items);
        } else {
            throw new PthFormatException("APPEND to a " + typeName(target));
        }
    }

    private void setItems(Object target, List<Object> keysAndValues) {
        if (keysAndValues.size() % 2 != 0) {
            throw new PthFormatException("an odd number of dict keys and values");
        }
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            Object key = key(keysAndValues.get(i));
            Object value = keysAndValues.get(i + 1);
            if (target instanceof Map<?, ?> map) {
                @SuppressWarnings("unchecked")
                Map<Object, Object> objects = (Map<Object, Object>) map;
                objects.put(key, value);
            } else {
                throw new PthFormatException("SETITEM on a " + typeName(target));
            }
        }
    }

    /**
     * A dict key or set element. Python only allows hashable ones; here strings and numbers (state dict names,
     * optimizer parameter ids) and shallow tuples of them keep their value, and anything else is keyed by
     * identity. So no key's hash or equality can recurse through a cyclic or deeply nested structure.
     */
    private static Object key(Object key) {
        return isValueKey(key, 0) ? key : new IdentityKey(key);
    }

    private static boolean isValueKey(Object key, int depth) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof Double
                || key instanceof Boolean || key instanceof BigInteger || key instanceof PyGlobal) {
            return true;
        }
        if (key instanceof PyTuple tuple && depth < MAX_KEY_DEPTH) {
            for (Object item : tuple.items()) {
                if (!isValueKey(item, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** A key compared by identity (see {@link #key}). */
    record IdentityKey(Object value) {
        @Override
        public boolean equals(Object other) {
            return other instanceof IdentityKey k && k.value == value;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(value);
        }

        @Override
        public String toString() {
            return "key " + typeName(value);
        }
    }

    // --- the stack --------------------------------------------------------------------------------------------

    private void push(Object value) {
        stack.add(value);
    }

    private Object pop() {
        if (stack.size() <= floor()) {
            throw new PthFormatException("stack underflow");
        }
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.size() <= floor()) {
            throw new PthFormatException("stack underflow");
        }
        return stack.getLast();
    }

    /** The stack below the innermost mark belongs to an outer construct and may not be popped. */
    private int floor() {
        return marks.isEmpty() ? 0 : marks.peek();
    }

    private List<Object> popN(int n) {
        if (stack.size() - n < floor()) {
            throw new PthFormatException("stack underflow");
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private List<Object> popMark() {
        if (marks.isEmpty()) {
            throw new PthFormatException("no MARK to pop to");
        }
        int mark = marks.pop();
        List<Object> top = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) {
            throw new PthFormatException("memo entry " + index + " was never stored");
        }
        return memo.get(index);
    }

    // --- reading the pickle's bytes ---------------------------------------------------------------------------

    private int u8() {
        if (position >= pickle.length) {
            throw new PthFormatException("pickle: ends without STOP at byte " + position);
        }
        return Byte.toUnsignedInt(pickle[position++]);
    }

    private long u32() {
        return ByteBuffer.wrap(bytes(4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFF_FFFFL;
    }

    private long u64() {
        return ByteBuffer.wrap(bytes(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** A length read from the pickle, checked against what is left of it. */
    private int length(long length) {
        if (length < 0 || length > pickle.length - position) {
            throw new PthFormatException("a length of " + Long.toUnsignedString(length) + " runs past the end of the"
                    + " pickle");
        }
        return (int) length;
    }

    private byte[] bytes(int n) {
        if (n > pickle.length - position) {
            throw new PthFormatException("pickle: ends inside an opcode's argument at byte " + position);
        }
        byte[] out = Arrays.copyOfRange(pickle, position, position + n);
        position += n;
        return out;
    }

    /** The text up to the next newline (text opcodes and GLOBAL's module and name). */
    private String line() {
        for (int i = position; i < pickle.length; i++) {
            if (pickle[i] == '\n') {
                String text = utf8(Arrays.copyOfRange(pickle, position, i));
                position = i + 1;
                return text;
            }
        }
        throw new PthFormatException("pickle: ends inside a line of text at byte " + position);
    }

    private static String utf8(byte[] bytes) {
        return StrictUtf8.decode(bytes, e -> new PthFormatException("a string that is not valid UTF-8"));
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** LONG1/LONG4: two's complement, little-endian; a Long when it fits. */
    private static Object littleEndianInteger(byte[] littleEndian) {
        if (littleEndian.length == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[littleEndian.length];
        for (int i = 0; i < littleEndian.length; i++) {
            bigEndian[i] = littleEndian[littleEndian.length - 1 - i];
        }
        return narrow(new BigInteger(bigEndian));
    }

    private static Object narrow(BigInteger value) {
        return value.bitLength() < Long.SIZE ? (Object) value.longValue() : value;
    }

    /** INT's text: "01" and "00" are True and False (protocol 0's booleans), else a decimal integer. */
    private static Object textInt(String text) {
        return switch (text) {
            case "01" -> Boolean.TRUE;
            case "00" -> Boolean.FALSE;
            default -> textLong(text);
        };
    }

    private static Object textLong(String text) {
        String digits = text.endsWith("L") ? text.substring(0, text.length() - 1) : text;
        try {
            return narrow(new BigInteger(digits));
        } catch (NumberFormatException e) {
            throw new PthFormatException("'" + shorten(text) + "' is not an integer");
        }
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new PthFormatException("'" + shorten(text) + "' is not a memo index");
        }
    }

    private static double parseDouble(String text) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new PthFormatException("'" + shorten(text) + "' is not a float");
        }
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("\\p{Cntrl}", "?");
        return oneLine.length() <= 40 ? oneLine : oneLine.substring(0, 40) + "...";
    }

    /** A value's Python type name, for messages (never the value itself: it may be huge or cyclic). */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "None";
            case String _ -> "str";
            case Long _ -> "int";
            case BigInteger _ -> "int";
            case Double _ -> "float";
            case Boolean _ -> "bool";
            case byte[] _ -> "bytes";
            case List<?> _ -> "list";
            case Map<?, ?> _ -> "dict";
            case Set<?> _ -> "set";
            case PyTuple _ -> "tuple";
            case PyGlobal g -> "global " + g.qualifiedName();
            case UnreadValue u -> u.description();
            case TorchTensor _ -> "tensor";
            case TorchStorage _ -> "storage";
            default -> value.getClass().getSimpleName();
        };
    }
}
