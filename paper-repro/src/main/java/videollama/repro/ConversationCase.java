package videollama.repro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import videollama.app.Errors;
import videollama.app.SamplingOptions;
import videollama.loader.FrameSampling;
import videollama.model.chat.ChatTemplate;

/**
 * One conversation of {@code eval conversations}' cases file (a JSON list of these, field names in snake case): the
 * media (exactly one of {@code video}, {@code image}, {@code audio_only}; {@code audio: true} hears a video's sound
 * track too; paths relative to the cases file), the questions asked one after the other in the same conversation, and
 * how: {@code template}, {@code system}, {@code frames}, {@code sampling} and {@code seed} (each optional: the model's
 * or the reference demo's defaults, a fresh seed that the transcript records). An unknown field is an error, so that
 * a misspelt setting is not silently ignored.
 */
public record ConversationCase(String name, String video, String image, String audioOnly, Boolean audio, List<String> questions,
                               String template, String system, Integer frames, Sampling sampling, Long seed) {

    /** The generation settings; absent ones are the reference demo's ({@code chat}'s defaults). */
    public record Sampling(Integer maxNewTokens, Float temperature, Integer topK, Float topP, Integer numBeams, Double lengthPenalty,
                           Float repetitionPenalty, Integer minLength) {}

    // eval's files ignore unknown fields; a cases file, written by hand, must not
    private static final ObjectMapper JSON = PredictionFile.JSON.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** A case checked against the files it names: its media resolved, its sampling flags parsed. */
    public record Checked(ConversationCase source, String title, Path video, Path image, Path audioOnly, boolean audio,
                          ChatTemplate template, SamplingOptions sampling) {}

    /** The cases of {@code file}, each checked; a bad one is an error naming the file, the case and the field. */
    public static List<Checked> read(Path file) {
        List<ConversationCase> cases;
        try {
            cases = List.of(JSON.readValue(file.toFile(), ConversationCase[].class));
        } catch (JsonProcessingException e) {
            throw new Errors.UsageFailure(file + ": not a JSON list of conversation cases (" + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new Errors.UsageFailure(file + ": cannot read (" + e.getMessage() + ")");
        }
        if (cases.isEmpty()) {
            throw new Errors.UsageFailure(file + ": no cases");
        }
        List<Checked> out = new ArrayList<>();
        Path folder = file.toAbsolutePath().getParent();
        for (int i = 0; i < cases.size(); i++) {
            out.add(cases.get(i).check(file, folder, i + 1));
        }
        return out;
    }

    private Checked check(Path file, Path folder, int number) {
        String title = name != null && !name.isBlank() ? name : "case " + number;
        String where = file + ": case " + number + (name != null ? " (" + name + ")" : "") + ": ";
        int media = (video != null ? 1 : 0) + (image != null ? 1 : 0) + (audioOnly != null ? 1 : 0);
        if (media != 1) {
            throw new Errors.UsageFailure(where + "needs exactly one of video, image and audio_only");
        }
        boolean withAudio = Boolean.TRUE.equals(audio);
        if (withAudio && video == null) {
            throw new Errors.UsageFailure(where + "audio: true hears a video's sound track: it needs video (audio_only for a sound file)");
        }
        if (questions == null || questions.isEmpty() || questions.stream().anyMatch(q -> q == null || q.isBlank())) {
            throw new Errors.UsageFailure(where + "needs questions: a list of non-empty strings");
        }
        ChatTemplate chatTemplate = null;
        if (template != null) {
            try {
                chatTemplate = ChatTemplate.byId(template);
            } catch (IllegalArgumentException e) {
                throw new Errors.UsageFailure(where + "template: " + e.getMessage());
            }
        }
        if (frames != null) {
            try {
                FrameSampling.checkRequested(frames);
            } catch (RuntimeException e) {
                throw new Errors.UsageFailure(where + "frames: " + e.getMessage());
            }
        }
        return new Checked(this, title, existing(folder, video, where), existing(folder, image, where),
                existing(folder, audioOnly, where), withAudio, chatTemplate, samplingOptions(where));
    }

    private static Path existing(Path folder, String name, String where) {
        if (name == null) {
            return null;
        }
        Path p = folder.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new Errors.UsageFailure(where + p + ": not found");
        }
        return p;
    }

    /** {@code chat}'s own sampling flags, filled from this case, so that both check and default them alike. */
    private SamplingOptions samplingOptions(String where) {
        List<String> args = new ArrayList<>();
        if (sampling != null) {
            add(args, "--max-new-tokens", sampling.maxNewTokens());
            add(args, "--temperature", sampling.temperature());
            add(args, "--top-k", sampling.topK());
            add(args, "--top-p", sampling.topP());
            add(args, "--num-beams", sampling.numBeams());
            add(args, "--length-penalty", sampling.lengthPenalty());
            add(args, "--repetition-penalty", sampling.repetitionPenalty());
            add(args, "--min-length", sampling.minLength());
        }
        add(args, "--seed", seed);
        SamplingOptions options = new SamplingOptions();
        CommandLine cli = new CommandLine(options);
        try {
            cli.parseArgs(args.toArray(String[]::new));
            options.generation(cli, options.settings(cli), List.of(), List.of(), false); // checks the values
        } catch (CommandLine.ParameterException e) {
            throw new Errors.UsageFailure(where + "sampling: " + e.getMessage());
        }
        return options;
    }

    private static void add(List<String> args, String flag, Object value) {
        if (value != null) {
            args.add(flag);
            args.add(value.toString());
        }
    }
}
