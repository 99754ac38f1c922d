package videollama.model.tokenizer;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import videollama.model.ModelException;

/**
 * Jazzer fuzz test of {@link SentencePieceTokenizer#load}, the {@code tokenizer.model} protobuf reader and the checks
 * on what it read: any bytes either load as a tokenizer that encodes and decodes a text with every kind of piece
 * (spaces, bytes outside the vocabulary, control strings), or are refused with a one-line {@link ModelException}
 * naming the file; never another exception, an out-of-memory error or a hang. Seeds: the bundled
 * {@code stories260K} tokenizer and the test variants, in
 * {@code src/test/resources/videollama/model/tokenizer/TokenizerModelFuzzTestInputs/loadTokenizer/}.
 */
class TokenizerModelFuzzTest {
    private static final String TEXT = "Hello  world!\n<s>é中 🦙</s> 0x41 ▁<unk>";
    private static final Path FILE;

    static {
        try {
            FILE = Files.createTempFile("fuzz-", ".model");
            FILE.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest
    void loadTokenizer(byte[] input) throws IOException {
        Files.write(FILE, input);
        SentencePieceTokenizer tokenizer;
        try {
            tokenizer = SentencePieceTokenizer.load(FILE);
        } catch (ModelException e) {
            String message = e.getMessage();
            if (message == null || !message.contains(FILE.toString()) || message.contains("\n")) {
                throw new AssertionError("a refusal that is not one line naming the file: " + message, e);
            }
            return;
        }
        tokenizer.decode(tokenizer.encode(TEXT));
        tokenizer.decode(tokenizer.encodeSentencePiece(TEXT));
    }
}
