package videollama.app;

/**
 * A command that another module adds to the {@code videollama} command line: found with {@link java.util.ServiceLoader}
 * on the class path, so that modules above {@code app} (paper-repro's {@code eval}) add commands without {@code app}
 * depending on them. The launcher runs such commands from the jar of the module that has them.
 */
public interface CommandExtension {
    /** The command's name on the command line. */
    String name();

    /** A fresh picocli command object ({@code @Command}-annotated), as picocli's {@code addSubcommand} takes it. */
    Object command();
}
