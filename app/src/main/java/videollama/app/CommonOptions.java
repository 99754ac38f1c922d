package videollama.app;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {
    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

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
