package videollama.model.generate;

/** Why generation ended. */
public enum StopReason {
    /** The model produced an end-of-sequence token. */
    EOS,
    /** The text produced a stop string (e.g. Vicuna's {@code ###}). */
    STOP_STRING,
    /** {@code max-new-tokens} were generated. */
    LENGTH,
    /** The model's context ({@code max_position_embeddings}) is full. */
    CONTEXT
}
