package videollama.kernels.opencl;

import java.util.Locale;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.KvCacheType;
import videollama.kernels.TaskGraph;

/**
 * The OpenCL decode attention kernels one by one, for {@code AttentionDecodeBenchmark}: the forcing constructor of
 * {@link OpenCLDecodeAttentionOps} is package-private, so the benchmark (in {@code videollama.benchmarks}) reaches it
 * through here. A variant is a name of {@link OpenCLDecodeAttentionOps.Variant} in lower case ({@code slices},
 * {@code rows}), optionally with a slice length after a slash ({@code rows/256}).
 */
public final class DecodeAttentionVariants {
    private DecodeAttentionVariants() {}

    /** {@code DeviceOps.decodeAttention} with the kernel {@code variant} forced, on an OpenCL backend. */
    public static void decodeAttention(String variant, DeviceBackend device, TaskGraph g, String name, DeviceBuffer out,
                                       DeviceBuffer q, DeviceBuffer keyCache, DeviceBuffer valueCache, KvCacheType cacheType,
                                       DeviceBuffer pos, int heads, int kvHeads, int headDim, int capacity) {
        if (!(device instanceof OpenCLBackend backend)) {
            throw new IllegalArgumentException("forced decode attention variants are OpenCL kernels; " + device.name() + " is not OpenCL");
        }
        String[] parts = variant.split("/");
        OpenCLDecodeAttentionOps.Variant kernel = OpenCLDecodeAttentionOps.Variant.valueOf(parts[0].toUpperCase(Locale.ROOT));
        OpenCLDecodeAttentionOps op = new OpenCLDecodeAttentionOps(backend, kernel, parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        op.decodeAttention(g, name, out, q, keyCache, valueCache, cacheType, pos, heads, kvHeads, headDim, capacity);
    }
}
