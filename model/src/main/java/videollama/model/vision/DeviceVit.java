package videollama.model.vision;

import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;

/**
 * What the device twins of the two ViTs share ({@link DeviceEvaVit} and ImageBind's audio encoder,
 * {@code DeviceImageBindAudio}), the twin of {@link ReferenceVit}: one {@link VitBlock} appended as tasks over the
 * tokens of every input at once, the attention appended by the caller (EVA reads q, k and v in place from the qkv
 * rows; ImageBind first puts its bias_k/bias_v row before each clip's). Each task is named after the module it
 * computes ({@link VitBlock.Names}), so that the profile tells EVA's tasks from ImageBind's.
 *
 * <pre>
 *   qkv = norm1(x)·Wqkvᵀ + b                           one GEMM, [rows, 3W]
 *   a = attention(q, k, v)                             the caller's
 *   x += a·Wprojᵀ + b                                  residual fused
 *   x += gelu(norm2(x)·Wfc1ᵀ + b1)·Wfc2ᵀ + b2          bias + GELU in fc1's GEMM, residual in fc2's
 * </pre>
 */
public final class DeviceVit {
    private DeviceVit() {
    }

    /** The float32 activations a block reads and writes. */
    public interface BlockActivations {
        /** The residual stream [rows, W]. */
        DeviceBuffer x();

        /** A LayerNorm's output [rows, W]. */
        DeviceBuffer xb();

        /** The qkv projection [rows, 3W]: each row q, then k, then v. */
        DeviceBuffer qkv();

        /** The heads' outputs [rows, W], which the caller's attention writes. */
        DeviceBuffer attention();

        /** The MLP's hidden layer [rows, mlpWidth]. */
        DeviceBuffer hidden();
    }

    /**
     * Appends block {@code b} over {@code rows} tokens, its tasks named {@code prefix} + the module.
     *
     * @param attention appends the attention from {@link BlockActivations#qkv} to {@link BlockActivations#attention}
     */
    public static void appendBlock(TaskGraph g, DeviceOps ops, String prefix, VitBlock.Names names,
                                   VitBlock<DeviceTensor, DeviceBuffer> b, BlockActivations a, int rows, int width,
                                   int mlpWidth, float eps, Runnable attention) {
        int d = width;
        ops.layerNorm(g, prefix + names.norm1(), a.xb(), a.x(), b.norm1Weight(), b.norm1Bias(), rows, d, eps);
        ops.linear(g, prefix + names.qkv(), a.qkv(), a.xb(), b.qkvWeight(), b.qkvBias(), null, rows, 3 * d, d);
        attention.run();
        ops.linear(g, prefix + names.proj() + " + residual", a.x(), a.attention(), b.projWeight(), b.projBias(), a.x(), rows,
                d, d);
        ops.layerNorm(g, prefix + names.norm2(), a.xb(), a.x(), b.norm2Weight(), b.norm2Bias(), rows, d, eps);
        ops.linearGelu(g, prefix + "fc1 + bias + gelu", a.hidden(), a.xb(), b.fc1Weight(), b.fc1Bias(), rows, mlpWidth, d);
        ops.linear(g, prefix + "fc2 + residual", a.x(), a.hidden(), b.fc2Weight(), b.fc2Bias(), a.x(), rows, d, mlpWidth);
    }
}
