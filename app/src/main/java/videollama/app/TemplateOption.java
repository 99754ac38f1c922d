package videollama.app;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import videollama.model.chat.ChatTemplate;

/**
 * {@code --template}, as the commands that chat with a Video-LLaMA folder take it ({@code @Mixin}). Public so that
 * commands of other modules ({@code eval qa}) take the same flag.
 */
public final class TemplateOption {
    @Option(names = "--template", paramLabel = "NAME", description = OptionValues.TEMPLATE_HELP)
    String name;

    /** The named template, or null where none was named (the folder's videollama.json or the vocabulary then decide). */
    public ChatTemplate chosen(CommandLine cli) {
        return name == null ? null : OptionValues.template(cli, name);
    }
}
