package videollama.benchmarks;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * What every benchmark of this module that calls native code shares: one state per thread, and one forked JVM that
 * may call native code (OpenCL, CUDA, FFmpeg through the foreign function API) without a warning on stderr. JMH
 * reads these annotations from the superclass; each benchmark sets its own mode, unit, warm-up and measurement.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public abstract class ForkedBenchmark {
}
