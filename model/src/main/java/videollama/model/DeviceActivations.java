package videollama.model;

import java.util.List;
import videollama.kernels.DeviceBackend;
import videollama.kernels.DeviceBuffer;

/**
 * The activations a device part ({@code DeviceEvaVit}, {@code DeviceImageBindAudio}, {@code DeviceQFormer}) allocates
 * for one batch, kept on the device between its tasks and between replays, and released by the caller when the graph
 * is done with them.
 */
public interface DeviceActivations {
    /** Every buffer of the batch, each once. */
    List<DeviceBuffer> buffers();

    default void release(DeviceBackend device) {
        for (DeviceBuffer b : buffers()) {
            device.release(b);
        }
    }
}
