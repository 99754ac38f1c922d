package videollama.kernels;

/**
 * One kind of compute device. {@code reference} is plain Java, float32, written to be read: the oracle every
 * device kernel is checked against. The {@code opencl} and {@code cuda} backends (task graphs of hand-written
 * kernels, docs/design.md section 3) slot in behind this seam.
 */
public interface Backend extends AutoCloseable {

    /** The name used on the command line: {@code reference}, {@code opencl} or {@code cuda}. */
    String name();

    /** The device in words, for the stderr banner and {@code videollama devices}. */
    String device();

    @Override
    void close();
}
