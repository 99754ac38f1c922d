package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.DeviceOps;

/**
 * Each op's setup check once on OpenCL (the device op against its reference on fresh inputs; skipped without a
 * device, as the other smoke tests) and one call on each backend, and the op list against the catalogue: every method
 * of {@link DeviceOps} is benchmarked here or by a benchmark of its own.
 */
class OpBenchmarkTest {
    /** The ops timed by benchmarks of their own (OpBenchmark's class comment names them). */
    private static final Set<String> DEDICATED = Set.of("matVec", "qkvMatVec", "swiGluMatVec", "linear", "linearGelu", "attention", "decodeAttention");

    /** Every op on the reference path and on OpenCL. */
    static Stream<Arguments> cases() {
        return OpBenchmark.OPS.stream().flatMap(op -> Stream.of(Arguments.of(op, "reference"), Arguments.of(op, "opencl")));
    }

    /** Setup (on a device: the op checked against its reference), then one timed call, which counts its bytes. */
    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void setupChecksAndOneCallRuns(String op, String backend) {
        OpBenchmark b = new OpBenchmark();
        b.op = op;
        b.backend = backend;
        try {
            Smoke.setUpOrSkip(b::setup);
            Traffic traffic = new Traffic();
            b.run(traffic);
            assertTrue(traffic.gigabytes > 0, op + " counts the bytes it moves");
        } finally {
            b.tearDown();
        }
    }

    @Test
    void everyOpOfTheCatalogueHasABenchmark() throws NoSuchFieldException {
        // getMethods: the catalogue's own methods and those of the op families it extends
        Set<String> catalogue = Arrays.stream(DeviceOps.class.getMethods()).filter(m -> !Modifier.isStatic(m.getModifiers()))
                .map(Method::getName).collect(Collectors.toSet());
        Set<String> here = Set.copyOf(OpBenchmark.OPS);
        Set<String> benchmarked = new TreeSet<>(here);
        benchmarked.addAll(DEDICATED);
        assertEquals(new TreeSet<>(catalogue), benchmarked);
        assertEquals(OpBenchmark.OPS, Arrays.asList(OpBenchmark.class.getField("op").getAnnotation(Param.class).value()),
                "the @Param list is the op list");
    }
}
