package videollama.model.chat;

import java.util.List;
import java.util.Locale;

/**
 * The two conversation formats of Video-LLaMA's {@code conversation_video.py} (docs/model.md section 6.1): Vicuna's
 * {@code ###} style and LLaMA-2-Chat's {@code [INST]} style, with their default system messages, stop strings
 * and answer clean-up.
 */
public enum ChatTemplate {
    /** {@code {system}###Human: {msg}###Assistant:} — Vicuna v0, roles Human/Assistant, sep {@code ###}. */
    VICUNA,
    /** {@code [INST] <<SYS>>\n{system}\n<</SYS>>\n\n{msg} [/INST]} — LLaMA-2-Chat, sep {@code <s>}, sep2 {@code </s>}. */
    LLAMA2;

    /** {@code llama2} or {@code vicuna}, as on the command line and in {@code videollama.json}: the name in lower case. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String defaultSystem() {
        return switch (this) {
            case VICUNA -> "";
            case LLAMA2 -> "You are a helpful language and vision assistant. You are able to understand the visual content"
                    + " that the user provides, and assist the user with a variety of tasks using natural language.";
        };
    }

    /** Texts that end an answer besides EOS (Vicuna's separator; LLaMA-2 stops on EOS alone). */
    public List<String> stopStrings() {
        return this == VICUNA ? List.of("###") : List.of();
    }

    /**
     * The reference's {@code StoppingCriteriaSub} ids, as {@code Chat.answer} hard-codes them for the LLaMA
     * tokenizer: Vicuna's {@code ###} as {@code [835]} or {@code [2277, 29937]}, LLaMA-2's EOS {@code [2]}. They
     * decide when a beam search stops (on the best running beam); without beams the stop string and EOS stop first.
     */
    public List<int[]> stopTokenIds() {
        return switch (this) {
            case VICUNA -> List.of(new int[] {835}, new int[] {2277, 29937});
            case LLAMA2 -> List.of(new int[] {2});
        };
    }

    public static ChatTemplate byId(String id) {
        for (ChatTemplate t : values()) {
            if (t.id().equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown template '" + id + "' (choose llama2 or vicuna)");
    }

    /** The template a model uses when nothing says otherwise: Vicuna v0 has 32001 tokens ([PAD] added), LLaMA-2 not. */
    public static ChatTemplate forVocabulary(int vocabSize) {
        return vocabSize == 32001 ? VICUNA : LLAMA2;
    }

    /** One exchange: the user's message and the assistant's answer ({@code null} while it is pending). */
    public record Turn(String user, String assistant) {}

    /**
     * The prompt for a conversation whose last turn's answer is pending, exactly as the reference
     * {@code Conversation.get_prompt()} builds it.
     */
    public String render(String system, List<Turn> turns) {
        if (turns.isEmpty() || turns.getLast().assistant() != null) {
            throw new IllegalArgumentException("the last turn must await the assistant's answer");
        }
        StringBuilder s = new StringBuilder();
        switch (this) {
            case VICUNA -> {
                s.append(system).append("###");
                for (Turn t : turns) {
                    s.append("Human: ").append(t.user()).append("###");
                    s.append(t.assistant() == null ? "Assistant:" : "Assistant: " + t.assistant() + "###");
                }
            }
            case LLAMA2 -> {
                for (int i = 0; i < turns.size(); i++) {
                    Turn t = turns.get(i);
                    String user = i == 0 ? "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + t.user() : t.user();
                    // Each user turn is preceded by sep "<s>"; the reference strips the leading "<s>" of the first
                    // with lstrip("<s>"), and the tokenizer adds the real BOS in front.
                    s.append(i == 0 ? "" : "<s>").append("[INST] ").append(user).append(" [/INST]");
                    if (t.assistant() != null) {
                        s.append(' ').append(t.assistant()).append(" </s>");
                    }
                }
            }
        }
        return s.toString();
    }

    /** The reference demo's clean-up of a decoded answer (docs/model.md section 6.4). */
    public String cleanAnswer(String decoded) {
        String sep = this == VICUNA ? "###" : "</s>";
        String role = this == VICUNA ? "Assistant:" : "ASSISTANT:";
        String answer = decoded;
        int cut = answer.indexOf(sep);
        if (cut >= 0) {
            answer = answer.substring(0, cut);
        }
        int last = answer.lastIndexOf(role);
        if (last >= 0) {
            answer = answer.substring(last + role.length());
        }
        return answer.strip();
    }
}
