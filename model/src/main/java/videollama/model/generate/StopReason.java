package videollama.model.generate;

/** Why generation ended. */
public enum StopReason {
    /** The model produced an end-of-sequence token (with beams: the returned sequence is a finished one). */
    EOS,
    /** The text produced a stop string (e.g. Vicuna's {@code ###}). */
    STOP_STRING,
    /** The ids (with beams: the best running beam's) ended with a stop id sequence (the reference's stopping criterion). */
    STOP_TOKENS,
    /** {@code max-new-tokens} were generated. */
    LENGTH,
    /** The model's context ({@code max_position_embeddings}) is full. */
    CONTEXT
}
