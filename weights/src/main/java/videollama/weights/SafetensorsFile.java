package videollama.weights;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One safetensors file, memory-mapped.
 *
 * <p>Filler tensors ({@link SafetensorsWriter#PADDING_PREFIX}, U8) are not listed.
 *
 * <p>The whole file is mapped read-only as one segment (a segment, unlike a {@code MappedByteBuffer}, has no
 * 2 GB limit) and each tensor is a slice of it, so opening costs the header and nothing more.
 * The header is validated completely in {@link #open} before any slice is made. The mapping belongs to a
 * shared arena: tensors may be read from any thread, and {@link #close} unmaps them all at once.
 */
public final class SafetensorsFile implements TensorSource {
    private final Path path;
    private final MappedFile file;
    private final SafetensorsHeader header;
    private final Map<String, Tensor> tensors;
    private final List<String> names;

    private SafetensorsFile(Path path, MappedFile file, SafetensorsHeader header) {
        this.path = path;
        this.file = file;
        MemorySegment bytes = file.bytes();
        this.header = header;
        this.tensors = new LinkedHashMap<>();
        for (TensorInfo info : header.tensors()) {
            if (info.name().startsWith(SafetensorsWriter.PADDING_PREFIX) && info.dtype() == DType.U8) {
                continue; // filler that aligns the next tensor (SafetensorsWriter.alignedEach), no weight
            }
            MemorySegment slice = bytes.asSlice(header.dataStart() + info.begin(), info.byteSpan());
            tensors.put(info.name(), Tensor.of(info.name(), info.dtype(), info.shape(), slice));
        }
        this.names = List.copyOf(tensors.keySet());
    }

    /**
     * Maps and validates a file.
     *
     * @throws WeightsException if the file cannot be read or is not a valid safetensors file
     */
    public static SafetensorsFile open(Path file) {
        MappedFile mapped = MappedFile.open(file);
        try {
            return new SafetensorsFile(file, mapped, SafetensorsHeader.read(file.toString(), mapped.bytes()));
        } catch (RuntimeException e) {
            mapped.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} strings; empty if the file has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /** The file offset of the data section: a tensor's bytes start at this plus its {@link TensorInfo#begin}. */
    public long dataStart() {
        return header.dataStart();
    }

    /** The header entries in file order (filler tensors too). */
    public List<TensorInfo> tensorInfos() {
        return header.tensors();
    }

    @Override
    public String describe() {
        return path.toString();
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Optional<Tensor> find(String name) {
        file.checkOpen();
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public void close() {
        file.close();
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }
}
