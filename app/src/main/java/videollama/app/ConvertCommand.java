package videollama.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.SmallFile;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.pth.PthFile;
import videollama.weights.pth.PthStateDict;

/**
 * {@code videollama convert}: the released Video-LLaMA files (PyTorch {@code .pth}, Hugging Face {@code .bin} or
 * safetensors) to one model folder of safetensors under the names of the composed reference model's state dict, dtypes kept.
 *
 * <p>Each input file becomes one output file, written by streaming its tensors from the input's mapping (never
 * the whole file in memory): a branch file {@code videollama-<what>.safetensors} or, for LLaMA weights, a
 * shard named as Hugging Face names safetensors shards, with the folder's config and tokenizer files copied and
 * a {@code model.safetensors.index.json} over the shards.
 */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Convert the released Video-LLaMA files to safetensors in one model folder that --model DIR reads.",
            "",
            "INPUT is a file or a folder. Files: a VL or AL training checkpoint (VL_*.pth, AL_*.pth,"
                    + " finetune-vicuna7b-v2.pth, ...), eva_vit_g.pth, blip2_pretrained_flant5xxl.pth,"
                    + " imagebind_huge.pth, or LLaMA weights (.bin or .safetensors). What a file holds is told from its"
                    + " tensor names (--kind overrides). A folder is a Hugging Face LLaMA folder (config.json,"
                    + " pytorch_model*.bin or *.safetensors, tokenizer.model), or a folder of released files (each *.pth"
                    + " in it and each LLaMA folder below it), such as a downloaded Video-LLaMA-2 repository.",
            "",
            "DIR receives: videollama-vl.safetensors / videollama-al.safetensors (the branch checkpoint's"
                    + " [\"model\"] without buffers, llama_model.* and audio_encoder.*), videollama-eva-vit.safetensors"
                    + " (visual_encoder.*, blocks 0-38), videollama-blip2.safetensors (Qformer.* without its text side,"
                    + " query_tokens, ln_vision.*), videollama-imagebind-audio.safetensors (audio_encoder.*: the audio"
                    + " modality only), and the LLaMA as Hugging Face safetensors shards (model*.safetensors,"
                    + " model.safetensors.index.json) with config.json, tokenizer.model and the other JSON files.",
            "When two inputs hold the same tensor, the one the reference code loads last wins (eva, blip2,"
                    + " imagebind, then the branch checkpoints in the order given), as in its load_state_dict order.",
            ""
        })
final class ConvertCommand implements Callable<Integer> {
    private static final String PTH_INDEX = "pytorch_model.bin.index.json";
    private static final String SAFETENSORS_INDEX = "model.safetensors.index.json";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model folder to write (created if needed).")
    Path out;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "What every input file holds, instead of telling it from the tensor names:"
                    + " branch, eva-vit, blip2, imagebind or llama.")
    String kindName;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Released files or folders (see above).")
    List<Path> inputs;

    /** One input file, the tensors the model uses from it, and the file they go to. */
    private record Conversion(Path input, CheckpointKind kind, TensorSource source, Map<String, String> kept,
            List<String> dropped, Path output, LlamaFolder folder) {
        String label() {
            return source.describe();
        }
    }

    /** A Hugging Face LLaMA folder: its weight files, and whether it had an index over them. */
    private record LlamaFolder(Path dir, List<Path> weights, boolean indexed) {
    }

    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        CheckpointKind forcedKind = parseKind(cli);
        PrintWriter err = cli.getErr();
        Progress progress = new Progress(err);

        List<Path> files = new ArrayList<>();
        Map<Path, LlamaFolder> folderOf = new LinkedHashMap<>();
        for (Path input : inputs) {
            expand(input, files, folderOf);
        }

        List<Conversion> conversions = new ArrayList<>();
        try {
            for (Path file : files) {
                LlamaFolder folder = folderOf.get(file);
                conversions.add(progress.time("reading " + file,
                        () -> plan(file, folder != null ? CheckpointKind.LLAMA : forcedKind, folder),
                        ConvertCommand::summary));
            }
            resolveOverlaps(conversions, err);
            checkOutputsDiffer(conversions);
            createOutputFolder(); // only once every input has been read: a refused one leaves nothing behind
            for (Conversion conversion : conversions) {
                progress.time("writing " + conversion.output(), () -> write(conversion), ConvertCommand::megabytes);
                cli.getOut().println(conversion.output());
            }
            for (LlamaFolder folder : folderOf.values().stream().distinct().toList()) {
                finishLlamaFolder(folder, conversions, cli.getOut());
            }
        } finally {
            conversions.forEach(c -> c.source().close());
        }
        cli.getOut().flush();
        err.println("converted " + conversions.size() + " file(s) into " + out + ", the folder for --model");
        FolderAbilities.of(out).lines().forEach(err::println);
        return 0;
    }

    private CheckpointKind parseKind(CommandLine cli) {
        if (kindName == null) {
            return null;
        }
        try {
            return CheckpointKind.fromCliName(kindName);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--kind: " + e.getMessage());
        }
    }

    // --- inputs ---------------------------------------------------------------------------------------------------

    /** A file as it is; a LLaMA folder as its weight files; any other folder as its .pth files and LLaMA folders. */
    private void expand(Path input, List<Path> files, Map<Path, LlamaFolder> folderOf) {
        if (!Files.exists(input)) {
            throw new Errors.UsageFailure(input + ": not found");
        }
        if (!Files.isDirectory(input)) {
            files.add(input);
            return;
        }
        if (Files.isRegularFile(input.resolve("config.json"))) {
            LlamaFolder folder = llamaFolder(input);
            for (Path weights : folder.weights()) {
                files.add(weights);
                folderOf.put(weights, folder);
            }
            return;
        }
        List<Path> children = list(input, "*");
        int before = files.size();
        for (Path child : children) {
            if (Files.isRegularFile(child) && child.getFileName().toString().endsWith(".pth")) {
                files.add(child);
            } else if (Files.isDirectory(child) && Files.isRegularFile(child.resolve("config.json"))) {
                expand(child, files, folderOf);
            }
        }
        if (files.size() == before) {
            throw new Errors.UsageFailure(input + ": neither a Hugging Face LLaMA folder (no config.json) nor a folder"
                    + " of released .pth files");
        }
    }

    /**
     * The weight files of a Hugging Face folder, as transformers picks them: the safetensors index's shards,
     * else its {@code *.safetensors}, else the .bin index's shards, else its {@code *.bin}.
     */
    private LlamaFolder llamaFolder(Path dir) {
        if (sameFile(dir, out)) {
            throw new Errors.UsageFailure(dir + ": the input folder cannot also be the --out folder");
        }
        if (Files.isRegularFile(dir.resolve(SAFETENSORS_INDEX))) {
            return new LlamaFolder(dir, indexedShards(dir.resolve(SAFETENSORS_INDEX)), true);
        }
        List<Path> safetensors = list(dir, "*.safetensors");
        if (!safetensors.isEmpty()) {
            return new LlamaFolder(dir, safetensors, false);
        }
        if (Files.isRegularFile(dir.resolve(PTH_INDEX))) {
            return new LlamaFolder(dir, indexedShards(dir.resolve(PTH_INDEX)), true);
        }
        List<Path> bins = list(dir, "*.bin");
        if (bins.isEmpty()) {
            throw new Errors.UsageFailure(dir + ": a folder with config.json but no *.safetensors or *.bin weights");
        }
        return new LlamaFolder(dir, bins, false);
    }

    /** The shard files an index's {@code weight_map} names, each a plain file name beside the index. */
    private static List<Path> indexedShards(Path index) {
        JsonNode weightMap;
        try {
            weightMap = new ObjectMapper().readTree(SmallFile.readText(index, SmallFile.INDEX_BYTES, "a shard index"))
                    .get("weight_map");
        } catch (IOException e) {
            throw new Errors.UsageFailure(index + ": not valid JSON: " + Main.oneLine(e.getMessage()));
        }
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            throw new Errors.UsageFailure(index + ": no \"weight_map\" object");
        }
        TreeSet<String> shards = new TreeSet<>();
        weightMap.properties().forEach(entry -> {
            String shard = entry.getValue().asText("");
            if (shard.isEmpty() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new Errors.UsageFailure(index + ": tensor '" + entry.getKey() + "' is mapped to '" + shard
                        + "', not a file name beside the index");
            }
            shards.add(shard);
        });
        List<Path> files = shards.stream().map(index::resolveSibling).toList();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new Errors.UsageFailure(index + ": shard " + file.getFileName() + " does not exist");
            }
        }
        return files;
    }

    // --- planning -------------------------------------------------------------------------------------------------

    /** Opens a file, tells what it holds, and decides which tensors go where. */
    private Conversion plan(Path file, CheckpointKind givenKind, LlamaFolder folder) {
        TensorSource source = open(file);
        try {
            if (source.names().isEmpty()) {
                throw new Errors.UsageFailure(source.describe() + ": no tensors (none at the top level of the"
                        + " checkpoint nor under [\"model\"])");
            }
            CheckpointKind kind = givenKind != null ? givenKind : CheckpointKind.recognise(source.names())
                    .orElseThrow(() -> new Errors.UsageFailure(source.describe() + ": cannot tell which released file"
                            + " this is from its tensor names (" + examples(source.names()) + "); name it with --kind "
                            + CheckpointKind.cliNames()));
            Map<String, String> kept = new LinkedHashMap<>();
            List<String> dropped = new ArrayList<>();
            for (String name : source.names()) {
                kind.outputName(name).ifPresentOrElse(outName -> kept.put(outName, name), () -> dropped.add(name));
            }
            if (kept.isEmpty()) {
                throw new Errors.UsageFailure(source.describe() + ": none of its " + source.names().size()
                        + " tensors is used by a " + kind.description() + " (" + examples(source.names()) + ")");
            }
            if (source instanceof PthStateDict pth) {
                // Fail before anything is written rather than half way through the output folder.
                for (String name : kept.values()) {
                    if (pth.torchTensors().get(name).type().dtype() == null) {
                        pth.get(name); // throws the reader's error, which names the file, the tensor and its type
                    }
                }
            }
            return new Conversion(file, kind, source, kept, dropped, out.resolve(outputFileName(file, kind, kept)),
                    folder);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /**
     * A safetensors file as it is; anything else as a torch.save checkpoint, whose tensors are those of the
     * top-level dict, or those of {@code ["model"]} for a training checkpoint.
     */
    private static TensorSource open(Path file) {
        if (file.getFileName().toString().endsWith(".safetensors")) {
            return SafetensorsFile.open(file);
        }
        PthFile pth = PthFile.open(file);
        try {
            return pth.modelTensors();
        } catch (RuntimeException e) {
            pth.close();
            throw e;
        }
    }

    private static String outputFileName(Path input, CheckpointKind kind, Map<String, String> kept) {
        return switch (kind) {
            case EVA_VIT -> "videollama-eva-vit.safetensors";
            case BLIP2 -> "videollama-blip2.safetensors";
            case IMAGEBIND -> "videollama-imagebind-audio.safetensors";
            case BRANCH -> {
                boolean video = kept.keySet().stream().anyMatch(n -> n.startsWith("video_") || n.startsWith("llama_proj."));
                boolean audio = kept.keySet().stream().anyMatch(n -> n.startsWith("audio_"));
                yield video && audio ? "videollama-vl-al.safetensors"
                        : video ? "videollama-vl.safetensors"
                        : audio ? "videollama-al.safetensors"
                        : "videollama-" + stem(input) + ".safetensors";
            }
            case LLAMA -> llamaShardName(input);
        };
    }

    /** Hugging Face's names: {@code pytorch_model-00001-of-00002.bin} becomes {@code model-00001-of-00002.safetensors}. */
    private static String llamaShardName(Path input) {
        String name = input.getFileName().toString();
        if (name.endsWith(".safetensors")) {
            return name;
        }
        String stem = stem(input);
        return (stem.startsWith("pytorch_model") ? "model" + stem.substring("pytorch_model".length()) : stem)
                + ".safetensors";
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /**
     * The reference code loads every file into one model, so when two files hold a tensor of the same name the
     * one loaded later wins (the reference model's from_config loads them in this order): eva_vit_g, then BLIP-2, then ImageBind, then the branch checkpoints in
     * order. The earlier copies are dropped here, so every name is in one output file only.
     */
    private static void resolveOverlaps(List<Conversion> conversions, PrintWriter err) {
        List<Conversion> byLoadOrder = conversions.stream().filter(c -> c.kind() != CheckpointKind.LLAMA)
                .sorted(Comparator.comparingInt(c -> loadOrder(c.kind()))).toList();
        Map<String, Conversion> owner = new LinkedHashMap<>();
        for (Conversion conversion : byLoadOrder) {
            for (String name : conversion.kept().keySet()) {
                Conversion earlier = owner.put(name, conversion);
                if (earlier != null) {
                    earlier.kept().remove(name);
                    err.println("note: '" + name + "' is in " + earlier.label() + " and " + conversion.label()
                            + "; keeping the latter, which the reference code loads later");
                }
            }
        }
        Map<String, Conversion> llama = new LinkedHashMap<>();
        for (Conversion conversion : conversions) {
            if (conversion.kind() == CheckpointKind.LLAMA) {
                for (String name : conversion.kept().keySet()) {
                    Conversion earlier = llama.put(name, conversion);
                    if (earlier != null) {
                        throw new Errors.UsageFailure("LLaMA tensor '" + name + "' is in both " + earlier.label()
                                + " and " + conversion.label());
                    }
                }
            }
        }
    }

    private static int loadOrder(CheckpointKind kind) {
        return switch (kind) {
            case EVA_VIT -> 0;
            case BLIP2 -> 1;
            case IMAGEBIND -> 2;
            case LLAMA -> 3;
            case BRANCH -> 4;
        };
    }

    private static void checkOutputsDiffer(List<Conversion> conversions) {
        Map<Path, Conversion> byOutput = new LinkedHashMap<>();
        for (Conversion conversion : conversions) {
            Conversion other = byOutput.put(conversion.output(), conversion);
            if (other != null) {
                throw new Errors.UsageFailure(other.label() + " and " + conversion.label() + " would both be written to "
                        + conversion.output() + " (" + conversion.kind().description() + "); convert them into"
                        + " separate folders");
            }
        }
    }

    // --- writing --------------------------------------------------------------------------------------------------

    private void createOutputFolder() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new Errors.UsageFailure(out + ": cannot create the output folder: " + Main.oneLine(e.getMessage()));
        }
    }

    /** Streams the kept tensors, renamed, from the input's mapping to the output file; returns the bytes written. */
    private static long write(Conversion conversion) {
        List<Tensor> tensors = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, String> kept : conversion.kept().entrySet()) {
            Tensor tensor = conversion.source().get(kept.getValue());
            tensors.add(Tensor.of(kept.getKey(), tensor.dtype(), tensor.shape(), tensor.data()));
            bytes += tensor.data().byteSize();
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt"); // what Hugging Face loaders expect of a PyTorch safetensors file
        metadata.put("source", conversion.input().getFileName().toString());
        SafetensorsWriter.write(conversion.output(), tensors, metadata);
        return bytes;
    }

    /** Copies the folder's config and tokenizer files and writes the safetensors index over its shards. */
    private void finishLlamaFolder(LlamaFolder folder, List<Conversion> conversions, PrintWriter stdout) {
        List<Conversion> shards = conversions.stream().filter(c -> c.folder() == folder).toList();
        if (folder.indexed() || shards.size() > 1) {
            Map<String, String> weightMap = new TreeMap<>();
            long total = 0;
            for (Conversion shard : shards) {
                for (String name : shard.kept().keySet()) {
                    weightMap.put(name, shard.output().getFileName().toString());
                }
                total += shard.kept().values().stream().mapToLong(n -> shard.source().get(n).data().byteSize()).sum();
            }
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode index = json.createObjectNode();
            index.putObject("metadata").put("total_size", total);
            ObjectNode map = index.putObject("weight_map");
            weightMap.forEach(map::put);
            Path file = out.resolve(SAFETENSORS_INDEX);
            try {
                Files.writeString(file, json.writeValueAsString(index) + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            stdout.println(file);
        }
        for (Path file : list(folder.dir(), "*")) {
            String name = file.getFileName().toString();
            boolean copied = (name.endsWith(".json") && !name.endsWith(".index.json")) || name.endsWith(".model");
            if (copied && Files.isRegularFile(file)) {
                try {
                    Files.copy(file, out.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                stdout.println(out.resolve(name));
            }
        }
    }

    // --- small helpers --------------------------------------------------------------------------------------------

    private static List<Path> list(Path dir, String glob) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return files;
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** "'a', 'b', 'c', ..." */
    private static String examples(List<String> names) {
        List<String> first = names.stream().limit(3).map(n -> "'" + n + "'").toList();
        return String.join(", ", first) + (names.size() > 3 ? ", ..." : "");
    }

    private static String summary(Conversion c) {
        return String.format(Locale.ROOT, "%s (%s): %d tensors, %d kept, %d dropped%s", c.kind().cliName(),
                c.kind().description(), c.kept().size() + c.dropped().size(), c.kept().size(), c.dropped().size(),
                c.dropped().isEmpty() ? "" : " (" + examples(c.dropped()) + ")");
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
