package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.model.NonFiniteWeights;
import videollama.model.chat.ChatTemplate;
import videollama.model.generate.Generation;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.Generator;
import videollama.model.generate.NonFiniteLogitsException;
import videollama.model.generate.SamplingSettings;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;

/** {@code videollama generate}: text in, text out, with a LLaMA-family model. */
@Command(name = "generate",
        description = "Generate text with a LLaMA / LLaMA-2 / Vicuna model folder (Hugging Face layout).")
final class GenerateCommand extends AppCommand {

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model folder: config.json, *.safetensors, tokenizer.model (default: the bundled stories260K).")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", defaultValue = "", description = "The prompt (default: empty).")
    String prompt;

    @Option(names = "--raw", description = "No chat template: the prompt is encoded as is, after BOS, and echoed before the continuation.")
    boolean raw;

    @Option(names = "--template", paramLabel = "NAME",
            description = "Chat template: llama2 or vicuna (default: vicuna for a 32001-token vocabulary, else llama2).")
    String template;

    @Mixin
    BackendOption backend;

    @Mixin
    ProfileOption profile;

    @Option(names = "--dump", paramLabel = "DIR", description = "Write prompt.embeds and logits to DIR/dump.safetensors and the prompt's ids to DIR/prompt.json.")
    Path dump;

    @Override
    public Integer call() {
        CommandLine cli = common.cli();
        SamplingSettings samplingSettings = sampling.settings(cli);
        ChatTemplate chatTemplate = null;
        if (!raw) {
            chatTemplate = template == null ? null : OptionValues.template(cli, template);
        } else if (template != null) {
            throw new CommandLine.ParameterException(cli, "--template and --raw exclude each other");
        }
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();

        Path dir = CommonOptions.modelOrBundled(model);
        if (dump != null) {
            Dumps.prepare(dump);
        }
        // The backend first: a missing device is reported before a long model load.
        try (LoadedLlama loaded = LoadedLlama.open(dir, backend.open(cli, dir), err)) {
            Backend compute = loaded.backend();
            Llama llama = loaded.llama();
            if (chatTemplate == null && !raw) {
                chatTemplate = ChatTemplate.forVocabulary(llama.config().vocabSize());
            }
            String text = raw ? prompt : chatTemplate.render(chatTemplate.defaultSystem(), List.of(new ChatTemplate.Turn(prompt, null)));
            PromptIds ids = PromptIds.withBos(llama.tokenizer(), text);
            int context = llama.config().maxPositionEmbeddings();
            if (ids.length() >= context) {
                throw new Errors.UsageFailure("--prompt is " + ids.length() + " tokens, which does not fit the context of "
                        + context + " positions (max_position_embeddings in " + dir.resolve("config.json") + ")");
            }
            if ((long) ids.length() + sampling.maxNewTokens > context) {
                // as llama.cpp does with -n beyond its context; transformers would only warn and run past the trained positions
                err.println("note: --max-new-tokens " + sampling.maxNewTokens + " is more than the " + (context - ids.length())
                        + " positions the prompt leaves in the context of " + context + ": generation stops when it is full");
                // every budget past the room left ends alike, at the full context ("stop: context"); this one keeps + 1 in range
                sampling.maxNewTokens = context;
            }
            List<String> stops = chatTemplate == null ? List.of() : chatTemplate.stopStrings();
            List<int[]> stopIds = chatTemplate == null ? List.of() : chatTemplate.stopTokenIds();
            GenerationSettings settings = sampling.generation(cli, samplingSettings, stops, stopIds, dump != null);
            String how = SamplingOptions.describe(settings);
            if (how != null) {
                err.println(how);
            }
            int capacity = (int) Math.min(context, (long) ids.length() + Math.max(1, sampling.maxNewTokens));
            try (LlamaSession session = llama.newSession(compute, capacity)) {
                Profile kernelProfile = profile.on ? new Profile() : null;
                session.profile(kernelProfile);
                session.progress(new Progress(err).parts("prefill of " + ids.length() + " positions on " + compute.name()));
                float[] embeddings = session.embed(ids.ids());
                if (raw) {
                    out.print(prompt);
                    out.flush();
                }
                Generation result;
                try {
                    result = new Generator(llama.tokenizer()).generate(session, embeddings, ids.length(), settings,
                            raw && !prompt.isEmpty(), piece -> {
                        out.print(piece);
                        out.flush();
                    });
                } catch (NonFiniteLogitsException e) {
                    throw NonFiniteWeights.explain(dir, e);
                }
                out.println();
                out.flush();
                err.println(String.format(Locale.ROOT,
                        "prompt: %d tokens in %.1f ms (%.1f tok/s); generated: %d tokens, %.1f tok/s after the first%s; stop: %s; backend %s",
                        ids.length(), result.prefillNanos() / 1e6, result.prefillTokensPerSecond(), result.tokens().length,
                        result.decodeTokensPerSecond(), beamNote(result), result.stopReason().name().toLowerCase(Locale.ROOT),
                        compute.name()));
                if (kernelProfile != null) {
                    err.print(kernelProfile.replays() == 0
                            ? "profile: the " + compute.name() + " backend runs no kernels to time\n"
                            : "profile: " + kernelProfile.replays() + " graph replays (prompt and decode steps)\n" + kernelProfile.table(0));
                    err.flush();
                }
                if (dump != null) {
                    Dumps.write(dump, ids, embeddings, llama.config().hiddenSize(), result.logits(), llama.config().vocabSize());
                    err.println("dump: wrote " + dump.resolve("dump.safetensors") + " and " + dump.resolve("prompt.json"));
                }
            }
        }
        return 0;
    }

    /** With beams: each step decodes a token per beam, and the answer has a score. */
    static String beamNote(Generation g) {
        return g.beams() <= 1 ? "" : String.format(Locale.ROOT, " (%d beams: %.1f beam tokens/s; score %.5f)", g.beams(),
                g.decodeTokensPerSecond() * g.beams(), g.score());
    }
}
