package videollama.kernels.cuda;

/** NVRTC could not be loaded or could not compile a kernel program; {@link #log()} is the compiler's whole log. */
public final class NvrtcException extends RuntimeException {
    private final String log;

    NvrtcException(String message) {
        this(message, "");
    }

    private NvrtcException(String message, String log) {
        super(message);
        this.log = log;
    }

    /** A failed compile: the message names the source and carries the log's first error line, e.g. {@code x.cu(12): error: ...}. */
    static NvrtcException compileError(String name, String error, String log) {
        String first = log.lines().filter(l -> l.contains("error")).findFirst().orElse(log.lines().findFirst().orElse("")).strip();
        return new NvrtcException("NVRTC could not compile " + name + " (" + error + ")" + (first.isEmpty() ? "" : ": " + first), log);
    }

    public String log() {
        return log;
    }
}
