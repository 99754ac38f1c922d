package videollama.app;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.kernels.Backend;
import videollama.kernels.Profile;
import videollama.loader.FrameSampling;
import videollama.loader.SampledFrames;
import videollama.loader.image.ImageLoader;
import videollama.loader.video.VideoLoader;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.DemoMessages;
import videollama.model.chat.MediaChat;
import videollama.model.chat.SoftTokens;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.llama.Llama;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.Tensor;

/** {@code videollama chat}: a question about a video or an image, answered by Video-LLaMA. */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Ask Video-LLaMA about a video or an image, as the reference demo does (spec sections 4-6).",
                "Without --question, an interactive chat: one question per line on stdin, an empty line or end of input ends it."})
final class ChatCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Video-LLaMA folder: a Hugging Face LLaMA folder plus the branch weights (*.safetensors) and an optional "
                    + "videollama.json (default: the bundled demo model, whose answers are not meaningful).")
    Path model;

    static final class Media {
        @Option(names = "--video", paramLabel = "FILE", required = true, description = "An H.264 video (MP4 or MKV).")
        Path video;

        @Option(names = "--image", paramLabel = "FILE", required = true, description = "A JPEG or PNG image.")
        Path image;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Media media;

    @Option(names = "--question", paramLabel = "TEXT", description = "The question; without it, an interactive chat on stdin.")
    String question;

    @Option(names = "--template", paramLabel = "NAME",
            description = "llama2 or vicuna (default: videollama.json's, else vicuna for a 32001-token vocabulary, else llama2).")
    String template;

    @Option(names = "--system", paramLabel = "TEXT",
            description = "The system message (default: the reference demo's \"You are able to understand the visual content ...\").")
    String system;

    @Option(names = "--frames", paramLabel = "N", description = "Frames sampled from a video, 1 to 32 (default: videollama.json's, else 8).")
    Integer frames;

    @Option(names = "--backend", paramLabel = "NAME", description = "reference, opencl or cuda (default: the best available).")
    String backend;

    @Option(names = "--profile", description = "Print each kernel's device time, share, GB/s and GFLOP/s on stderr (device backends).")
    boolean profile;

    @Option(names = "--stream", description = "Print the answer as it is generated (the raw text, before the reference's clean-up).")
    boolean stream;

    @Option(names = "--dump", paramLabel = "DIR",
            description = "Write frames, vit.out, image_qformer.out, video_qformer.out, video.tokens, prompt.embeds and logits to "
                    + "DIR/dump.safetensors and the prompt's ids per segment to DIR/prompt.json (the last question's).")
    Path dump;

    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        SamplingSettings samplingSettings = sampling.settings(cli);
        ChatTemplate chosenTemplate = template == null ? null : OptionValues.template(cli, template);
        if (frames != null) {
            try {
                FrameSampling.checkRequested(frames);
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(cli, "--frames: " + e.getMessage());
            }
        }
        PrintWriter out = cli.getOut();
        PrintWriter err = cli.getErr();
        Progress progress = new Progress(err);
        Path dir = model != null ? model : CommonOptions.bundledVideoLlama();

        try (Backend compute = OptionValues.backend(cli, backend);
             Llama llama = progress.time("loading " + dir, () -> Llama.load(dir), ModelSummary::of);
             VideoBranch branch = progress.time("loading the vision branch", () -> VideoBranch.open(dir),
                     b -> "ViT " + b.vit().blocks.size() + " blocks, width " + b.sizes().vitWidth());
             VisionEncoder encoder = branch.encoder(compute)) {
            err.println("backend: " + compute.name() + " (" + compute.device() + ")");
            if (branch.sizes().dModel() != llama.config().hiddenSize()) {
                throw new Errors.UsageFailure(dir + ": llama_proj.weight gives " + branch.sizes().dModel()
                        + "-wide tokens, but the LLaMA is " + llama.config().hiddenSize() + " wide");
            }
            ChatTemplate chatTemplate = chosenTemplate != null ? chosenTemplate
                    : branch.config().template() != null ? ChatTemplate.byId(branch.config().template())
                    : ChatTemplate.forVocabulary(llama.config().vocabSize());

            SampledFrames input;
            String upload;
            if (media.video != null) {
                int n = frames != null ? frames : branch.config().frames();
                input = progress.time("decoding " + media.video, () -> VideoLoader.load(media.video, n),
                        f -> f.count() + " frames at " + java.util.Arrays.toString(f.indices()));
                upload = DemoMessages.video(input.timestampSentence());
            } else {
                input = progress.time("reading " + media.image, () -> ImageLoader.load(media.image), f -> "224x224");
                upload = DemoMessages.IMAGE;
            }
            // Two tables: the vision graph runs once per video, the LLaMA's graphs once per position.
            Profile visionProfile = profile ? new Profile() : null;
            Profile kernelProfile = profile ? new Profile() : null;
            encoder.profile(visionProfile);
            err.println("encoding " + input.count() + (input.count() == 1 ? " frame" : " frames") + " on " + compute.name() + " ...");
            long encodeStart = System.nanoTime();
            VisionOutputs vision = encoder.encode(input.pixels(), input.count(), line -> err.println("  " + line));
            err.println(String.format(Locale.ROOT, "encoded: %d soft tokens (%.2f s)", vision.sizes().videoQueries(),
                    (System.nanoTime() - encodeStart) / 1e9));
            SoftTokens tokens = new SoftTokens(media.video != null ? "video" : "image", vision.tokens(), vision.sizes().videoQueries());

            GenerationSettings settings = new GenerationSettings(sampling.maxNewTokens, samplingSettings, chatTemplate.stopStrings(), dump != null);
            if (!samplingSettings.isGreedy()) {
                err.println("sampling: temperature " + samplingSettings.temperature() + ", top-k " + samplingSettings.topK()
                        + ", top-p " + samplingSettings.topP() + ", seed " + samplingSettings.seed());
            }
            MediaChat chat = new MediaChat(llama, compute, chatTemplate, system != null ? system : DemoMessages.VISUAL_SYSTEM,
                    upload, List.of(tokens), settings, videollama.model.chat.ChatPrompt.REFERENCE_MAX_LENGTH);
            List<String> questions = question != null ? List.of(question) : null;
            BufferedReader stdin = questions == null ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)) : null;
            int asked = 0;
            while (true) {
                String q;
                if (questions != null) {
                    if (asked == questions.size()) {
                        break;
                    }
                    q = questions.get(asked);
                } else {
                    err.print(asked == 0 ? "question> " : "> ");
                    err.flush();
                    q = readLine(stdin);
                    if (q == null || q.isBlank()) {
                        break;
                    }
                }
                asked++;
                MediaChat.Answer answer = chat.ask(q, kernelProfile, stream ? piece -> {
                    out.print(piece);
                    out.flush();
                } : piece -> {});
                if (stream) {
                    out.println();
                    if (!answer.text().equals(answer.generation().text().strip())) {
                        err.println("note: the reference's clean-up makes the answer: " + answer.text());
                    }
                } else {
                    out.println(answer.text());
                }
                out.flush();
                err.println(String.format(Locale.ROOT, "prompt: %d positions in %.1f ms; generated: %d tokens, %.1f tok/s; stop: %s",
                        answer.prompt().length(), answer.generation().prefillNanos() / 1e6, answer.generation().tokens().length,
                        answer.generation().decodeTokensPerSecond(), answer.generation().stopReason().name().toLowerCase(Locale.ROOT)));
                if (answer.prompt().dropped() > 0) {
                    err.println("warning: the conversation exceeds the context; its first " + answer.prompt().dropped()
                            + " positions were dropped, as the reference does");
                }
                if (dump != null) {
                    List<Tensor> stages = new ArrayList<>();
                    stages.add(Tensor.ofFloats("frames", input.pixels(), input.count(), 3, SampledFrames.SIZE, SampledFrames.SIZE));
                    stages.addAll(vision.dumpTensors());
                    Dumps.write(dump, stages, new PromptIds(answer.prompt().segmentIds()), answer.prompt().embeddings(),
                            llama.config().hiddenSize(), answer.generation().logits(), llama.config().vocabSize());
                    err.println("dump: wrote " + dump.resolve("dump.safetensors") + " and " + dump.resolve("prompt.json"));
                }
            }
            if (profile) {
                if (kernelProfile.replays() == 0) {
                    err.println("profile: the " + compute.name() + " backend runs no kernels to time");
                } else {
                    err.print("profile: vision branch, " + visionProfile.replays() + " graph replay(s)\n" + visionProfile.table(0));
                    err.print("profile: LLaMA, " + kernelProfile.replays() + " graph replays (prompt and decode steps)\n"
                            + kernelProfile.table(0));
                }
                err.flush();
            }
        }
        return 0;
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
