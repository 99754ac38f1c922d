package videollama.app;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;
import videollama.weights.pth.PthFile;
import videollama.weights.pth.PthStateDict;
import videollama.weights.pth.TorchTensor;

/**
 * {@code videollama inspect}: what a weight file holds, without running anything: a safetensors file, a PyTorch
 * checkpoint ({@code .pth}, {@code .bin}; its pickle read by the allowlisting reader, no tensor data touched), or
 * a model folder, every such file in it (the LLaMA's shards and each branch file).
 */
@Command(name = "inspect",
        description = "List the tensors of a weight file or of every weight file in a folder: name, dtype, shape.")
final class InspectCommand extends AppCommand {

    @Parameters(index = "0", paramLabel = "FILE",
            description = "A .safetensors file, a .pth or .bin checkpoint, or a folder of them (a model folder).")
    Path file;

    /** One listed tensor: its dtype as stored ({@code F16}, or torch's name for a type videollama does not read). */
    private record Row(String name, String dtype, String shape, long elements, long bytes) {
    }

    @Override
    public Integer call() {
        if (!Files.exists(file)) {
            throw new Errors.UsageFailure(file + ": not found");
        }
        PrintWriter out = common.cli().getOut();
        List<Path> files = Files.isDirectory(file) ? weightFiles(file) : List.of(file);
        long tensors = 0;
        long elements = 0;
        long bytes = 0;
        for (Path weights : files) {
            List<Row> rows = rows(weights);
            if (files.size() > 1) {
                out.println(weights + ": " + rows.size() + " tensors");
            }
            int nameWidth = rows.stream().mapToInt(r -> r.name().length()).max().orElse(4);
            for (Row row : rows) {
                out.println(String.format(Locale.ROOT, "%-" + nameWidth + "s  %-4s  %s", row.name(), row.dtype(),
                        row.shape()));
                elements += row.elements();
                bytes += row.bytes();
            }
            tensors += rows.size();
        }
        out.println(String.format(Locale.ROOT, "%d tensors, %,d elements, %,d bytes", tensors, elements, bytes));
        return 0;
    }

    /** Every safetensors file and checkpoint of a folder, in name order. */
    private static List<Path> weightFiles(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.{safetensors,pth,bin}")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new Errors.UsageFailure(dir + ": cannot list the folder: " + Main.oneLine(e.getMessage()));
        }
        if (files.isEmpty()) {
            throw new Errors.UsageFailure(dir + ": no *.safetensors, *.pth or *.bin files");
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    private static List<Row> rows(Path weights) {
        List<Row> rows = new ArrayList<>();
        if (weights.getFileName().toString().endsWith(".safetensors")) {
            try (SafetensorsFile tensors = SafetensorsFile.open(weights)) {
                for (String name : tensors.names()) {
                    Tensor t = tensors.get(name);
                    rows.add(new Row(name, t.dtype().name(), t.shapeString(), t.size(), t.data().byteSize()));
                }
            }
            return rows;
        }
        try (PthFile pth = PthFile.open(weights)) {
            PthStateDict dict = pth.modelTensors();
            for (Map.Entry<String, TorchTensor> entry : dict.torchTensors().entrySet()) {
                TorchTensor t = entry.getValue();
                long elements = 1;
                for (long dim : t.shape()) {
                    elements = Math.multiplyExact(elements, dim);
                }
                String dtype = t.type().projectDType().map(Enum::name).orElse(t.type().toString());
                rows.add(new Row(entry.getKey(), dtype, Arrays.toString(t.shape()), elements,
                        Math.multiplyExact(elements, t.type().byteSize())));
            }
        } catch (ArithmeticException e) {
            throw new Errors.UsageFailure(weights + ": a tensor's size is too large to count");
        }
        return rows;
    }
}
