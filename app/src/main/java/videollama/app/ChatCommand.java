package videollama.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.loader.MediaDecoder;
import videollama.model.chat.ChatPrompt;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.llama.LlamaConfig;

/** {@code videollama chat}: a question about a video or an image, answered by Video-LLaMA. */
@Command(name = "chat",
        description = {"Ask Video-LLaMA about a video (with --audio: its pictures and its sound), an image or a sound, as the reference demo does.",
                "Without --question, an interactive chat: one question per line on stdin, an empty line or end of input ends it."})
final class ChatCommand extends AppCommand {

    @Mixin
    SamplingOptions sampling;

    @Mixin
    MediaOptions media;

    @Mixin
    TemplateOption template;

    @Mixin
    BackendOption backend;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Video-LLaMA folder: a Hugging Face LLaMA folder plus the branch weights (*.safetensors) and an optional "
                    + "videollama.json (default: the bundled demo model, whose answers are not meaningful).")
    Path model;

    @Option(names = "--question", paramLabel = "TEXT", description = "The question; without it, an interactive chat on stdin.")
    String question;

    @Option(names = "--system", paramLabel = "TEXT",
            description = "The system message (default: the reference demo's: \"You are able to understand the visual content ...\" "
                    + "for a video or an image, empty when there is sound).")
    String system;

    @Mixin
    ProfileOption profile;

    @Option(names = "--stream", description = "Print the answer as it is generated (the raw text, before the reference's clean-up).")
    boolean stream;

    @Option(names = "--dump", paramLabel = "DIR",
            description = "Write frames, vit.out, image_qformer.out, video_qformer.out, video.tokens (pictures), audio.fbank, "
                    + "audio.encoder.out, audio_qformer.out, audio.tokens (sound), prompt.embeds and logits to DIR/dump.safetensors "
                    + "and the prompt's ids per segment to DIR/prompt.json (the last question's).")
    Path dump;

    /**
     * The longest question taken, in characters (--question or a line of stdin): beyond what any LLaMA context holds
     * (4096 positions of at least one character), and a bound on what one line of stdin may cost in memory.
     */
    static final int MAX_QUESTION_CHARS = 65_536;

    @Override
    public Integer call() {
        CommandLine cli = common.cli();
        SamplingSettings samplingSettings = sampling.settings(cli);
        ChatTemplate chosenTemplate = template.chosen(cli);
        media.check(cli);
        if (question != null && question.length() > MAX_QUESTION_CHARS) {
            throw new CommandLine.ParameterException(cli, "--question is " + question.length() + " characters, more than the "
                    + MAX_QUESTION_CHARS + " taken (more than a model's context holds)");
        }
        MediaDecoder mediaDecoder = media.decoder(cli);
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        Path dir = model != null ? model : CommonOptions.bundledVideoLlama();
        if (dump != null) {
            Dumps.prepare(dump);
        }

        checkAnswerBudget(cli, dir);
        // Everything is checked before any media file is read: the backend, the model, its branches.
        try (ChatSession session = ChatSession.open(dir, backend.open(cli, dir), mediaDecoder, chosenTemplate,
                profile.on, err)) {
            MediaEncoder.Request request = media.request(session.config().frames(), mediaDecoder);
            session.openBranches(request);
            session.upload(request, system);
            session.closeEncoders(); // one upload: the branches' weights are not needed while the LLaMA answers

            ChatTemplate chatTemplate = session.template();
            GenerationSettings settings = sampling.generation(cli, samplingSettings, chatTemplate.stopStrings(),
                    chatTemplate.stopTokenIds(), dump != null);
            String how = SamplingOptions.describe(settings);
            if (how != null) {
                err.println(how);
            }
            Reader stdin = question == null ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
            for (int asked = 0; ; asked++) {
                String q = question != null ? (asked == 0 ? question : null) : prompted(stdin, asked, err);
                if (q == null || question == null && q.isBlank()) {
                    break;
                }
                MediaChat.Answer answer = session.ask(q, settings, stream ? piece -> {
                    out.print(piece);
                    out.flush();
                } : piece -> {});
                print(answer, out, err);
                if (dump != null) {
                    session.dump(dump, answer);
                    err.println("dump: wrote " + dump.resolve("dump.safetensors") + " and " + dump.resolve("prompt.json"));
                }
            }
            String report = session.profileReport();
            if (report != null) {
                err.print(report);
                err.flush();
            }
        }
        return 0;
    }

    /** The next question from stdin after a "question> " (first) or "> " prompt on stderr; null or blank ends the chat. */
    private static String prompted(Reader stdin, int asked, PrintWriter err) {
        err.print(asked == 0 ? "question> " : "> ");
        err.flush();
        try {
            return readQuestion(stdin, asked + 1);
        } catch (Errors.UsageFailure refused) {
            err.println(); // after the "question> " prompt
            throw refused;
        }
    }

    /** The answer on stdout (streamed already with --stream), its numbers on stderr. */
    private void print(MediaChat.Answer answer, PrintWriter out, PrintWriter err) {
        if (stream) {
            out.println();
            if (!answer.text().equals(answer.generation().text().strip())) {
                err.println("note: the reference's clean-up makes the answer: " + answer.text());
            }
        } else {
            out.println(answer.text());
        }
        out.flush();
        err.println(String.format(Locale.ROOT, "prompt: %d positions in %.1f ms; generated: %d tokens, %.1f tok/s%s; stop: %s",
                answer.prompt().length(), answer.generation().prefillNanos() / 1e6, answer.generation().tokens().length,
                answer.generation().decodeTokensPerSecond(), GenerateCommand.beamNote(answer.generation()),
                answer.generation().stopReason().name().toLowerCase(Locale.ROOT)));
        if (answer.prompt().dropped() > 0) {
            err.println("warning: the conversation exceeds the context; its first " + answer.prompt().dropped()
                    + " positions were dropped, as the reference does");
        }
    }

    /**
     * The reference keeps prompt and answer within {@code max_length} (2000, here at most the context) by dropping the
     * prompt's first positions: an answer budget of all of it would leave no prompt, so it is refused before anything is
     * loaded (config.json is read alone). generate, without that dropping, stops at a full context instead.
     */
    private void checkAnswerBudget(CommandLine cli, Path dir) {
        Path configJson = dir.resolve("config.json");
        if (!Files.isRegularFile(configJson)) {
            return; // Llama.load says what is wrong with the folder
        }
        int maxLength = Math.min(ChatPrompt.REFERENCE_MAX_LENGTH, LlamaConfig.load(configJson).maxPositionEmbeddings());
        if (sampling.maxNewTokens >= maxLength) {
            throw new CommandLine.ParameterException(cli, "--max-new-tokens " + sampling.maxNewTokens + " leaves no room for the"
                    + " prompt: prompt and answer share " + maxLength + " positions (the reference's max_length 2000, at most the"
                    + " context, max_position_embeddings in " + configJson + "); at most " + (maxLength - 1));
        }
    }

    /**
     * One question from stdin: a line without its end ("\n", "\r\n"), null at the end of input. A line longer than
     * {@link #MAX_QUESTION_CHARS} is refused once that many characters are read, so a huge line costs no more memory.
     */
    static String readQuestion(Reader in, int number) {
        StringBuilder line = new StringBuilder();
        try {
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    return line.isEmpty() ? null : line.toString();
                }
                if (line.length() == MAX_QUESTION_CHARS) {
                    throw new Errors.UsageFailure("stdin: question " + number + " is longer than " + MAX_QUESTION_CHARS
                            + " characters (more than a model's context holds); ask it in fewer words");
                }
                line.append((char) c);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }
}
