package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import videollama.weights.SafetensorsFile;
import videollama.weights.ShardedTensors;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;

/** {@code videollama inspect}: what a safetensors file (or a folder of shards) holds. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "List the tensors of a safetensors file or a folder of shards: name, dtype, shape.")
final class InspectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Parameters(index = "0", paramLabel = "FILE", description = "A .safetensors file, or a folder of them.")
    Path file;

    @Override
    public Integer call() {
        if (!Files.exists(file)) {
            throw new Errors.UsageFailure(file + ": not found");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (TensorSource source = Files.isDirectory(file) ? ShardedTensors.open(file) : SafetensorsFile.open(file)) {
            int nameWidth = source.names().stream().mapToInt(String::length).max().orElse(4);
            long elements = 0;
            long bytes = 0;
            for (String name : source.names()) {
                Tensor t = source.get(name);
                out.println(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-4s  %s", name, t.dtype(), t.shapeString()));
                elements += t.size();
                bytes += t.data().byteSize();
            }
            out.println(String.format(Locale.ROOT, "%d tensors, %,d elements, %,d bytes", source.names().size(), elements, bytes));
        }
        return 0;
    }
}
