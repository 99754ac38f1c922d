package videollama.model.llama;

import java.util.List;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceTensor;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * A LLaMA's weights on one device, uploaded once in their stored dtype and shared by every session on that
 * device. Norm vectors go up as float32 (the kernels read them as plain floats); a tied head reuses the
 * embedding's buffer.
 */
final class DeviceLlamaWeights {
    final DeviceTensor embedding;
    /** Each layer's matrices in their stored dtype, its norms as float32. */
    final List<LlamaWeights.Layer<DeviceTensor, DeviceTensor>> layers;
    final DeviceTensor finalNorm;
    final DeviceTensor lmHead;

    DeviceLlamaWeights(LlamaWeights weights, DeviceBackend device) {
        layers = weights.layers.stream().map(l -> l.map(device::upload, t -> norm(device, t))).toList();
        embedding = device.upload(weights.embedTokens);
        lmHead = weights.lmHead == weights.embedTokens ? embedding : device.upload(weights.lmHead);
        finalNorm = norm(device, weights.finalNorm);
    }

    private static DeviceTensor norm(DeviceBackend device, Tensor t) {
        return device.upload(t.dtype() == DType.F32 ? t : t.convertTo(DType.F32));
    }
}
