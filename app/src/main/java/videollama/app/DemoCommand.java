package videollama.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code videollama demo}: the bundled sample, no downloads. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the whole Video-LLaMA pipeline on the bundled sample with no downloads: a CC0 video, 8 frames,",
                "the vision branch (seeded random weights of the real structure) and the real tiny LLaMA stories260K.",
                "The answer is NOT meaningful; it shows the machinery. For real answers see the README (convert, chat)."})
final class DemoCommand implements Callable<Integer> {
    static final String QUESTION = "What is happening in this video?";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Path demo = CommonOptions.bundledVideoLlama();
        Path video = demo.resolve("stream-of-water.mp4");
        var err = spec.commandLine().getErr();
        err.println("demo: \"" + QUESTION + "\" about " + video.getFileName() + " (CC0), asked of the bundled demo model: the real"
                + " Video-LLaMA pipeline (8 frames -> EVA ViT -> image Q-Former -> frame positions -> video Q-Former -> llama_proj"
                + " -> 32 soft tokens in the LLaMA-2 chat prompt) with seeded random branch weights on the tiny story model"
                + " stories260K, greedy. Its answer is NOT meaningful. For real answers: videollama convert --out DIR"
                + " <the released Video-LLaMA files>, then videollama chat --model DIR --video FILE --question TEXT.");
        CommandLine chat = spec.root().commandLine().getSubcommands().get("chat");
        return chat.execute("--model", demo.toString(), "--video", video.toString(), "--question", QUESTION,
                "--temperature", "0", "--max-new-tokens", "60");
    }
}
