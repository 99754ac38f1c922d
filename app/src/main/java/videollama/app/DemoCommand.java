package videollama.app;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code videollama demo}: the bundled sample, no downloads. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the bundled sample with no downloads: the real tiny LLaMA stories260K tells a story (greedy).")
final class DemoCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("demo: stories260K, a real 260K-parameter LLaMA trained on TinyStories, "
                + "continues \"Once upon a time\" greedily; video and audio chat arrive with the vision and audio branches");
        CommandLine generate = spec.root().commandLine().getSubcommands().get("generate");
        return generate.execute("--raw", "--prompt", "Once upon a time", "--temperature", "0", "--max-new-tokens", "200");
    }
}
