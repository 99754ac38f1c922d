package videollama.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.DeviceOps;

/**
 * Each op's setup check once on OpenCL (the device op against its reference on fresh inputs; skipped without a
 * device, as the other smoke tests), the reference call once, and the op list against the catalogue: every method
 * of {@link DeviceOps} is benchmarked here or by a benchmark of its own.
 */
class OpBenchmarkTest {
    /** The ops timed by benchmarks of their own (OpBenchmark's class comment names them). */
    private static final Set<String> DEDICATED = Set.of("matVec", "qkvMatVec", "swiGluMatVec", "linear", "attention", "decodeAttention");

    static final List<String> OPS = OpBenchmark.OPS;

    @ParameterizedTest(name = "{0}")
    @FieldSource("OPS")
    void theDeviceOpMatchesTheReferenceBeforeItIsTimed(String op) {
        OpBenchmark b = new OpBenchmark();
        b.op = op;
        b.backend = "opencl";
        try {
            Smoke.setUpOrSkip(b::setup);
            b.run(new Traffic());
        } finally {
            b.tearDown();
        }
    }

    @ParameterizedTest(name = "{0}")
    @FieldSource("OPS")
    void theReferenceCallRuns(String op) {
        OpBenchmark b = new OpBenchmark();
        b.op = op;
        b.backend = "reference";
        b.setup();
        Traffic traffic = new Traffic();
        b.run(traffic);
        assertTrue(traffic.gigabytes > 0, op + " counts the bytes it moves");
        b.tearDown();
    }

    @Test
    void everyOpOfTheCatalogueHasABenchmark() throws NoSuchFieldException {
        Set<String> catalogue = Arrays.stream(DeviceOps.class.getDeclaredMethods()).map(Method::getName).collect(Collectors.toSet());
        Set<String> here = Set.copyOf(OpBenchmark.OPS);
        Set<String> benchmarked = new TreeSet<>(here);
        benchmarked.addAll(DEDICATED);
        assertEquals(new TreeSet<>(catalogue), benchmarked);
        assertEquals(OpBenchmark.OPS, Arrays.asList(OpBenchmark.class.getField("op").getAnnotation(Param.class).value()),
                "the @Param list is the op list");
    }
}
