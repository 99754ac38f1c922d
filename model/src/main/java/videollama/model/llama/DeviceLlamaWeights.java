package videollama.model.llama;

import java.util.ArrayList;
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
    final List<Layer> layers;
    final DeviceTensor finalNorm;
    final DeviceTensor lmHead;

    record Layer(DeviceTensor inputNorm, DeviceTensor wq, DeviceTensor wk, DeviceTensor wv, DeviceTensor wo,
                 DeviceTensor postAttentionNorm, DeviceTensor gate, DeviceTensor up, DeviceTensor down) {}

    DeviceLlamaWeights(LlamaWeights weights, DeviceBackend device) {
        List<Layer> list = new ArrayList<>();
        for (LlamaWeights.Layer l : weights.layers) {
            list.add(new Layer(norm(device, l.inputNorm()), device.upload(l.wq()), device.upload(l.wk()), device.upload(l.wv()),
                    device.upload(l.wo()), norm(device, l.postAttentionNorm()), device.upload(l.gate()), device.upload(l.up()),
                    device.upload(l.down())));
        }
        layers = List.copyOf(list);
        embedding = device.upload(weights.embedTokens);
        lmHead = weights.lmHead == weights.embedTokens ? embedding : device.upload(weights.lmHead);
        finalNorm = norm(device, weights.finalNorm);
    }

    private static DeviceTensor norm(DeviceBackend device, Tensor t) {
        return device.upload(t.dtype() == DType.F32 ? t : t.convertTo(DType.F32));
    }
}
