package videollama.model;

import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;
import videollama.weights.DType;
import videollama.weights.Tensor;

/**
 * Vectors for device kernels that read plain floats (norm weights, biases, class tokens, positions): uploaded as
 * float32 whatever their stored dtype, widened exactly, once.
 */
public final class DeviceFloats {
    private DeviceFloats() {}

    /** {@code tensor} widened to float32 and uploaded. */
    public static DeviceBuffer upload(DeviceBackend device, Tensor tensor) {
        return device.upload(tensor.dtype() == DType.F32 ? tensor : tensor.convertTo(DType.F32)).buffer();
    }

    /** {@code values} uploaded as a float32 buffer named {@code name}. */
    public static DeviceBuffer upload(DeviceBackend device, String name, float[] values) {
        return device.upload(Tensor.ofFloats(name, values, values.length)).buffer();
    }
}
