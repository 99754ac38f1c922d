package videollama.model;

import java.util.Optional;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.WeightsException;

/**
 * Tensors fetched by name from a source and checked before use: present, a weight dtype (F32, F16, BF16, Q8_0) and
 * of the expected shape. Every error is one line naming the source and the tensor, and for a wrong shape the
 * expected and the found one (docs/design.md section 2).
 */
public record CheckedTensors(TensorSource source) {

    /** The tensor {@code name} with exactly this shape. */
    public Tensor get(String name, long... shape) {
        return floats(source.get(name)).requireShape(source.describe(), shape);
    }

    /** The vector {@code name} of {@code length} elements. */
    public Tensor vector(String name, int length) {
        return get(name, length);
    }

    /** The matrix {@code name} of {@code rows} × {@code cols}. */
    public Tensor matrix(String name, int rows, int cols) {
        return get(name, rows, cols);
    }

    /**
     * The tensor {@code name} of rank {@code rank}, any sizes (for tensors whose shape defines a size). {@code
     * pattern} describes the expected shape in the error message, e.g. {@code "[1, queries, hidden]"}.
     */
    public Tensor ofRank(String name, int rank, String pattern) {
        Tensor t = floats(source.get(name));
        if (t.rank() != rank) {
            throw error("tensor '" + name + "' has shape " + t.shapeString() + ", expected " + pattern);
        }
        for (int i = 0; i < rank; i++) {
            if (t.dim(i) < 1 || t.dim(i) > Integer.MAX_VALUE / 4) {
                throw error("tensor '" + name + "' has shape " + t.shapeString() + ", expected " + pattern);
            }
        }
        return t;
    }

    /**
     * The matrix {@code name} of any number of rows (a size it defines) and {@code cols} columns, the width of what it
     * reads; {@code rows} names the rows and {@code what} says where the width comes from in the error message.
     */
    public Tensor rowsOf(String name, String rows, int cols, String what) {
        Tensor t = ofRank(name, 2, "[" + rows + ", " + cols + "]");
        if (t.dim(1) != cols) {
            throw error("tensor '" + t.name() + "' has shape " + t.shapeString() + ", expected [" + rows + ", " + cols
                    + "] (" + what + ")");
        }
        return t;
    }

    public boolean has(String name) {
        return source.contains(name);
    }

    public Optional<Tensor> find(String name) {
        return source.find(name).map(CheckedTensors.this::floats);
    }

    /**
     * How many of {@code prefix + i + suffix} exist for i = 0, 1, 2, ... without a gap: the number of blocks or
     * layers of a stack. A higher index after a gap (layer 3 present, layer 2 missing) is an error naming the
     * missing tensor, so a damaged file does not silently lose layers.
     */
    public int countIndexed(String prefix, String suffix) {
        int count = 0;
        while (source.contains(prefix + count + suffix)) {
            count++;
        }
        String stack = prefix;
        for (String name : source.names()) {
            if (name.startsWith(stack) && name.endsWith(suffix)) {
                String index = name.substring(stack.length(), name.length() - suffix.length());
                if (index.matches("\\d{1,9}") && Integer.parseInt(index) > count) {
                    throw error("missing tensor '" + prefix + count + suffix + "' (the file has '" + name
                            + "', so the stack has a gap)");
                }
            }
        }
        return count;
    }

    /** A {@link WeightsException} whose message starts with the source. */
    public WeightsException error(String message) {
        return new WeightsException(source.describe() + ": " + message);
    }

    private Tensor floats(Tensor t) {
        if (!t.dtype().isWeight()) {
            throw error("tensor '" + t.name() + "' has dtype " + t.dtype() + ", expected F32, F16, BF16 or Q8_0");
        }
        return t;
    }
}
