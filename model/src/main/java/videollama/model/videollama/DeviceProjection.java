package videollama.model.videollama;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.kernels.DeviceOps;
import videollama.kernels.DeviceTensor;
import videollama.kernels.TaskGraph;
import videollama.model.DeviceFloats;

/**
 * A branch's {@link Projection} into the language model's embedding space on one device (llama_proj,
 * audio_llama_proj): the weight in its stored dtype, the bias as float32.
 */
record DeviceProjection(DeviceTensor weight, DeviceBuffer bias) {

    static DeviceProjection upload(DeviceBackend device, Projection p) {
        return new DeviceProjection(device.upload(p.weight()), DeviceFloats.upload(device, p.bias()));
    }

    /** Appends {@code out[rows, outWidth] = in[rows, inWidth] · weightᵀ + bias} as task {@code name}. */
    void append(TaskGraph g, DeviceOps ops, String name, DeviceBuffer out, DeviceBuffer in, int rows, int outWidth,
                int inWidth) {
        ops.linear(g, name, out, in, weight, bias, null, rows, outWidth, inWidth);
    }
}
