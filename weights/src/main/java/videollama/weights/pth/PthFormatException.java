package videollama.weights.pth;

import java.io.Serial;

/**
 * A damaged or unsupported part of a checkpoint, found while reading the archive or the pickle. It does not know
 * the file; {@link PthFile} turns it into a {@link videollama.weights.WeightsException} that starts with the file.
 */
final class PthFormatException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    PthFormatException(String message) {
        super(message);
    }
}
