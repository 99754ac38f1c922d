package videollama.weights;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Strict UTF-8 decoding for the names and strings read from files we did not write (safetensors headers, pickles,
 * the tokenizer's protobuf): a malformed byte is an error, never a replacement character in a tensor name or a
 * token. {@code new String(bytes, UTF_8)} would replace it silently.
 */
public final class StrictUtf8 {
    private StrictUtf8() {
    }

    /**
     * The text of {@code length} bytes from {@code offset}.
     *
     * @param error makes the caller's exception (which names the file and the field) from the decoder's
     */
    public static <X extends RuntimeException> String decode(byte[] bytes, int offset, int length,
                                                             Function<CharacterCodingException, X> error) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error.apply(e);
        }
    }

    /** The text of all of {@code bytes}; see {@link #decode(byte[], int, int, Function)}. */
    public static <X extends RuntimeException> String decode(byte[] bytes, Function<CharacterCodingException, X> error) {
        return decode(bytes, 0, bytes.length, error);
    }
}
