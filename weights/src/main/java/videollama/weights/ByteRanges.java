package videollama.weights;

import java.util.Comparator;
import java.util.List;

/**
 * Checks where the tensors of a header lie in the data section: each range in order and inside the section,
 * exactly as long as its shape and dtype need, and no two ranges sharing a byte. Only after this may the
 * file's bytes be sliced, so a slice can never reach outside the mapping or into another tensor.
 *
 * <p>Gaps between tensors are allowed (the format does not forbid them), and so are empty tensors.
 */
final class ByteRanges {
    private ByteRanges() {
    }

    static void check(String file, List<TensorInfo> tensors, long dataSize) {
        for (TensorInfo tensor : tensors) {
            checkOne(file, tensor, dataSize);
        }
        checkNoOverlap(file, tensors);
    }

    private static void checkOne(String file, TensorInfo tensor, long dataSize) {
        String where = file + ": tensor '" + tensor.name() + "'";
        String offsets = offsets(tensor);
        if (tensor.begin() > tensor.end()) {
            throw new WeightsException(where + " has data_offsets " + offsets + " that end before they begin");
        }
        if (tensor.end() > dataSize) {
            throw new WeightsException(where + " has data_offsets " + offsets
                    + " past the end of the data section (" + dataSize + " bytes)");
        }
        String needed;
        try {
            long bytes = Shapes.byteCount(tensor.shape(), tensor.dtype());
            if (bytes == tensor.byteSpan()) {
                return;
            }
            needed = bytes + " bytes";
        } catch (ArithmeticException overflow) {
            needed = "more than " + Long.MAX_VALUE + " bytes";
        }
        throw new WeightsException(where + " has shape " + tensor.shapeString() + " of " + tensor.dtype()
                + " (" + needed + ") but data_offsets " + offsets + " span " + tensor.byteSpan() + " bytes");
    }

    /**
     * Sorted by begin, two ranges overlap somewhere only if two neighbours do. Empty tensors occupy no
     * bytes, so they cannot overlap anything and are left out.
     */
    private static void checkNoOverlap(String file, List<TensorInfo> tensors) {
        List<TensorInfo> sorted = tensors.stream()
                .filter(t -> t.byteSpan() > 0)
                .sorted(Comparator.comparingLong(TensorInfo::begin))
                .toList();
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo previous = sorted.get(i - 1);
            TensorInfo current = sorted.get(i);
            if (current.begin() < previous.end()) {
                throw new WeightsException(file + ": tensors '" + previous.name() + "' " + offsets(previous)
                        + " and '" + current.name() + "' " + offsets(current) + " overlap");
            }
        }
    }

    private static String offsets(TensorInfo tensor) {
        return "[" + tensor.begin() + ", " + tensor.end() + "]";
    }
}
