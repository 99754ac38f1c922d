package videollama.repro;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.app.BackendOption;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.app.ModelSummary;
import videollama.app.OptionValues;
import videollama.kernels.Backend;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.ClipSampler;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.MediaChat;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * {@code videollama eval conversations}: the demo's conversations replayed from a cases file ({@link
 * ConversationCase}) into a Markdown transcript with the time of each stage. Each conversation is what {@code chat}
 * does with the same media, template, sampling and seed, its questions asked one after the other in app's
 * {@link ChatSession} (one for all cases: the model loaded, its branches opened and each media file encoded once).
 */
@Command(name = "conversations", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Replay conversations about videos, images or sounds from a JSON cases file into a Markdown transcript with per-stage timings.",
                "A case: {\"name\", \"video\" | \"image\" | \"audio_only\", \"audio\": true|false, \"questions\": [...], \"template\", \"system\", "
                        + "\"frames\", \"sampling\": {\"temperature\", \"top_k\", \"top_p\", \"max_new_tokens\", \"num_beams\", \"length_penalty\", \"repetition_penalty\", \"min_length\"}, \"seed\"}; paths relative to the file."})
public final class ConversationsCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--cases", required = true, paramLabel = "FILE", description = "A JSON list of conversation cases.")
    Path cases;

    @Option(names = "--out", required = true, paramLabel = "FILE.md", description = "The transcript to write.")
    Path out;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Video-LLaMA folder, as chat takes it.")
    Path model;

    @Mixin
    BackendOption backend;

    @Option(names = "--decoder", paramLabel = "NAME", description = "ffmpeg or java (default: ffmpeg where its natives load, else java).")
    String decoder;

    /** One question and its answer, with where the time went. */
    record Turn(String question, String answer, int promptPositions, int droppedPositions, double prefillMs, int tokens,
                double decodeMs, double decodeTokensPerSecond, String stop) {}

    /**
     * A replayed case: the settings it ran with (defaults filled in) and its turns; {@code mediaMs} is NaN where an earlier
     * case's upload of the same media was reused.
     */
    record Conversation(ConversationCase.Checked source, ChatTemplate template, String system, int frames,
                        GenerationSettings settings, boolean seedGiven, double mediaMs, List<Turn> turns) {}

    @Override
    public Integer call() throws IOException {
        CommandLine cli = spec.commandLine();
        if (!out.getFileName().toString().endsWith(".md")) {
            throw new CommandLine.ParameterException(cli, "--out must name a .md file, got " + out);
        }
        List<ConversationCase.Checked> checked = ConversationCase.read(cases);
        boolean decodes = checked.stream().anyMatch(c -> c.image() == null);
        MediaDecoder mediaDecoder = decodes || decoder != null ? OptionValues.decoder(cli, decoder) : null;
        PrintWriter err = cli.getErr();
        List<Conversation> done = new ArrayList<>();
        String header;
        try (ChatSession session = ChatSession.open(model, backend.open(cli, model), null, null, false, err)) {
            Backend compute = session.backend();
            header = Transcript.header(spec.root().version()[0], Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), model,
                    ModelSummary.of(session.llama()), compute.name() + " (" + compute.device() + ")", mediaDecoder == null ? null : mediaDecoder.describe());
            for (ConversationCase.Checked c : checked) {
                err.println("conversation: " + c.title());
                done.add(replay(c, session, mediaDecoder));
            }
        }
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Transcript.markdown(header, done), StandardCharsets.UTF_8);
        err.println("conversations: " + done.size() + " written to " + out);
        return 0;
    }

    private Conversation replay(ConversationCase.Checked c, ChatSession session, MediaDecoder mediaDecoder) {
        ChatTemplate template = OptionValues.template(c.template(), session.config(), session.llama().config().vocabSize());
        int frames = c.source().frames() != null ? c.source().frames() : session.config().frames();
        // chat's defaults for the sound clips: pytorchvideo 0.1.5's step, the clip means subtracted in place
        ClipOptions clips = new ClipOptions(ClipSampler.Step.EIGHTHS, true);
        MediaEncoder.Request request = new MediaEncoder.Request(c.video(), c.image(), c.audioOnly(), c.audio(), frames, clips,
                c.image() != null ? null : mediaDecoder);
        boolean encoded = session.encoded(request);
        long start = System.nanoTime();
        MediaEncoder.Upload upload = session.upload(request, c.source().system(), template);
        double mediaMs = encoded ? Double.NaN : (System.nanoTime() - start) / 1e6;
        SamplingSettings sampling = c.sampling().settings(spec.commandLine());
        GenerationSettings settings = c.sampling().generation(spec.commandLine(), sampling, template.stopStrings(),
                template.stopTokenIds(), false);
        String system = c.source().system() != null ? c.source().system() : upload.defaultSystem();
        List<Turn> turns = new ArrayList<>();
        for (String question : c.source().questions()) {
            MediaChat.Answer a = session.ask(question, settings, piece -> {});
            turns.add(new Turn(question, a.text(), a.prompt().length(), a.prompt().dropped(), a.generation().prefillNanos() / 1e6,
                    a.generation().tokens().length, a.generation().decodeNanos() / 1e6, a.generation().decodeTokensPerSecond(),
                    a.generation().stopReason().name().toLowerCase(Locale.ROOT)));
        }
        return new Conversation(c, template, system, frames, settings, c.sampling().seedGiven(), mediaMs, turns);
    }
}
