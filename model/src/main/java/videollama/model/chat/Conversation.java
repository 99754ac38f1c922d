package videollama.model.chat;

import java.util.ArrayList;
import java.util.List;

/**
 * One chat about uploaded media, as the reference's {@code Conversation} and {@code Chat.ask}/{@code Chat.answer}
 * keep it: the upload adds a user message with the placeholders; the first question joins that message after a
 * space; each answer (cleaned) becomes the assistant's message; later questions open new turns. The prompt is
 * rendered afresh for every answer, the whole conversation included.
 */
public final class Conversation {
    private final ChatTemplate template;
    private final String system;
    private final List<ChatTemplate.Turn> answered = new ArrayList<>();
    /** The user message awaiting its answer, or null. */
    private String pending;
    /** Whether {@link #pending} holds the upload message (so a question joins it). */
    private boolean pendingIsUpload;

    public Conversation(ChatTemplate template, String system) {
        this.template = template;
        this.system = system;
    }

    public ChatTemplate template() {
        return template;
    }

    /** Adds the upload message (an image, video or audio-video body of {@link DemoMessages}) as a user message. */
    public void upload(String body) {
        if (pending != null) {
            throw new IllegalStateException("a user message is already waiting for its answer");
        }
        pending = body;
        pendingIsUpload = true;
    }

    /**
     * Adds a question: joined with one space to a pending upload message, otherwise a new user turn. (The reference
     * joins when the last message is the user's and contains {@code </Video>} or {@code </Image>}: true of every
     * upload message it makes, and of nothing else; the sound-only message of {@link DemoMessages#AUDIO}, which
     * the reference lacks, joins the same way.)
     */
    public void ask(String question) {
        if (pending == null) {
            pending = question;
        } else if (pendingIsUpload) {
            pending = pending + " " + question;
        } else {
            throw new IllegalStateException("the previous question has not been answered yet");
        }
    }

    /** True when a user message awaits an answer. */
    public boolean awaitsAnswer() {
        return pending != null;
    }

    /** The prompt for the pending answer, exactly as {@code Conversation.get_prompt()} renders it. */
    public String prompt() {
        if (pending == null) {
            throw new IllegalStateException("no question to answer");
        }
        List<ChatTemplate.Turn> turns = new ArrayList<>(answered);
        turns.add(new ChatTemplate.Turn(pending, null));
        return template.render(system, turns);
    }

    /** Records the (cleaned) answer to the pending message; it is part of every later prompt. */
    public void answer(String answer) {
        if (pending == null) {
            throw new IllegalStateException("no question to answer");
        }
        answered.add(new ChatTemplate.Turn(pending, answer));
        pending = null;
        pendingIsUpload = false;
    }

    /** The answered turns so far. */
    public List<ChatTemplate.Turn> turns() {
        return List.copyOf(answered);
    }
}
