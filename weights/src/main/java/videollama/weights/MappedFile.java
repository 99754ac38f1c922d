package videollama.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A weights file mapped read-only, whole, into a shared arena, as the safetensors and the PyTorch checkpoint readers
 * both hold theirs: the tensors are slices of {@link #bytes}, read from any thread, and {@link #close} unmaps them
 * all at once (a slice read after that throws, never crashes).
 */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment bytes;
    private final AtomicBoolean closed = new AtomicBoolean();

    private MappedFile(Path path, Arena arena, MemorySegment bytes) {
        this.path = path;
        this.arena = arena;
        this.bytes = bytes;
    }

    /**
     * Maps {@code file}.
     *
     * @throws WeightsException naming the file, when it is not a regular file or cannot be read
     */
    public static MappedFile open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new WeightsException(file + (Files.exists(file) ? ": not a regular file" : ": no such file"));
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return new MappedFile(file, arena, channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e instanceof IOException io ? WeightsException.io(file, "read", io) : (RuntimeException) e;
        }
    }

    public MemorySegment bytes() {
        return bytes;
    }

    /** Throws {@link IllegalStateException} once this is closed: a reader checks before it hands out a tensor. */
    public void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException(path + ": closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            arena.close();
        }
    }
}
