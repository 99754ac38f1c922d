package videollama.benchmarks;

import static videollama.benchmarks.BenchSupport.randomFloats;
import static videollama.benchmarks.BenchSupport.upload;

import java.util.Locale;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.KvCacheType;
import videollama.kernels.opencl.OpenCLDecodeAttentionOps;
import videollama.kernels.reference.Attention;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Decode attention: the newest position's query against a KV cache of {@code positions} rows, all heads of one
 * layer, at the head layout of a {@link SyntheticLlama} shape (stories110M: 12 heads of 64; llama2-7b: 32 of
 * 128). Its cost grows with the context: at 1024 positions stories110M reads 6.3 MB of float32 cache per layer.
 *
 * <p>Variants: {@code reference} ({@link Attention#causal}, heads spread over the cores); {@code opencl:KERNEL}, one
 * OpenCL kernel forced whatever the device through {@link OpenCLDecodeAttentionOps#of}: {@code heads} (variant 1, the
 * baseline: a work-group per head, every score in local memory), {@code slices} (the GPU shape, a work-group per
 * slice of positions and head) or {@code rows} (PoCL's, a work-item per slice for all heads), and
 * {@code rows/256} also sets the slice length; {@code opencl} (not in the default sweep), the op the device's
 * catalogue gives ({@code DeviceOps.decodeAttention}); another device backend name ({@code cuda}) takes that
 * backend's op (not run yet). The caches cycle through cold copies (one per layer of a real model) as the GEMV
 * weights do.
 */
public class AttentionDecodeBenchmark extends KernelBenchmark {
    @Param({"stories110M", "llama2-7b"})
    public String model;

    /** Cached positions, the new one included. */
    @Param({"256", "1024", "4096"})
    public int positions;

    @Param({"F32"})
    public String cache;

    @Param({"reference", "opencl:heads", "opencl:slices", "opencl:rows"})
    public String variant;

    private int heads;
    private int kvHeads;
    private int headDim;
    private float[] q;

    @Override
    protected void build() {
        SyntheticLlama.Shape s = SyntheticLlama.shape(model);
        heads = s.heads();
        kvHeads = s.kvHeads();
        headDim = s.dim() / s.heads();
        KvCacheType type = KvCacheType.valueOf(cache);
        DType storage = type == KvCacheType.F16 ? DType.F16 : DType.F32;
        int kvDim = kvHeads * headDim;
        Random random = BenchSupport.freshRandom();
        q = randomFloats(random, heads * headDim);
        Tensor k = Tensor.ofFloats("k", randomFloats(random, positions * kvDim), positions, kvDim).convertTo(storage);
        Tensor v = Tensor.ofFloats("v", randomFloats(random, positions * kvDim), positions, kvDim).convertTo(storage);
        float[] k0 = k.toFloatArray();
        float[] v0 = v.toFloatArray();
        expected = new float[q.length];
        Attention.causal(expected, q, k0, v0, 1, positions - 1, heads, kvHeads, headDim);
        long cacheBytes = 2L * positions * kvDim * type.bytes();
        cost = new Cost(cacheBytes + 8L * q.length, 4L * heads * positions * headDim);
        int copies = copies(cacheBytes);
        if (variant.equals("reference")) {
            hostOut = new float[][] {new float[q.length]};
            // a key and a value cache per copy, as the reference keeps them (float, rounded to the cache type)
            record Cache(float[] keys, float[] values) {}
            Cache[] caches = new Cache[copies];
            for (int i = 0; i < copies; i++) {
                caches[i] = i == 0 ? new Cache(k0, v0) : new Cache(k0.clone(), v0.clone());
            }
            reference = () -> {
                Cache c = next(caches);
                Attention.causal(hostOut[0], q, c.keys(), c.values(), 1, positions - 1, heads, kvHeads, headDim);
            };
            return;
        }
        String[] backendAndKernel = variant.split(":", 2);
        device = BenchSupport.openDevice(backendAndKernel[0]);
        DeviceBuffer dq = upload(device, "q", q);
        DeviceBuffer pos = upload(device, "pos", new int[] {positions - 1});
        DeviceBuffer o = device.allocate("out", q.length * 4L);
        out = new DeviceBuffer[] {o};
        plan(copies, "attention", (g, i) -> {
            DeviceBuffer keyCache = device.upload(k).buffer();
            DeviceBuffer valueCache = device.upload(v).buffer();
            if (backendAndKernel.length > 1) {
                String[] kernel = backendAndKernel[1].split("/");
                OpenCLDecodeAttentionOps.of(device, OpenCLDecodeAttentionOps.Variant.valueOf(kernel[0].toUpperCase(Locale.ROOT)),
                                kernel.length > 1 ? Integer.parseInt(kernel[1]) : 0)
                        .decodeAttention(g, "attention", o, dq, keyCache, valueCache, type, pos, heads, kvHeads, headDim, positions);
            } else {
                device.ops().decodeAttention(g, "attention", o, dq, keyCache, valueCache, type, pos, heads, kvHeads, headDim, positions);
            }
        });
    }

    /** One layer's attention with the next copy of the cache; returns when it is done. */
    @Benchmark
    public Object decodeAttention(Traffic traffic) {
        return call(traffic);
    }
}
