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
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import videollama.model.Q8_0Linears;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.SafetensorsWriter.Planned;
import videollama.weights.SmallFile;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.pth.PthFile;
import videollama.weights.pth.PthStateDict;

/**
 * The released Video-LLaMA files (PyTorch {@code .pth}, Hugging Face {@code .bin} or safetensors) to one model folder
 * of safetensors under the names of the composed reference model's state dict, dtypes kept: {@code convert} without its
 * command line, in two steps. {@link #plan} reads every input's tensor names (nothing is written, and a refused input
 * leaves nothing behind) and says what the folder will be able to do; {@link #write} then writes it.
 *
 * <p>Each input file becomes one output file, written by streaming its tensors from the input's mapping (never
 * the whole file in memory): a branch file {@code videollama-<what>.safetensors} or, for LLaMA weights, a
 * shard named as Hugging Face names safetensors shards, with the folder's config and tokenizer files copied and
 * a {@code model.safetensors.index.json} over the shards.
 */
public final class Converter {
    private static final String PTH_INDEX = "pytorch_model.bin.index.json";
    private static final String SAFETENSORS_INDEX = "model.safetensors.index.json";

    /** One input file, the tensors the model uses from it (output name to input name), and the file they go to. */
    public record Conversion(Path input, CheckpointKind kind, TensorSource source, Map<String, String> kept,
                             List<String> dropped, Path output, LlamaFolder folder) {
        String label() {
            return source.describe();
        }
    }

    /** A Hugging Face LLaMA folder: its weight files, and whether it had an index over them. */
    public record LlamaFolder(Path dir, List<Path> weights, boolean indexed) {
    }

    /**
     * What {@link #write} will do: the conversions in the order given, the LLaMA folders whose config, tokenizer and
     * index go along. Holds every input open (mapped) until closed.
     */
    public record Plan(Path out, List<Conversion> conversions, List<LlamaFolder> llamaFolders) implements AutoCloseable {
        /**
         * What the folder will be able to do once written: the tensors planned here together with those of the folder's
         * safetensors files that no planned file replaces (a folder filled by several runs is judged as a whole).
         */
        public FolderAbilities abilities() {
            Set<Path> replaced = new HashSet<>();
            List<String> names = new ArrayList<>();
            for (Conversion c : conversions) {
                replaced.add(c.output().getFileName());
                names.addAll(c.kept().keySet());
            }
            if (Files.isDirectory(out)) {
                for (Path file : list(out, "*.safetensors")) {
                    if (!replaced.contains(file.getFileName())) {
                        try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
                            names.addAll(tensors.names());
                        }
                    }
                }
            }
            boolean llamaFiles = List.of("config.json", "tokenizer.model").stream().allMatch(name -> Files.isRegularFile(out.resolve(name))
                    || llamaFolders.stream().anyMatch(f -> Files.isRegularFile(f.dir().resolve(name))));
            return new FolderAbilities(out, List.copyOf(names), llamaFiles);
        }

        @Override
        public void close() {
            conversions.forEach(c -> c.source().close());
        }
    }

    private final Path out;
    private final CheckpointKind forcedKind;
    private final PrintWriter log;
    private final Progress progress;
    /** {@code --quantize}, or null to keep every dtype. */
    private final Quantization quantization;
    /** The names written to each planned file (a quantised matrix adds its scales), for the shard index. */
    private final Map<Conversion, List<String>> writtenNames = new IdentityHashMap<>();
    private final Map<Conversion, Long> writtenBytes = new IdentityHashMap<>();

    /**
     * @param out        the model folder to write (created by {@link #write} if needed)
     * @param forcedKind what every input file holds, null to tell it from the tensor names
     * @param log        where the progress and notes go (the command line: stderr)
     */
    public Converter(Path out, CheckpointKind forcedKind, PrintWriter log) {
        this(out, forcedKind, null, log);
    }

    /** A converter that also quantises the linear layers' weights ({@code quantization}; null keeps every dtype). */
    Converter(Path out, CheckpointKind forcedKind, Quantization quantization, PrintWriter log) {
        this.out = out;
        this.forcedKind = forcedKind;
        this.log = log;
        this.progress = new Progress(log);
        this.quantization = quantization;
    }

    /**
     * Reads each input's tensor names ("reading FILE ... summary" on the log) and decides which tensors go to which file;
     * when two inputs hold one tensor, the one the reference code loads later keeps it (a note on the log).
     *
     * @throws Errors.UsageFailure for an input that is missing, unrecognised or unusable, naming it; nothing is written
     */
    public Plan plan(List<Path> inputs) {
        List<Path> files = new ArrayList<>();
        Map<Path, LlamaFolder> folderOf = new LinkedHashMap<>();
        for (Path input : inputs) {
            expand(input, files, folderOf);
        }
        List<Conversion> conversions = new ArrayList<>();
        Plan plan = new Plan(out, conversions, folderOf.values().stream().distinct().toList());
        try {
            for (Path file : files) {
                LlamaFolder folder = folderOf.get(file);
                conversions.add(progress.time("reading " + file,
                        () -> plan(file, folder != null ? CheckpointKind.LLAMA : forcedKind, folder), Converter::summary));
            }
            resolveOverlaps(conversions);
            checkOutputsDiffer(conversions);
            return plan;
        } catch (RuntimeException | Error e) {
            plan.close();
            throw e;
        }
    }

    /**
     * Creates the folder and writes every planned file ("writing FILE" on the log, its megabytes counted with the time
     * left), then each LLaMA folder's index, config and tokenizer files, passing each file to {@code written} once it is
     * complete.
     */
    public void write(Plan plan, Consumer<Path> written) {
        createOutputFolder();
        for (Conversion conversion : plan.conversions()) {
            progress.counted("writing " + conversion.output(), parts -> write(conversion, parts), Converter::megabytes);
            written.accept(conversion.output());
        }
        for (LlamaFolder folder : plan.llamaFolders()) {
            finishLlamaFolder(folder, plan.conversions(), written);
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
    private void resolveOverlaps(List<Conversion> conversions) {
        List<Conversion> byLoadOrder = conversions.stream().filter(c -> c.kind() != CheckpointKind.LLAMA)
                .sorted(Comparator.comparingInt(c -> loadOrder(c.kind()))).toList();
        Map<String, Conversion> owner = new LinkedHashMap<>();
        for (Conversion conversion : byLoadOrder) {
            for (String name : conversion.kept().keySet()) {
                Conversion earlier = owner.put(name, conversion);
                if (earlier != null) {
                    earlier.kept().remove(name);
                    log.println("note: '" + name + "' is in " + earlier.label() + " and " + conversion.label()
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

    /**
     * Streams the kept tensors, renamed, from the input's mapping to the output file, telling {@code parts} the megabytes
     * written so far after each tensor; returns the bytes written.
     */
    private long write(Conversion conversion, Consumer<String> parts) {
        List<Planned> tensors = new ArrayList<>();
        int quantised = 0;
        List<String> leftInFloat = new ArrayList<>();
        for (Map.Entry<String, String> kept : conversion.kept().entrySet()) {
            Tensor tensor = conversion.source().get(kept.getValue());
            if (quantization != null && Q8_0Linears.quantises(kept.getKey(), tensor)) {
                tensors.addAll(quantization.planned(kept.getKey(), tensor));
                quantised++;
                continue;
            }
            if (quantization != null && Q8_0Linears.isLinear(kept.getKey())) {
                leftInFloat.add(kept.getKey() + " " + tensor.shapeString());
            }
            Tensor renamed = Tensor.of(kept.getKey(), tensor.dtype(), tensor.shape(), tensor.data());
            tensors.add(new Planned(renamed.name(), renamed.dtype(), renamed.shape(), () -> renamed));
        }
        if (quantization != null) {
            log.println(conversion.output().getFileName() + ": " + quantised + " matrices quantised to " + quantization
                    + (leftInFloat.isEmpty() ? "" : ", " + leftInFloat.size() + " left as they are (rows not whole blocks of "
                    + DType.Q8_0_BLOCK + ": " + String.join(", ", leftInFloat.subList(0, Math.min(3, leftInFloat.size())))
                    + (leftInFloat.size() > 3 ? ", ..." : "") + ")"));
        }
        long bytes = tensors.stream().mapToLong(Planned::bytes).sum();
        writtenNames.put(conversion, tensors.stream().map(Planned::name).toList());
        writtenBytes.put(conversion, bytes);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt"); // what Hugging Face loaders expect of a PyTorch safetensors file
        metadata.put("source", conversion.input().getFileName().toString());
        // Progress counts whole parts ("... k/n"): megabytes, which a 13 GB shard has few enough of for an int
        long total = Math.round(bytes / 1e6);
        parts.accept("MB written 0/" + total);
        // each quantised matrix is made when the writer reaches it, so a shard is never in memory whole
        SafetensorsWriter.writePlanned(conversion.output(), tensors, metadata,
                written -> parts.accept("MB written " + Math.round(written / 1e6) + "/" + total));
        return bytes;
    }

    /** Copies the folder's config and tokenizer files and writes the safetensors index over its shards. */
    private void finishLlamaFolder(LlamaFolder folder, List<Conversion> conversions, Consumer<Path> written) {
        List<Conversion> shards = conversions.stream().filter(c -> c.folder() == folder).toList();
        if (folder.indexed() || shards.size() > 1) {
            Map<String, String> weightMap = new TreeMap<>();
            long total = 0;
            for (Conversion shard : shards) {
                for (String name : writtenNames.get(shard)) {
                    weightMap.put(name, shard.output().getFileName().toString());
                }
                total += writtenBytes.get(shard);
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
            written.accept(file);
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
                written.accept(out.resolve(name));
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

    static String summary(Conversion c) {
        return String.format(Locale.ROOT, "%s (%s): %d tensors, %d kept, %d dropped%s", c.kind().cliName(),
                c.kind().description(), c.kept().size() + c.dropped().size(), c.kept().size(), c.dropped().size(),
                c.dropped().isEmpty() ? "" : " (" + examples(c.dropped()) + ")");
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
