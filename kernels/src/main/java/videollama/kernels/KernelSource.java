package videollama.kernels;

/**
 * A kernel entry point: the program it lives in (a resource file name without extension, e.g. {@code gemv}),
 * the function name, and the preprocessor options that pick a variant (e.g. {@code -DWEIGHT_F16}).
 */
public record KernelSource(String program, String entry, String options) {
    public KernelSource(String program, String entry) {
        this(program, entry, "");
    }
}
