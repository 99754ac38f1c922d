package videollama.app;

import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --backend}, as every command that runs a model takes it ({@code @Mixin}): a name, or the best backend for that
 * model ({@link BackendChoice}). Public so that commands of other modules ({@code eval qa}, {@code eval conversations})
 * take the same flag.
 */
public final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME", description = OptionValues.MODEL_BACKEND_HELP)
    String name;

    /** The named backend, or the best one this machine has for the model in {@code modelDir}; a bad name is a usage error. */
    public BackendChoice open(CommandLine cli, Path modelDir) {
        return BackendChoice.open(cli, name, modelDir);
    }
}
