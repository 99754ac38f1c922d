package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.ValueLayout;

/** Tensors compared exactly, for the tests of every module that writes or converts weights (the test jar carries it). */
public final class TensorAssertions {
    private TensorAssertions() {}

    /** Every tensor of {@code expected} is in {@code actual} under its name, with the same dtype, shape and bytes. */
    public static void assertEachTensorIn(TensorSource expected, TensorSource actual) {
        for (String name : expected.names()) {
            Tensor e = expected.get(name);
            Tensor a = actual.get(name);
            assertEquals(e.dtype(), a.dtype(), name);
            assertArrayEquals(e.shape(), a.shape(), name);
            assertArrayEquals(e.data().toArray(ValueLayout.JAVA_BYTE), a.data().toArray(ValueLayout.JAVA_BYTE), name);
        }
    }
}
