package videollama.weights;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * A source whose Q8_0 weights are joined again: a file stores a Q8_0 matrix {@code NAME} as the I8 tensor {@code NAME}
 * [rows, cols] and the F16 tensor {@code NAME.q8_0_scales} [rows, cols / 32] (docs/design.md section 2). Seen through
 * this source, {@code NAME} is one {@link DType#Q8_0} tensor and the scales tensor is not listed, so a model reads a
 * quantised folder under the same names as an unquantised one. Every pair is checked when the source is opened (from
 * the headers only, nothing is read), and a scales tensor that does not fit its matrix is refused naming it.
 */
public final class QuantizedTensors implements TensorSource {
    /** What a Q8_0 matrix's scales tensor is called: the matrix's name and this. */
    public static final String SCALES_SUFFIX = ".q8_0_scales";

    private final TensorSource source;
    /** The names of the quantised matrices. */
    private final Set<String> quantised;
    private final List<String> names;

    private QuantizedTensors(TensorSource source, Set<String> quantised) {
        this.source = source;
        this.quantised = quantised;
        this.names = source.names().stream()
                .filter(n -> !(n.endsWith(SCALES_SUFFIX) && quantised.contains(matrixOf(n)))).toList();
    }

    /**
     * {@code source} with its Q8_0 pairs joined, or {@code source} itself when it holds none.
     *
     * @throws WeightsException "SOURCE: tensor 'NAME.q8_0_scales' ..." for scales without their matrix, or with a
     *         matrix they do not fit (dtypes or shapes); the source is closed then
     */
    public static TensorSource of(TensorSource source) {
        Set<String> quantised;
        try {
            quantised = source.names().stream().filter(n -> n.endsWith(SCALES_SUFFIX)).map(n -> check(source, n))
                    .collect(Collectors.toUnmodifiableSet());
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
        return quantised.isEmpty() ? source : new QuantizedTensors(source, quantised);
    }

    /** The matrix's name of scales tensor {@code scalesName}, after checking that the two fit together. */
    private static String check(TensorSource source, String scalesName) {
        String matrix = matrixOf(scalesName);
        Tensor scales = source.get(scalesName);
        Tensor quants = source.find(matrix).orElseThrow(() -> new WeightsException(source.describe() + ": tensor '"
                + scalesName + "' holds Q8_0 scales, but there is no tensor '" + matrix + "' they scale"));
        if (quants.dtype() != DType.I8) {
            throw new WeightsException(source.describe() + ": tensor '" + scalesName + "' holds Q8_0 scales, but '"
                    + matrix + "' is " + quants.dtype() + ", expected I8");
        }
        try {
            Tensor.q8_0(matrix, quants.shape(), quants.data(), scales);
        } catch (IllegalArgumentException e) {
            throw new WeightsException(source.describe() + ": tensor '" + scalesName + "' is " + scales.dtype() + " "
                    + scales.shapeString() + ", which does not scale '" + matrix + "' I8 " + quants.shapeString()
                    + " (expected F16 " + Arrays.toString(expectedScales(quants.shape())) + ")");
        }
        return matrix;
    }

    private static long[] expectedScales(long[] shape) {
        return shape.length == 2 ? new long[] {shape[0], shape[1] / DType.Q8_0_BLOCK} : new long[] {-1};
    }

    private static String matrixOf(String scalesName) {
        return scalesName.substring(0, scalesName.length() - SCALES_SUFFIX.length());
    }

    /** A Q8_0 tensor as a file stores it: the I8 quants under its name, then its scales under {@code NAME.q8_0_scales}. */
    public static List<Tensor> stored(Tensor q8) {
        return List.of(Tensor.of(q8.name(), DType.I8, q8.shape(), q8.data()), q8.scales().renamed(q8.name() + SCALES_SUFFIX));
    }

    /**
     * A Q8_0 matrix {@code name} [rows, cols] planned as a file stores it ({@link #stored}: the I8 quants, then the F16
     * scales), {@code quantised} made only when the writer reaches the quants and let go once it has the scales, so
     * that one matrix at a time is in memory.
     */
    public static List<SafetensorsWriter.Planned> planned(String name, long rows, long cols, Supplier<Tensor> quantised) {
        List<Tensor> made = new ArrayList<>(2);
        return List.of(
                new SafetensorsWriter.Planned(name, DType.I8, new long[] {rows, cols}, () -> {
                    made.addAll(stored(quantised.get()));
                    return made.getFirst();
                }),
                new SafetensorsWriter.Planned(name + SCALES_SUFFIX, DType.F16, new long[] {rows, cols / DType.Q8_0_BLOCK}, () -> {
                    Tensor scales = made.getLast();
                    made.clear();
                    return scales;
                }));
    }

    @Override
    public String describe() {
        return source.describe();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Optional<Tensor> find(String name) {
        if (quantised.contains(name)) {
            Tensor quants = source.get(name);
            return Optional.of(Tensor.q8_0(name, quants.shape(), quants.data(), source.get(name + SCALES_SUFFIX)));
        }
        if (name.endsWith(SCALES_SUFFIX) && quantised.contains(matrixOf(name))) {
            return Optional.empty();
        }
        return source.find(name);
    }

    @Override
    public void close() {
        source.close();
    }

    @Override
    public String toString() {
        return "QuantizedTensors[" + source + ", " + quantised.size() + " Q8_0 matrices]";
    }
}
