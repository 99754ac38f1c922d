package videollama.repro;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import videollama.repro.judge.Metrics;
import videollama.repro.report.Report;
import videollama.repro.report.ReportFigures;

/** {@code videollama eval report}: the judged runs beside the published rows, as one Markdown file and its plots. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write one Markdown report of judged runs (eval judge --out folders) beside Video-LLaMA's published results: "
                + "setup, deviations from the published setup, time per stage, accuracy per question type, score histograms.",
                "The plots are PNG files beside the report (FILE-scores.png, FILE-types.png)."})
public final class ReportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--runs", arity = "1..*", required = true, paramLabel = "DIR", description = "eval judge --out folders (each with its metrics.json).")
    List<Path> runDirs;

    @Option(names = "--out", required = true, paramLabel = "FILE.md", description = "The report to write.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!out.getFileName().toString().endsWith(".md")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out must name a .md file, got " + out);
        }
        List<Report.Run> runs = new ArrayList<>();
        Set<String> labels = new HashSet<>();
        for (Path dir : new LinkedHashSet<>(runDirs)) {
            Metrics metrics = Metrics.read(dir);
            String name = dir.toAbsolutePath().normalize().getFileName().toString();
            String label = name;
            for (int n = 2; !labels.add(label); n++) {
                label = name + " (" + n + ")";
            }
            runs.add(new Report.Run(label, metrics));
        }
        Path folder = out.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        String stem = out.getFileName().toString().replaceFirst("\\.md$", "");
        ReportFigures figures = ReportFigures.draw(runs, folder, stem);
        PrintWriter err = spec.commandLine().getErr();
        if (figures.problem() != null) {
            err.println("warning: the plots could not be drawn: " + figures.problem());
        }
        String markdown = Report.markdown(runs, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), spec.root().version()[0],
                figures.scores(), figures.types(), figures.problem());
        Files.writeString(out, markdown, StandardCharsets.UTF_8);
        err.println("report: " + out + (figures.scores() == null ? "" : " with " + figures.scores()
                + (figures.types() == null ? "" : " and " + figures.types())));
        return 0;
    }
}
