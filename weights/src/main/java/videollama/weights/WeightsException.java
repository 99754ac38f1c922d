package videollama.weights;

import java.io.IOException;
import java.io.Serial;

/**
 * A weight file or folder that cannot be used: unreadable, malformed, or missing a tensor the caller needs.
 *
 * <p>The message is always one line that starts with the file or folder and names the tensor where one is
 * involved, so it can be shown to a user as it is. Line breaks (a tensor name may contain anything) are
 * escaped to keep that promise.
 */
public class WeightsException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public WeightsException(String message) {
        super(oneLine(message));
    }

    public WeightsException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** "FILE: cannot read: NoSuchFileException ..." for an I/O failure while {@code doing} something. */
    static WeightsException io(Object file, String doing, IOException cause) {
        return new WeightsException(file + ": cannot " + doing + ": " + cause.getClass().getSimpleName() + " "
                + cause.getMessage(), cause);
    }

    private static String oneLine(String message) {
        return message.replace("\r", "\\r").replace("\n", "\\n");
    }
}
