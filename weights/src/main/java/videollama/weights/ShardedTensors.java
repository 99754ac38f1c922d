package videollama.weights;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A folder of safetensors shards seen as one source, the way Hugging Face checkpoints are stored.
 *
 * <p>With a {@code model.safetensors.index.json}, the shards are the files its weight map names, and every
 * mapping is checked against the shard it names. Without one, the shards are all {@code *.safetensors}
 * files of the folder. Either way each shard is opened once, shards are taken in file-name order, and a
 * tensor name in two shards is an error: which copy wins would otherwise depend on chance.
 */
public final class ShardedTensors implements TensorSource {
    /** The folder, or what else the files are together (said in errors and by {@link #describe}). */
    private final String describe;
    private final List<SafetensorsFile> shards;
    /** Which shard holds each tensor; in shard order, then file order. */
    private final Map<String, SafetensorsFile> owners;
    private final List<String> names;

    private ShardedTensors(String describe, List<SafetensorsFile> shards) {
        this.describe = describe;
        this.shards = List.copyOf(shards);
        this.owners = new LinkedHashMap<>();
        for (SafetensorsFile shard : shards) {
            for (String name : shard.names()) {
                SafetensorsFile earlier = owners.putIfAbsent(name, shard);
                if (earlier != null) {
                    throw new WeightsException(describe + ": tensor '" + name + "' is in both " + earlier.path()
                            + " and " + shard.path());
                }
            }
        }
        this.names = List.copyOf(owners.keySet());
    }

    /**
     * Opens a folder of shards: the files of its index if it has one, else all its {@code *.safetensors}
     * files. A folder holding just one file and no index gives that file itself.
     *
     * @throws WeightsException naming the folder, index, shard and tensor involved, for a folder without
     *         safetensors files, a bad or inconsistent index, a bad shard, or a tensor in two shards
     */
    public static TensorSource open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new WeightsException(dir + ": not a directory");
        }
        Path indexFile = dir.resolve(ShardIndex.FILE_NAME);
        if (Files.exists(indexFile)) {
            return openIndexed(dir, ShardIndex.read(indexFile));
        }
        List<Path> files = listSafetensors(dir);
        return switch (files.size()) {
            case 0 -> throw new WeightsException(dir + ": no *.safetensors files");
            case 1 -> SafetensorsFile.open(files.getFirst());
            default -> openAll(dir, files);
        };
    }

    /**
     * Files opened elsewhere seen as one source (a model folder's files of one kind, picked by their tensor names);
     * closing it closes them. {@code describe} names them in errors.
     *
     * @throws WeightsException for a tensor in two files
     */
    public static ShardedTensors of(String describe, List<SafetensorsFile> files) {
        return new ShardedTensors(describe, files);
    }

    private static TensorSource openIndexed(Path dir, ShardIndex index) {
        Map<String, Path> shardFiles = new LinkedHashMap<>();
        for (String shardName : new TreeSet<>(index.weightMap().values())) {
            shardFiles.put(shardName, dir.resolve(shardName));
        }
        index.weightMap().forEach((tensor, shardName) -> {
            if (!Files.isRegularFile(shardFiles.get(shardName))) {
                throw new WeightsException(index.file() + ": tensor '" + tensor + "' is mapped to shard '"
                        + shardName + "', which does not exist");
            }
        });
        ShardedTensors sharded = openAll(dir, List.copyOf(shardFiles.values()));
        try {
            index.weightMap().forEach((tensor, shardName) -> {
                SafetensorsFile owner = sharded.owners.get(tensor);
                if (owner == null || !owner.path().getFileName().toString().equals(shardName)) {
                    throw new WeightsException(index.file() + ": tensor '" + tensor + "' is mapped to shard '"
                            + shardName + "', which does not contain it");
                }
            });
        } catch (RuntimeException e) {
            sharded.close();
            throw e;
        }
        return sharded;
    }

    /** Opens every file, or none: whatever opened before a failure is closed again. */
    private static ShardedTensors openAll(Path dir, List<Path> files) {
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            for (Path file : files) {
                opened.add(SafetensorsFile.open(file));
            }
            return new ShardedTensors(dir.toString(), opened);
        } catch (RuntimeException e) {
            opened.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static List<Path> listSafetensors(Path dir) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.safetensors")) {
            for (Path file : stream) {
                if (Files.isRegularFile(file)) {
                    files.add(file);
                }
            }
        } catch (IOException e) {
            throw WeightsException.io(dir, "list", e);
        }
        files.sort(Comparator.comparing(file -> file.getFileName().toString()));
        return files;
    }

    /** The shards, in the order their tensors are listed. */
    public List<SafetensorsFile> shards() {
        return shards;
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Optional<Tensor> find(String name) {
        SafetensorsFile owner = owners.get(name);
        return owner == null ? Optional.empty() : owner.find(name);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "ShardedTensors[" + describe + ", " + shards.size() + " shards, " + names.size() + " tensors]";
    }
}
