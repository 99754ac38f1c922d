package videollama.app;

import picocli.CommandLine;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.loader.MediaDecoder;
import videollama.model.chat.ChatTemplate;

/** The option values several commands parse the same way; a bad one is a usage error naming its flag. */
final class OptionValues {
    private OptionValues() {}

    /** {@code --template NAME}. */
    static ChatTemplate template(CommandLine cli, String name) {
        try {
            return ChatTemplate.byId(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--template: " + e.getMessage());
        }
    }

    /** {@code --decoder NAME}, or FFmpeg where its natives load, else the Java decoders, when {@code name} is null. */
    static MediaDecoder decoder(CommandLine cli, String name) {
        if (name == null) {
            return MediaDecoder.preferred();
        }
        try {
            return MediaDecoder.parse(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--decoder: " + e.getMessage());
        }
    }

    /** {@code --backend NAME}, or the best backend this machine has when {@code name} is null. */
    static Backend backend(CommandLine cli, String name) {
        if (name == null) {
            return Backends.openBest();
        }
        try {
            return Backends.open(name);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--backend: " + e.getMessage());
        }
    }
}
