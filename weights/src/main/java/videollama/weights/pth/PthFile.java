package videollama.weights.pth;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import videollama.weights.MappedFile;
import videollama.weights.WeightsException;

/**
 * A PyTorch checkpoint in the zip format {@code torch.save} writes since torch 1.6, memory-mapped.
 *
 * <p>The archive holds {@code <archive>/data.pkl}, a pickle of whatever was saved (a state dict, or a training
 * checkpoint {@code {"model": ..., "optimizer": ..., "config": ..., "epoch": 3}}), and one entry
 * {@code <archive>/data/<key>} per storage, stored uncompressed. The whole file is mapped once (as
 * {@link videollama.weights.SafetensorsFile} does) and each tensor is a slice of the mapping at its storage's
 * entry: nothing is copied onto the heap except the pickle itself, which is small. The pickle is interpreted
 * into Java values (see {@link Unpickler} for the mapping); tensors in it are {@link TorchTensor}s, read only
 * when asked for.
 *
 * <p>Errors are {@link WeightsException}s with one line that starts with the file: a file that is not a zip,
 * the pre-1.6 format, a damaged archive or pickle, a pickle naming a global torch's {@code weights_only}
 * unpickler refuses (see {@link AllowedGlobals}), a compressed or missing storage entry.
 */
public final class PthFile implements AutoCloseable {
    /**
     * The first bytes of a checkpoint in the legacy format (torch &lt; 1.6): a protocol-2 pickle of the magic
     * number 0x1950a86a20f9469cfc6c as LONG1.
     */
    private static final byte[] LEGACY_MAGIC = {
        (byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20, 0x6a,
        (byte) 0xa8, 0x50, 0x19};
    /** The pickle is read onto the heap; real ones are kilobytes to a few megabytes. */
    private static final long MAX_PICKLE_BYTES = 1L << 30;

    private final Path path;
    private final MappedFile file;
    private final StoredZip zip;
    private final String archive;
    private final Object root;

    private PthFile(Path path, MappedFile file, StoredZip zip, String archive) {
        this.path = path;
        this.file = file;
        this.zip = zip;
        this.archive = archive;
        StoredZip.Entry pickle = entry(archive + "/data.pkl");
        if (pickle.size() > MAX_PICKLE_BYTES) {
            throw new PthFormatException("data.pkl is " + pickle.size() + " bytes, over the limit of "
                    + MAX_PICKLE_BYTES);
        }
        checkByteOrder();
        byte[] bytes = zip.checkedBytes(pickle);
        this.root = Unpickler.load(bytes, this::storage, new ArchiveStorages());
    }

    /**
     * Maps a checkpoint and interprets its pickle.
     *
     * @throws WeightsException naming the file, if it cannot be read or is not a zip-format PyTorch checkpoint
     */
    public static PthFile open(Path file) {
        MappedFile mapped = MappedFile.open(file);
        try {
            MemorySegment bytes = mapped.bytes();
            if (startsWith(bytes, LEGACY_MAGIC)) {
                throw new WeightsException(file + ": a PyTorch checkpoint in the legacy format of torch < 1.6, which"
                        + " is not supported: load it and save it again with torch >= 1.6");
            }
            if (!StoredZip.looksLikeZip(bytes)) {
                throw new WeightsException(file + ": not a PyTorch checkpoint (a torch.save file is a ZIP archive,"
                        + " and this one does not start like one)");
            }
            StoredZip zip = StoredZip.read(file.toString(), bytes);
            return new PthFile(file, mapped, zip, archiveName(zip));
        } catch (PthFormatException e) {
            mapped.close();
            throw new WeightsException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        }
    }

    private static boolean startsWith(MemorySegment bytes, byte[] prefix) {
        return bytes.byteSize() >= prefix.length
                && Arrays.equals(bytes.asSlice(0, prefix.length).toArray(ValueLayout.JAVA_BYTE), prefix);
    }

    /**
     * The folder every entry lies in: torch names it after the file ({@code archive/} in older versions), so it
     * is found as the one folder holding a {@code data.pkl}.
     */
    private static String archiveName(StoredZip zip) {
        List<String> pickles = zip.entries().keySet().stream()
                .filter(name -> name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length())
                .toList();
        if (pickles.size() != 1) {
            throw new PthFormatException(pickles.isEmpty()
                    ? "a ZIP archive without a <archive>/data.pkl entry: not a torch.save checkpoint"
                    : "a ZIP archive with " + pickles.size() + " data.pkl entries");
        }
        String pickle = pickles.getFirst();
        return pickle.substring(0, pickle.length() - "/data.pkl".length());
    }

    private void checkByteOrder() {
        StoredZip.Entry order = zip.find(archive + "/byteorder").orElse(null);
        if (order == null) {
            return; // written before torch recorded it, always on little-endian machines
        }
        if (order.size() > 16) {
            throw new PthFormatException("the byteorder entry is " + order.size() + " bytes long");
        }
        String value = new String(zip.data(order).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).strip();
        if (!value.equals("little")) {
            throw new PthFormatException("saved with byte order '" + value.replaceAll("\\P{Print}", "?")
                    + "'; only little-endian checkpoints are supported");
        }
    }

    private StoredZip.Entry entry(String name) {
        return zip.find(name).orElseThrow(() -> new PthFormatException("no entry '" + name + "' in the archive"));
    }

    /** BINPERSID: {@code ('storage', storage_type, key, location, numel)}. */
    private Object storage(PyTuple id) {
        if (id.size() != 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof PyGlobal storageClass)
                || !(id.get(2) instanceof String key) || !(id.get(3) instanceof String location)
                || !(id.get(4) instanceof Long numel) || numel < 0) {
            throw new PthFormatException("a persistent id that is not ('storage', class, key, location, numel)");
        }
        return new TorchStorage(ElementType.ofStorageClass(storageClass), key, location, numel);
    }

    /** Storage bytes: the entry {@code <archive>/data/<key>}, checked to hold {@code numel} elements. */
    private final class ArchiveStorages implements TorchTensor.Storages {
        @Override
        public String file() {
            return path.toString();
        }

        @Override
        public MemorySegment bytes(TorchStorage storage) {
            file.checkOpen();
            MemorySegment data = zip.data(entry(archive + "/data/" + storage.key()));
            int elementSize = storage.type().byteSize();
            if (elementSize == 0) {
                throw new PthFormatException("lies in a storage of the unknown type " + storage.type());
            }
            if (storage.numel() > data.byteSize() / elementSize) {
                throw new PthFormatException("lies in storage '" + storage.key() + "' of " + storage.numel() + " "
                        + storage.type() + " elements, but its entry holds only " + data.byteSize() + " bytes");
            }
            return data.asSlice(0, storage.numel() * elementSize);
        }
    }

    public Path path() {
        return path;
    }

    /**
     * What was saved, as Java values: {@link Map} for dicts, {@link TorchTensor} for tensors, and so on (see
     * {@link Unpickler}).
     */
    public Object root() {
        return root;
    }

    /**
     * The tensors of the dict found by following {@code keys} from the root: {@code stateDict()} for a file
     * that is a state dict, {@code stateDict("model")} for the model of a training checkpoint.
     *
     * @throws WeightsException naming the file and the keys, if there is no dict there, or naming the entry, if
     *         the dict holds anything but tensors under string keys
     */
    public PthStateDict stateDict(String... keys) {
        Object value = root;
        StringBuilder where = new StringBuilder();
        for (String key : keys) {
            where.append("[\"").append(key).append("\"]");
            if (!(value instanceof Map<?, ?> map) || !map.containsKey(key)) {
                throw new WeightsException(path + ": no " + where + " in the checkpoint"
                        + (value instanceof Map<?, ?> ? ""
                                : " (the outer value is a " + Unpickler.typeName(value) + ")"));
            }
            value = map.get(key);
        }
        if (!(value instanceof Map<?, ?> dict)) {
            throw new WeightsException(path + ": " + (where.isEmpty() ? "the checkpoint" : where.toString())
                    + " is a " + Unpickler.typeName(value) + ", not a dict of tensors");
        }
        return new PthStateDict(this, where.toString(), dict);
    }

    /**
     * The model's tensors, found as {@code videollama convert} finds them: the top-level dict of a state dict,
     * or {@code ["model"]} of a training checkpoint.
     *
     * @throws WeightsException naming the file, if neither holds tensors, or naming the entry that is not a tensor
     */
    public PthStateDict modelTensors() {
        boolean tensorsAtTop = root instanceof Map<?, ?> dict
                && dict.values().stream().anyMatch(v -> v instanceof TorchTensor || v instanceof UnreadValue);
        if (tensorsAtTop) {
            return stateDict();
        }
        if (root instanceof Map<?, ?> dict && dict.get("model") instanceof Map<?, ?>) {
            return stateDict("model");
        }
        throw new WeightsException(path + ": no tensors (none at the top level of the checkpoint nor under"
                + " [\"model\"])");
    }

    /** Unmaps the file; tensors handed out before become unusable (access throws, never crashes). */
    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "PthFile[" + path + "]";
    }
}
