package videollama.loader.audio.aac;

/**
 * A stream this decoder cannot decode: {@link Kind#CORRUPT} data (the packet breaks the syntax or runs out of
 * bits), or an {@link Kind#UNSUPPORTED} part of the standard (another object type, SBR, coupling channels). The
 * message is one line without the file name; the sound sources add the file and the packet.
 */
public final class AacException extends RuntimeException {
    /** Why the stream cannot be decoded. */
    public enum Kind { CORRUPT, UNSUPPORTED }

    private final Kind kind;

    private AacException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    static AacException corrupt(String message) {
        return new AacException(Kind.CORRUPT, message);
    }

    static AacException unsupported(String message) {
        return new AacException(Kind.UNSUPPORTED, message);
    }

    public Kind kind() {
        return kind;
    }
}
