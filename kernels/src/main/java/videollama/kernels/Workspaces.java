package videollama.kernels;

import java.util.HashMap;
import java.util.Map;

/**
 * An op family's scratch buffers on the device (split-K and flash-decoding partials, the int8 GEMVs' quantised x):
 * one buffer per name and size, allocated at its first use and shared by every task after it. Safe, as all graphs
 * of a backend run in order on its one queue or stream.
 */
public final class Workspaces {
    private final DeviceBackend backend;
    private final Map<String, DeviceBuffer> buffers = new HashMap<>();

    public Workspaces(DeviceBackend backend) {
        this.backend = backend;
    }

    /** The buffer {@code name} of {@code bytes}, allocated at the first call with that name and size. */
    public synchronized DeviceBuffer get(String name, long bytes) {
        return buffers.computeIfAbsent(name + " / " + bytes, key -> backend.allocate(name, bytes));
    }
}
