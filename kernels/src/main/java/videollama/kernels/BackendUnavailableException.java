package videollama.kernels;

/** A backend that cannot run on this machine; the message says why, in one line. */
public class BackendUnavailableException extends RuntimeException {
    private final String why;

    public BackendUnavailableException(String backend, String why) {
        super("backend unavailable: " + backend + ": " + why);
        this.why = why;
    }

    /** Why, without the backend's name. */
    public String why() {
        return why;
    }
}
