package videollama.app.serve;

import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The streamed answer made to add up to the answer the conversation keeps: the generator streams raw text, and the
 * reference demo cleans the whole answer afterwards ({@code ChatTemplate.cleanAnswer}: cut at the separator, after the
 * last role label, stripped). Each piece is cleaned with everything before it, and only what can no longer change is
 * sent: all but the last {@link #HELD_BACK} characters (a separator or role label may be forming there), and never the
 * trailing white space. {@link #finish} sends the rest.
 */
final class CleanedStream {
    /** Longer than the separators and role labels cleaning acts on ("###", "</s>", "Assistant:", "ASSISTANT:"). */
    static final int HELD_BACK = 16;

    private final UnaryOperator<String> clean;
    private final Consumer<String> send;
    private final StringBuilder raw = new StringBuilder();
    private String sent = "";

    CleanedStream(UnaryOperator<String> clean, Consumer<String> send) {
        this.clean = clean;
        this.send = send;
    }

    void add(String piece) {
        raw.append(piece);
        String cleaned = clean.apply(raw.toString());
        int stable = cleaned.length() - HELD_BACK;
        if (stable > sent.length() && cleaned.startsWith(sent)) {
            sendUpTo(cleaned, stable);
        }
    }

    /**
     * Sends what is left of {@code answer} (the conversation's cleaned answer). False when what was sent is not its start
     * (a role label arrived after the text before it was sent); the stream then differs from the answer.
     */
    boolean finish(String answer) {
        if (!answer.startsWith(sent)) {
            return false;
        }
        sendUpTo(answer, answer.length());
        return true;
    }

    private void sendUpTo(String cleaned, int end) {
        if (end > sent.length()) {
            send.accept(cleaned.substring(sent.length(), end));
            sent = cleaned.substring(0, end);
        }
    }
}
