package videollama.kernels.opencl;

import java.util.Arrays;
import videollama.kernels.Cost;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.AbstractConvOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.KernelSource;
import videollama.kernels.KernelVariant;
import videollama.kernels.Launch;
import videollama.kernels.LocalMemory;
import videollama.kernels.PatchConvolution;
import videollama.kernels.TaskGraph;

/**
 * The stem of the vision transformers in OpenCL C ({@code patch_embed.cl}): the patch-embedding convolution,
 * the class token and the learned positions. Reference twin: {@link videollama.kernels.reference.PatchEmbedding}.
 *
 * <p>EVA ViT-g: {@code patchEmbedding} (k = s = 14, with bias), then {@code prependClassToken} with its
 * positions (cat and add in one pass). ImageBind audio: {@code patchEmbedding} (k = 16, s = 10, no bias), the
 * stem LayerNorm over the patch tokens, then {@code prependClassToken} with positions: the LayerNorm comes
 * before the class token, not between it and the positions, so both models use the fused form;
 * {@code addPositions} is there for a stem that adds them elsewhere.
 */
public final class OpenCLConvOps extends AbstractConvOps {
    /** Which convolution kernel: 1, local-memory tiles for GPUs, or 2, 8-wide register blocks for CPUs (PoCL). */
    public enum Variant implements KernelVariant { TILED, WIDE }

    /** The patch embedding with {@code variant} forced on an OpenCL device whatever its kind (benchmarks, tests). */
    public static OpenCLConvOps of(DeviceBackend backend, Variant variant) {
        return new OpenCLConvOps(OpenCLBackend.of(backend, "patch embedding " + variant), variant);
    }

    /** Patches per work-group of the wide kernel ({@code WIDE_PATCHES} in patch_embed.cl). */
    private static final int WIDE_PATCHES = 4;
    /** Work-items per group of the wide kernel: they share the group's output channels, two at a time. */
    private static final int WIDE_GROUP = 4;
    /** Outputs per work-item along each side of the tiled kernel's tile ({@code BLOCK} in patch_embed.cl). */
    private static final int TILED_BLOCK = 4;

    private final OpenCLBackend backend;
    private final Variant variant;
    /** The tiled kernel's work-group is groupSide × groupSide items, a tile groupSide · 4 on a side. */
    private final int groupSide;

    OpenCLConvOps(OpenCLBackend backend) {
        this(backend, backend.cpuShaped() ? Variant.WIDE : Variant.TILED);
    }

    /** With an explicit variant: the tests run both on whatever device there is. */
    OpenCLConvOps(OpenCLBackend backend, Variant variant) {
        super(backend.info().groupSize(64)); // the element-wise kernels' work-groups
        this.backend = backend;
        this.variant = variant;
        this.groupSide = backend.info().maxWorkGroupSize() >= 256 ? 16 : 8;
    }

    Variant variant() {
        return variant;
    }

    /**
     * The patch embedding: {@code out} [batch, outHeight · outWidth, cout] (float32, patch index
     * {@code oy · outWidth + ox}) = Conv2d of {@code images} [batch, cin, height, width] (float32) with
     * {@code weight} [cout, cin, k, k] (F32/F16/BF16), stride {@code stride}, no padding, plus {@code bias}
     * [cout] (float32) unless it is null. {@code outHeight = (height − k) / stride + 1}, likewise the width.
     */
    public void patchEmbedding(TaskGraph g, String name, DeviceBuffer out, DeviceBuffer images, DeviceTensor weight,
                               DeviceBuffer bias, int batch, int height, int width, int stride) {
        PatchConvolution c = PatchConvolution.check(name, out, images, weight, bias, batch, height, width, stride);
        int taps = c.taps();
        int totalPatches = c.totalPatches();
        Cost cost = c.cost(weight, bias != null);
        Object[] args = c.kernelArgs(out, images, weight, bias);

        if (variant == Variant.WIDE) {
            long staged = (long) WIDE_PATCHES * taps * 4;
            if (staged > backend.info().localMemoryBytes()) {
                throw new IllegalArgumentException(name + ": patches of " + taps + " values need " + staged
                        + " bytes of local memory; " + backend.info().name() + " has " + backend.info().localMemoryBytes());
            }
            Launch launch = Launch.groups((totalPatches + WIDE_PATCHES - 1) / WIDE_PATCHES, WIDE_GROUP);
            Object[] withStage = Arrays.copyOf(args, args.length + 1);
            withStage[args.length] = new LocalMemory(staged);
            g.task(name, new KernelSource("patch_embed", "patch_embed_wide", OpenCLOps.weightOption(weight.dtype())), launch, cost,
                    withStage);
            return;
        }
        int tile = groupSide * TILED_BLOCK;
        Launch launch = new Launch(
                new long[] {(long) (c.cout() + tile - 1) / tile * groupSide, (long) (totalPatches + tile - 1) / tile * groupSide},
                new long[] {groupSide, groupSide});
        String options = (OpenCLOps.weightOption(weight.dtype()) + " -DGROUP_SIDE=" + groupSide).strip();
        g.task(name, new KernelSource("patch_embed", "patch_embed_tiled", options), launch, cost, args);
    }
}
