package videollama.kernels;

/** When a graph copies a buffer between host and device (TornadoVM's data-transfer modes). */
public enum Transfer {
    /** At the first replay only: weights and constant tables. */
    ONCE,
    /** At every replay: the inputs and outputs of a step (a token id, a position, logits). */
    EVERY
}
