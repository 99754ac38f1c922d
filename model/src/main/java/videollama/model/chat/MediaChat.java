package videollama.model.chat;

import java.util.List;
import java.util.function.Consumer;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.model.generate.Generation;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.Generator;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;

/**
 * A multi-turn chat about uploaded media, as the reference {@code Chat} runs it: every question renders the whole
 * conversation, splices the media's soft tokens into it ({@link ChatPrompt}), prefills a fresh sequence and
 * generates; the answer is cleaned as the demo does ({@code Chat.answer}) and becomes part of the next prompt.
 */
public final class MediaChat {
    private final Llama llama;
    private final Backend backend;
    private final Conversation conversation;
    private final List<SoftTokens> media;
    private final GenerationSettings settings;
    private final int maxLength;
    private Consumer<String> prefillProgress = line -> {};

    /** What one question produced. */
    public record Answer(String text, ChatPrompt prompt, Generation generation) {}

    /**
     * @param upload    the upload message with one placeholder per media item ({@link DemoMessages})
     * @param media     the items' soft tokens, in placeholder order
     * @param maxLength the reference's context limit for prompt plus answer ({@link ChatPrompt#REFERENCE_MAX_LENGTH}),
     *                  further capped by the model's own context
     */
    public MediaChat(Llama llama, Backend backend, ChatTemplate template, String system, String upload,
                     List<SoftTokens> media, GenerationSettings settings, int maxLength) {
        this.llama = llama;
        this.backend = backend;
        this.conversation = new Conversation(template, system);
        this.conversation.upload(upload);
        this.media = List.copyOf(media);
        this.settings = settings;
        this.maxLength = Math.min(maxLength, llama.config().maxPositionEmbeddings());
    }

    /** Where the prefill's progress lines go ({@link LlamaSession#progress}; default: nowhere). */
    public void progress(Consumer<String> prefillLines) {
        this.prefillProgress = prefillLines;
    }

    public Conversation conversation() {
        return conversation;
    }

    /**
     * Answers {@code question}, passing the raw text to {@code onText} as it is generated (before the clean-up).
     */
    public Answer ask(String question, Consumer<String> onText) {
        return ask(question, null, onText);
    }

    /** {@link #ask(String, Consumer)}, recording every kernel's device time into {@code profile} (null: none). */
    public Answer ask(String question, Profile profile, Consumer<String> onText) {
        return ask(question, settings, profile, onText);
    }

    /**
     * {@link #ask(String, Profile, Consumer)} with this question's own generation settings (a server's request, a
     * slider moved between two questions of the demo); the conversation so far is kept.
     */
    public Answer ask(String question, GenerationSettings settings, Profile profile, Consumer<String> onText) {
        conversation.ask(question);
        ChatPrompt prompt = ChatPrompt.build(conversation.prompt(), media, llama.tokenizer(), llama::embed,
                settings.maxNewTokens(), maxLength);
        int capacity = Math.min(llama.config().maxPositionEmbeddings(), prompt.length() + Math.max(1, settings.maxNewTokens()));
        Generation generation;
        try (LlamaSession session = llama.newSession(backend, capacity)) {
            session.profile(profile);
            session.progress(prefillProgress);
            generation = new Generator(llama.tokenizer()).generate(session, prompt.embeddings(), prompt.length(), settings,
                    false, onText);
        }
        String answer = conversation.template().cleanAnswer(generation.text());
        conversation.answer(answer);
        return new Answer(answer, prompt, generation);
    }
}
