package videollama.loader;

/**
 * A video or image that cannot be turned into frames. The message is one line that names the file and
 * says what is wrong with it; the command line prints it as is.
 */
public class LoaderException extends RuntimeException {
    public LoaderException(String message) {
        super(message);
    }

    public LoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
