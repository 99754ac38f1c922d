package videollama.kernels;

/** Memory on a device, owned by its backend and freed when the backend closes. */
public interface DeviceBuffer {
    String name();

    long bytes();
}
