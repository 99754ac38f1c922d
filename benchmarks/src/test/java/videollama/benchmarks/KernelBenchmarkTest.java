package videollama.benchmarks;

import java.lang.reflect.Field;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openjdk.jmh.annotations.Param;

/**
 * Every kernel benchmark's setup (which checks each of its plans against the reference) and then timed calls on
 * poisoned outputs, against the reference, at small odd sizes. A case is a benchmark with its {@code @Param}s as
 * JMH's {@code -p name=value} sets them, how much its cold copies may take (1: one copy; GemvFusedBenchmark's 64 KiB
 * makes two at stories260K's shape, so that its second call runs the second copy) and how many calls to check.
 */
class KernelBenchmarkTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "GemvBenchmark | variant=reference shape=37x53 dtype=F32 | 1 | 1", "GemvBenchmark | variant=matvec shape=37x53 dtype=F32 | 1 | 1",
        "GemvBenchmark | variant=matvec_wide shape=37x53 dtype=F32 | 1 | 1", "GemvBenchmark | variant=matvec shape=130x301 dtype=F16 | 1 | 1",
        "GemvBenchmark | variant=matvec_wide shape=65x1001 dtype=BF16 | 1 | 1", "GemvBenchmark | variant=matvec_split shape=37x53 dtype=F32 | 1 | 1",
        "GemvBenchmark | variant=matvec_split shape=130x301 dtype=F16 | 1 | 1",
        "GemvQ8_0Benchmark | variant=reference shape=37x64 | 1 | 1", "GemvQ8_0Benchmark | variant=q8_0_rows shape=37x64 | 1 | 1",
        "GemvQ8_0Benchmark | variant=q8_0_wide shape=130x320 | 1 | 1", "GemvQ8_0Benchmark | variant=q8_0_wide8 shape=130x320 | 1 | 1",
        "GemvQ8_0Benchmark | variant=q8_0_int8 shape=130x320 | 1 | 1", "GemvQ8_0Benchmark | variant=f16_wide shape=65x96 | 1 | 1",
        "GemvQ8_0Benchmark | variant=bf16_wide4 shape=65x96 | 1 | 1",
        // stories260K's shape: 8 query and 4 key/value heads of 8
        "GemvFusedBenchmark | op=qkv model=stories260K dtype=F32 variant=reference | 65536 | 2", "GemvFusedBenchmark | op=qkv model=stories260K dtype=F32 variant=fused | 65536 | 2",
        "GemvFusedBenchmark | op=qkv model=stories260K dtype=F16 variant=fused_wide | 65536 | 2", "GemvFusedBenchmark | op=swiglu model=stories260K dtype=F32 variant=reference | 65536 | 2",
        "GemvFusedBenchmark | op=swiglu model=stories260K dtype=BF16 variant=fused | 65536 | 2", "GemvFusedBenchmark | op=swiglu model=stories260K dtype=F32 variant=fused_wide | 65536 | 2",
        // an odd number of positions
        "AttentionDecodeBenchmark | model=stories260K positions=37 cache=F32 variant=reference | 1 | 2", "AttentionDecodeBenchmark | model=stories260K positions=37 cache=F32 variant=opencl | 1 | 2",
        "AttentionDecodeBenchmark | model=stories260K positions=300 cache=F16 variant=opencl | 1 | 2", "AttentionDecodeBenchmark | model=stories260K positions=300 cache=F32 variant=opencl:heads | 1 | 2",
        "AttentionDecodeBenchmark | model=stories260K positions=300 cache=F32 variant=opencl:slices | 1 | 2", "AttentionDecodeBenchmark | model=stories260K positions=300 cache=F16 variant=opencl:rows/16 | 1 | 2",
        // a small batched shape with odd sizes, and the Q-Former cross shape the benchmark runs
        "AttentionBenchmark | shape=2x5x37x3x24 variant=reference | 1 | 1", "AttentionBenchmark | shape=2x5x37x3x24 variant=flash | 1 | 1",
        "AttentionBenchmark | shape=2x5x37x3x24 variant=rows | 1 | 1", "AttentionBenchmark | shape=2x5x37x3x24 variant=blocked | 1 | 1",
        "AttentionBenchmark | shape=qformer-cross variant=flash | 1 | 1", "AttentionBenchmark | shape=qformer-cross variant=rows | 1 | 1",
        "AttentionBenchmark | shape=qformer-cross variant=blocked | 1 | 1",
        "GemmBenchmark | shape=17x33x65 dtype=F32 variant=reference | 1 | 1", "GemmBenchmark | shape=17x33x65 dtype=F32 variant=tiled | 1 | 1",
        "GemmBenchmark | shape=70x130x129 dtype=F16 variant=blocked | 1 | 1", "GemmBenchmark | shape=5x33x300 dtype=BF16 variant=rows | 1 | 1",
        "GemmBenchmark | shape=17x33x64 dtype=F32 variant=opencl | 1 | 1", "GemmBenchmark | shape=17x33x96 dtype=Q8_0 variant=reference | 1 | 1",
        "GemmBenchmark | shape=70x130x128 dtype=Q8_0 variant=opencl | 1 | 1",
        "GemmBenchmark | shape=17x33x65 dtype=F32 variant=reference gelu=true | 1 | 1",
        "GemmBenchmark | shape=70x130x129 dtype=F16 variant=blocked gelu=true | 1 | 1",
        "GemmBenchmark | shape=17x33x96 dtype=Q8_0 variant=opencl gelu=true | 1 | 1"})
    void callsMatchTheReference(String benchmark, String params, long coldBytes, int calls) {
        Smoke.callsMatchTheReference(configured(benchmark, params, coldBytes), calls);
    }

    /** The CUDA backend's op (1e-2 with 16-bit weights): skipped without an NVIDIA driver, unless {@code VIDEOLLAMA_REQUIRE_CUDA=1}. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "GemmBenchmark | shape=17x33x65 dtype=F32 variant=cuda",
        "GemmBenchmark | shape=70x130x136 dtype=F16 variant=cuda",
        "GemmBenchmark | shape=33x200x72 dtype=BF16 variant=cuda"})
    void theCudaOpMatchesTheReference(String benchmark, String params) {
        Smoke.cudaCallsMatchTheReference(configured(benchmark, params, 1), 1);
    }

    /** A new {@code benchmark} with the {@code @Param} fields {@code params} names set, as JMH's {@code -p} would. */
    private static KernelBenchmark configured(String benchmark, String params, long coldBytes) {
        try {
            Class<?> type = Class.forName(KernelBenchmark.class.getPackageName() + "." + benchmark);
            KernelBenchmark b = (KernelBenchmark) type.getConstructor().newInstance();
            for (String param : params.split(" ")) {
                String[] nameAndValue = param.split("=", 2);
                Field field = type.getField(nameAndValue[0]);
                if (!field.isAnnotationPresent(Param.class)) {
                    throw new IllegalArgumentException(param + ": not a @Param of " + benchmark);
                }
                field.set(b, field.getType() == int.class ? Integer.valueOf(nameAndValue[1])
                        : field.getType() == boolean.class ? Boolean.valueOf(nameAndValue[1]) : nameAndValue[1]);
            }
            b.coldBytes = coldBytes;
            return b;
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(benchmark + " " + params, e);
        }
    }
}
