package videollama.repro;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import videollama.app.Errors;

/**
 * {@code videollama eval merge}: the folders of a sharded {@code eval qa} run ({@code --shard 1/n} ... {@code n/n})
 * joined into one folder whose {@code predictions.jsonl} holds the lines of shard 1, then 2, ... unchanged: the file
 * one unsharded run writes, in content and order ({@link Schedule}). Every shard must be there once, complete, with
 * the same settings.
 */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = "Join the output folders of eval qa --shard 1/N ... N/N into one folder, as one unsharded run would have written it.")
final class MergeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "The merged folder (predictions.jsonl, run.json); must not hold predictions yet.")
    Path out;

    @Parameters(paramLabel = "SHARD_DIR", arity = "1..*", description = "The --out folders of the shards, in any order.")
    List<Path> shards;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    boolean verbose;

    private record Part(Path dir, RunInfo info, Schedule.Shard shard) {}

    @Override
    public Integer call() throws IOException {
        List<Part> parts = new ArrayList<>();
        for (Path dir : shards) {
            RunInfo info = RunInfo.read(dir).orElseThrow(() -> new Errors.UsageFailure(dir + ": no " + RunInfo.FILE + " (not an eval qa output folder)"));
            if (info.shard() == null) {
                throw new Errors.UsageFailure(dir + ": not a shard (its run had no --shard)");
            }
            if (info.limit() != null) {
                throw new Errors.UsageFailure(dir + ": its run had --limit " + info.limit() + "; only whole shards merge into a whole run");
            }
            parts.add(new Part(dir, info, Schedule.Shard.parse(info.shard())));
        }
        parts.sort(Comparator.comparingInt(p -> p.shard().index()));
        Part first = parts.getFirst();
        int n = first.shard().count();
        for (Part p : parts) {
            Optional<String> difference = RunInfo.difference(p.info().answering(), first.info().answering(), "in " + p.dir(), "in " + first.dir());
            if (difference.isPresent()) {
                throw new Errors.UsageFailure("the shards ran with other settings (" + difference.get() + ")");
            }
            if (p.shard().count() != n) {
                throw new Errors.UsageFailure(p.dir() + " is shard " + p.shard() + ", " + first.dir() + " shard " + first.shard());
            }
        }
        for (int i = 1; i <= n; i++) {
            int index = i;
            List<Part> these = parts.stream().filter(p -> p.shard().index() == index).toList();
            if (these.size() != 1) {
                throw new Errors.UsageFailure(these.isEmpty() ? "shard " + i + "/" + n + " is missing"
                        : "shard " + i + "/" + n + " given twice: " + these.get(0).dir() + " and " + these.get(1).dir());
            }
        }
        List<byte[]> contents = new ArrayList<>();
        int total = 0;
        for (Part p : parts) {
            Path file = p.dir().resolve("predictions.jsonl");
            int answered = PredictionFile.read(file).size();
            byte[] bytes = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
            if (answered != p.info().questions() || bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
                throw new Errors.UsageFailure(p.dir() + ": shard " + p.shard() + " is not complete (" + answered + " of "
                        + p.info().questions() + " questions); run its eval qa again to finish it");
            }
            contents.add(bytes);
            total += answered;
        }
        Path merged = out.resolve("predictions.jsonl");
        if (Files.exists(merged)) {
            throw new Errors.UsageFailure(merged + " exists; merge writes a new folder");
        }
        Files.createDirectories(out);
        try (OutputStream o = Files.newOutputStream(merged, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (byte[] c : contents) {
                o.write(c);
            }
        }
        Set<String> devices = new LinkedHashSet<>();
        parts.forEach(p -> devices.add(p.info().device()));
        Set<String> machines = new LinkedHashSet<>();
        parts.forEach(p -> machines.add(p.info().machine()));
        String started = parts.stream().map(p -> p.info().started()).min(Comparator.naturalOrder()).orElseThrow();
        new RunInfo(first.info().answering(), null, null, total, first.info().datasetQuestions(), String.join("; ", devices),
                String.join("; ", machines), started).write(out);
        if (devices.size() > 1) {
            spec.commandLine().getErr().println("warning: the shards ran on different devices (" + String.join("; ", devices)
                    + "); their answers may differ in the last digits from one device's");
        }
        spec.commandLine().getErr().println("eval merge: " + n + " shards, " + total + " questions");
        spec.commandLine().getOut().println(merged);
        return 0;
    }
}
