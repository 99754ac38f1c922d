package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.loader.MediaDecoder;
import videollama.model.NonFiniteWeights;
import videollama.model.chat.ChatPrompt;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.NonFiniteLogitsException;
import videollama.model.llama.Llama;
import videollama.model.videollama.VideoLlamaConfig;

/**
 * A Video-LLaMA chat without a command line around it: the model folder opened once on its backend, media encoded
 * once (each upload kept, so asking about it again costs only the LLaMA), any number of questions in one
 * conversation, each with its own generation settings, the answer streamed to a listener. {@code chat} prints what
 * it returns; a server or a batch evaluator holds one per model. Messages about the work (loading, encoding, the
 * prefill's progress) go to the log writer given, never to stdout.
 *
 * <p>Not thread-safe: one question at a time, as the one model and its key/value cache allow.
 */
public final class ChatSession implements AutoCloseable {
    /** How many encoded uploads are kept for asking about them again. */
    public static final int KEPT_UPLOADS = 16;

    private final Path modelDir;
    private final LoadedLlama loaded;
    private final Backend backend;
    private final Llama llama;
    private final VideoLlamaConfig config;
    private final ChatTemplate template;
    private final PrintWriter log;
    private final Progress progress;
    private Consumer<String> prefillProgress;
    private final Profiles profiles;
    /**
     * The uploads encoded so far, the least recently used dropped past {@link #KEPT_UPLOADS} (an upload keeps its
     * {@code --dump} stages too: a video's 8 frames alone are 4.8 MB of floats).
     */
    private final Map<MediaEncoder.Request, MediaEncoder.Upload> uploads = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<MediaEncoder.Request, MediaEncoder.Upload> eldest) {
            return size() > KEPT_UPLOADS;
        }
    };
    private MediaEncoder encoder;
    private MediaEncoder.Upload upload;
    private ChatTemplate conversationTemplate;
    private String system;
    private MediaChat chat;

    /**
     * Kernel times, one table per graph kind (the encoders run once per upload, the LLaMA's graphs once per position);
     * null where profiling is off.
     */
    private record Profiles(Profile vision, Profile audio, Profile llama) {}

    private ChatSession(Path modelDir, LoadedLlama loaded, ChatTemplate chosenTemplate, boolean profile, PrintWriter log) {
        this.modelDir = modelDir;
        this.loaded = loaded;
        this.backend = loaded.backend();
        this.llama = loaded.llama();
        this.config = VideoLlamaConfig.load(modelDir);
        this.template = OptionValues.template(chosenTemplate, config, llama.config().vocabSize());
        this.log = log;
        this.progress = new Progress(log);
        this.prefillProgress = progress.parts("prefill on " + backend.name());
        this.profiles = profile ? new Profiles(new Profile(), new Profile(), new Profile()) : null;
    }

    /**
     * Loads the LLaMA of {@code modelDir} onto the chosen backend and says so on {@code log} ("loading DIR ...", the
     * backend's line, the media decoder's). The session owns the backend from here: {@link #close} closes it, and so
     * does a failed load.
     *
     * @param decoder  the decoder the requests will name, said on {@code log} (null: none, an image alone)
     * @param template the chat template, null for the folder's ({@code videollama.json}, else by vocabulary)
     * @param profile  whether to time every kernel ({@link #profileReport})
     */
    public static ChatSession open(Path modelDir, BackendChoice choice, MediaDecoder decoder, ChatTemplate template, boolean profile,
                                   PrintWriter log) {
        LoadedLlama loaded = LoadedLlama.open(modelDir, choice, log);
        try {
            if (decoder != null) {
                log.println("media: " + decoder.describe());
            }
            return new ChatSession(modelDir, loaded, template, profile, log);
        } catch (RuntimeException | Error e) {
            loaded.close();
            throw e;
        }
    }

    public Llama llama() {
        return llama;
    }

    public Backend backend() {
        return backend;
    }

    /** The folder's {@code videollama.json} (its default frame count). */
    public VideoLlamaConfig config() {
        return config;
    }

    /**
     * The template prompts are rendered with unless an upload names its own; its stop strings and ids belong in the
     * generation settings.
     */
    public ChatTemplate template() {
        return template;
    }

    /**
     * Opens every branch {@code request} needs ("loading the vision branch of DIR ..."), so that a model without one is
     * refused before any media file is read.
     */
    public void openBranches(MediaEncoder.Request request) {
        MediaEncoder branches = encoder();
        progress.step("loading the " + (request.soundOnly() != null ? "audio branch" : request.withAudio() ? "vision and audio branches"
                : "vision branch") + " of " + modelDir, () -> branches.openFor(request));
    }

    /**
     * Encodes {@code request} (once: the same request again reuses its soft tokens) and starts a new conversation about
     * it, with {@code system} as the system message (null: the one the reference demo sets for that kind of upload).
     */
    public MediaEncoder.Upload upload(MediaEncoder.Request request, String system) {
        return upload(request, system, template);
    }

    /** {@link #upload(MediaEncoder.Request, String)}, the conversation rendered with its own {@code template}. */
    public MediaEncoder.Upload upload(MediaEncoder.Request request, String system, ChatTemplate template) {
        MediaEncoder.Upload encoded = uploads.get(request);
        if (encoded == null) {
            encoded = encoder().encode(request);
            uploads.put(request, encoded);
        }
        upload(encoded, system);
        conversationTemplate = template;
        return encoded;
    }

    /**
     * Starts a new conversation about media encoded elsewhere (a cache of soft tokens on disk, as {@code eval qa}
     * keeps), with {@code system} as the system message (null: the upload's default).
     */
    public void upload(MediaEncoder.Upload encoded, String system) {
        this.upload = encoded;
        this.conversationTemplate = template;
        this.system = system != null ? system : encoded.defaultSystem();
        restart();
    }

    /** No prefill progress on the log (a run of thousands of short questions). */
    public void hidePrefillProgress() {
        prefillProgress = line -> {};
    }

    /** Whether {@code request} was encoded already (its upload is kept). */
    public boolean encoded(MediaEncoder.Request request) {
        return uploads.containsKey(request);
    }

    /** Frees the branches' weights (on a device: their uploaded copies); a later upload opens them again. */
    public void closeEncoders() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }

    /** Forgets the questions and answers so far, keeping the upload (the reference demo's Restart). */
    public void restart() {
        chat = null;
    }

    /**
     * Answers {@code question} in the conversation about the last upload, passing the raw text to {@code onText} as it is
     * generated (before the reference's clean-up); the cleaned answer joins the conversation.
     *
     * @throws IllegalStateException before any {@link #upload}
     * @throws Errors.OutOfMemory    when the key/value cache does not fit, naming the model
     */
    public MediaChat.Answer ask(String question, GenerationSettings settings, Consumer<String> onText) {
        if (upload == null) {
            throw new IllegalStateException("nothing uploaded to ask about");
        }
        if (chat == null) {
            chat = new MediaChat(llama, backend, conversationTemplate, system, upload.message(), upload.items(), settings,
                    ChatPrompt.REFERENCE_MAX_LENGTH);
            chat.progress(prefillProgress);
        }
        try {
            return chat.ask(question, settings, profiles != null ? profiles.llama() : null, onText);
        } catch (NonFiniteLogitsException e) {
            throw NonFiniteWeights.explain(modelDir, e);
        } catch (OutOfMemoryError e) {
            throw new Errors.OutOfMemory("answering with the LLaMA of " + modelDir + " (its key/value cache)", e);
        }
    }

    /**
     * Writes the upload's stages, {@code answer}'s prompt embeddings and logits to {@code dir}/dump.safetensors and the
     * prompt's ids per segment to {@code dir}/prompt.json ({@code --dump}; the logits are there when the settings kept them).
     */
    public void dump(Path dir, MediaChat.Answer answer) {
        Dumps.write(dir, upload.dumps(), new PromptIds(answer.prompt().segmentIds()), answer.prompt().embeddings(),
                llama.config().hiddenSize(), answer.generation().logits(), llama.config().vocabSize());
    }

    /**
     * The kernel tables so far ("profile: vision branch, ..."), one per graph kind that ran; null when profiling is off.
     */
    public String profileReport() {
        if (profiles == null) {
            return null;
        }
        if (profiles.llama().replays() == 0) {
            return "profile: the " + backend.name() + " backend runs no kernels to time\n";
        }
        StringBuilder report = new StringBuilder();
        if (profiles.vision().replays() > 0) {
            report.append("profile: vision branch, ").append(profiles.vision().replays()).append(" graph replay(s)\n")
                    .append(profiles.vision().table(0));
        }
        if (profiles.audio().replays() > 0) {
            report.append("profile: audio branch, ").append(profiles.audio().replays()).append(" graph replay(s)\n")
                    .append(profiles.audio().table(0));
        }
        return report.append("profile: LLaMA, ").append(profiles.llama().replays())
                .append(" graph replays (prompt and decode steps)\n").append(profiles.llama().table(0)).toString();
    }

    private MediaEncoder encoder() {
        if (encoder == null) {
            encoder = new MediaEncoder(modelDir, backend, llama.config().hiddenSize(), log,
                    profiles != null ? profiles.vision() : null, profiles != null ? profiles.audio() : null);
        }
        return encoder;
    }

    @Override
    public void close() {
        try {
            closeEncoders();
        } finally {
            loaded.close();
        }
    }
}
