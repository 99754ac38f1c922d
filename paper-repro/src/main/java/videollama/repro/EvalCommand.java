package videollama.repro;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code videollama eval}: reproducing Video-LLaMA's published inference results (README.md of this module): answer a
 * dataset's questions, judge the answers against an OpenAI-compatible endpoint, report them beside the paper's.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Reproduce the paper's results: zero-shot video QA and the video-based generative benchmark.",
        subcommands = {QaCommand.class, MergeCommand.class, JudgeCommand.class, ReportCommand.class, ConversationsCommand.class,
                CommandLine.HelpCommand.class})
public final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "an eval command is required (see videollama eval --help)");
    }
}
