package videollama.kernels;

/** A backend that cannot run on this machine; the message says why, in one line. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String backend, String why) {
        super("backend unavailable: " + backend + ": " + why);
    }
}
