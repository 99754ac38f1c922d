package videollama.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final Arena arena;
    private final SafetensorsHeader header;
    private final Map<String, Tensor> tensors;
    private final List<String> names;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SafetensorsFile(Path path, Arena arena, MemorySegment bytes, SafetensorsHeader header) {
        this.path = path;
        this.arena = arena;
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
        if (!Files.isRegularFile(file)) {
            throw new WeightsException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment bytes = map(file, arena);
            return new SafetensorsFile(file, arena, bytes, SafetensorsHeader.read(file.toString(), bytes));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static MemorySegment map(Path file, Arena arena) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        } catch (IOException e) {
            throw WeightsException.io(file, "read", e);
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
        if (closed.get()) {
            throw new IllegalStateException(describe() + ": closed");
        }
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile[" + path + ", " + names.size() + " tensors]";
    }
}
