package videollama.loader;

/**
 * A video, image or sound file that cannot be turned into the model's input. The message is one line that
 * names the file and says what is wrong with it; the command line prints it as is.
 */
public class LoaderException extends RuntimeException {
    public LoaderException(String message) {
        super(message);
    }

    public LoaderException(String message, Throwable cause) {
        super(message, cause);
    }
}
