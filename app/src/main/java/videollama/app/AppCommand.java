package videollama.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * A {@code videollama} command: what every command takes ({@code --help}, {@code --version}, {@link CommonOptions}'
 * {@code --verbose}) and the command line it runs on ({@link CommonOptions#cli}, its streams). The subclass's own
 * {@code @Command} names it and says what it does.
 */
@Command(mixinStandardHelpOptions = true)
abstract class AppCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;
}
