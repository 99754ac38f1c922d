package videollama.app;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Options every command takes, and the command line of the command that took them (its output and error streams). */
final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    /** The command line of the command this mixin belongs to: its streams, and the subject of its usage errors. */
    CommandLine cli() {
        return command.commandLine();
    }

    /** The model bundled with the repository: the real tiny LLaMA stories260K. */
    static Path bundledModel() {
        String home = System.getProperty("videollama.home");
        Path root = home != null ? Path.of(home) : Path.of("");
        return root.resolve("models").resolve("stories260K");
    }

    /**
     * The bundled Video-LLaMA demo: seeded random branch weights of the real structure on the real stories260K, and a
     * CC0 video (scripts/reference/make_chat_golden.py makes it). Its answers are not meaningful.
     */
    static Path bundledVideoLlama() {
        Path bundled = bundledModel().resolveSibling("videollama-demo");
        if (!Files.isDirectory(bundled)) {
            throw new Errors.UsageFailure("--model not given and the bundled demo model " + bundled + " is missing");
        }
        return bundled;
    }

    static Path modelOrBundled(Path model) {
        if (model != null) {
            return model;
        }
        Path bundled = bundledModel();
        if (!Files.isDirectory(bundled)) {
            throw new Errors.UsageFailure("--model not given and the bundled model " + bundled + " is missing");
        }
        return bundled;
    }
}
