package videollama.kernels;

import java.lang.foreign.MemorySegment;

/** Memory on a device, owned by its backend and freed when the backend closes. */
public interface DeviceBuffer {
    String name();

    long bytes();

    /** Throws unless {@code [offset, offset + bytes)} lies in this buffer (a {@link DeviceBackend#copy} range). */
    default void checkRange(long offset, long bytes) {
        if (offset < 0 || bytes < 0 || offset + bytes > bytes()) {
            throw new IllegalArgumentException("buffer " + name() + " of " + bytes() + " bytes has no range ["
                    + offset + ", " + (offset + bytes) + ")");
        }
    }

    /** Throws unless {@code host} fits in this buffer (a {@link DeviceBackend#write} or {@link DeviceBackend#read}). */
    default void checkHostSize(MemorySegment host) {
        if (host.byteSize() > bytes()) {
            throw new IllegalArgumentException("buffer " + name() + " holds " + bytes() + " bytes, the host side "
                    + host.byteSize());
        }
    }

    /** Throws unless a buffer of {@code bytes} may be asked for ({@link DeviceBackend#allocate}). */
    static void checkAllocation(String name, long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("buffer " + name + ": " + bytes + " bytes");
        }
    }
}
