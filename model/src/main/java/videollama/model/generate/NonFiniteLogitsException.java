package videollama.model.generate;

import java.io.Serial;
import videollama.model.ModelException;

/**
 * The model's logits hold NaN: nothing can be sampled from them. Thrown where the logits are used, and turned by
 * the command line into a message that names the damaged weight (see {@link videollama.model.NonFiniteWeights}).
 */
public final class NonFiniteLogitsException extends ModelException {
    @Serial
    private static final long serialVersionUID = 1L;

    NonFiniteLogitsException() {
        super("the model produced NaN logits");
    }

    /** Throws unless every logit is a number (infinities are fine: a masked token is minus infinity). */
    static void check(float[] logits) {
        for (float value : logits) {
            if (Float.isNaN(value)) {
                throw new NonFiniteLogitsException();
            }
        }
    }
}
