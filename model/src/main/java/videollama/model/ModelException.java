package videollama.model;

/**
 * A model folder, tokenizer or input that cannot be used as given. The message is one line that names
 * the file, tensor or setting at fault; the command line prints it as is.
 */
public class ModelException extends RuntimeException {
    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
