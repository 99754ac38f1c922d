package videollama.kernels;

/** How the key/value cache stores its elements on the device. */
public enum KvCacheType {
    /** float32: exact against the reference path; used with float32 weights. */
    F32(4),
    /** IEEE half (stored with round-to-nearest-even, read widened to float): half the attention traffic. */
    F16(2);

    private final int bytes;

    KvCacheType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
