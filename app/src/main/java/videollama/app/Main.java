package videollama.app;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ServiceLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code videollama} command line (its commands: the README). Answers go to stdout and nothing else does;
 * progress, timings and warnings go to stderr. Exit codes: 0 success, 2 bad usage, 1 any other error, reported
 * as one line that names the file, tensor or flag at fault (the stack trace only with {@code --verbose}). Modules
 * above this one add commands through {@link CommandExtension} (paper-repro's {@code eval}).
 */
@Command(name = "videollama",
        mixinStandardHelpOptions = true,
        version = "videollama 0.1.0",
        description = "Video-LLaMA inference in Java: hand-written kernels checked by a plain-Java reference path.",
        subcommands = {
            GenerateCommand.class,
            ChatCommand.class,
            ServeCommand.class,
            TokenizeCommand.class,
            InspectCommand.class,
            ConvertCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            DevicesCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (chat, serve, generate, tokenize, inspect, convert, bench, devices, demo)");
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        Progress.detectTerminal();
        videollama.kernels.Notices.sendTo(Progress::notice);
        int code = execute(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line with the given streams and returns its exit code. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        boolean verbose = Arrays.asList(args).contains("--verbose");
        CommandLine cli = new CommandLine(new Main());
        for (CommandExtension extension : ServiceLoader.load(CommandExtension.class)) {
            cli.addSubcommand(extension.name(), extension.command());
        }
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setParameterExceptionHandler((e, args1) -> {
            err.println("videollama: " + oneLine(e.getMessage()) + " (see " + e.getCommandLine().getCommandSpec().qualifiedName() + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("videollama: " + Errors.describe(e));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        });
        try {
            return executeGuarded(cli, args, err);
        } finally {
            cli.getOut().flush();
            cli.getErr().flush();
        }
    }

    private static int executeGuarded(CommandLine cli, String[] args, PrintStream err) {
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // outside a named step (Progress names the file where there is one); a progress line may be open
            err.println();
            err.println("videollama: out of memory (" + Errors.heapNote(e) + "): " + Errors.HINT);
            return 1;
        }
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\r", "").lines().findFirst().orElse("").strip();
    }
}
