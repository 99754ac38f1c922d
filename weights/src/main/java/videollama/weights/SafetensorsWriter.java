package videollama.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Writes tensors as a safetensors file.
 *
 * <p>The header lists the tensors in the given order, their data follows contiguously in the same order,
 * and the header is padded with spaces so the data section starts at a multiple of {@link #DATA_ALIGNMENT}, a page:
 * a reader that maps the file finds F32 and I64 data naturally aligned, and a device that shares host memory can
 * wrap a tensor of the mapping as its buffer instead of copying it (OpenCL's {@code CL_MEM_USE_HOST_PTR} wants the
 * device's base address alignment, at most a page on the drivers we know). The file is written beside the target under a
 * temporary name and renamed over it at the end: a reader never sees half a file, and a file being read
 * through a mapping may be replaced safely.
 */
public final class SafetensorsWriter {
    /** Tensor bytes go to the file through a buffer of this size, whatever memory backs them. */
    private static final int COPY_CHUNK = 1 << 22;
    /** Where the data section starts in the file: a multiple of a 4 KiB page. */
    public static final int DATA_ALIGNMENT = 4096;
    /**
     * The name prefix of the filler tensors {@link #alignedEach} puts between tensors ({@code __padding__.0}, ...):
     * zero bytes that {@link SafetensorsFile} does not list.
     */
    public static final String PADDING_PREFIX = "__padding__.";

    private SafetensorsWriter() {
    }

    /**
     * Writes {@code tensors} and {@code metadata} (omitted from the header when empty) to {@code file}.
     *
     * @throws IllegalArgumentException for two tensors of one name, a tensor named {@code __metadata__}, or a Q8_0
     *         tensor (write {@link QuantizedTensors#stored} of it instead)
     * @throws WeightsException         naming the file if it cannot be written
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, bytes -> {});
    }

    /**
     * {@link #write(Path, List, Map)}, telling {@code written} the tensor bytes written so far after each tensor (a
     * converter's progress over a multi-gigabyte file).
     */
    public static void write(Path file, List<Tensor> tensors, Map<String, String> metadata, LongConsumer written) {
        writePlanned(file, tensors.stream().map(Planned::of).toList(), metadata, written);
    }

    /**
     * A tensor whose bytes are made only when the writer reaches it, so that a file larger than memory can be written
     * one tensor at a time (a benchmark's random 7B model); {@code tensor} must give this name, dtype and shape.
     */
    public record Planned(String name, DType dtype, long[] shape, Supplier<Tensor> tensor) {
        static Planned of(Tensor t) {
            return new Planned(t.name(), t.dtype(), t.shape(), () -> t);
        }

        public long bytes() {
            return Shapes.byteCount(shape, dtype);
        }
    }

    /**
     * {@code tensors} with a U8 filler tensor ({@link #PADDING_PREFIX}) after each one whose end is not a multiple of
     * {@code alignment} bytes, so that every tensor starts at such a multiple of the file (the data section starts on
     * a page). The safetensors format has no gaps between tensors (its reference reader refuses them), so the filler
     * is a tensor of its own. For a device that uses weights in place only at its base alignment (OpenCL on PoCL: 128
     * bytes): a model whose vectors are narrow (the bundled demo's 48-wide biases, 192 bytes) needs it.
     *
     * @throws IllegalArgumentException for an alignment that does not divide {@link #DATA_ALIGNMENT}
     */
    public static List<Planned> alignedEach(List<Planned> tensors, int alignment) {
        if (alignment <= 0 || DATA_ALIGNMENT % alignment != 0) {
            throw new IllegalArgumentException("alignment " + alignment + " does not divide " + DATA_ALIGNMENT);
        }
        List<Planned> out = new java.util.ArrayList<>();
        long offset = 0;
        int fillers = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Planned t = tensors.get(i);
            out.add(t);
            offset += t.bytes();
            long gap = (alignment - offset % alignment) % alignment;
            if (gap > 0 && i < tensors.size() - 1) {
                String name = PADDING_PREFIX + fillers++;
                out.add(new Planned(name, DType.U8, new long[] {gap}, () -> Tensor.of(name, DType.U8, new long[] {gap},
                        java.lang.foreign.Arena.ofAuto().allocate(gap))));
                offset += gap;
            }
        }
        return out;
    }

    /** The size of the file {@link #writePlanned} makes of these tensors: the length field, the header, the data. */
    public static long fileBytes(List<Planned> tensors, Map<String, String> metadata) {
        return Long.BYTES + header(tensors, metadata).length + tensors.stream().mapToLong(Planned::bytes).sum();
    }

    /** {@link #write(Path, List, Map, LongConsumer)} of tensors made one at a time, in order, as the file reaches them. */
    public static void writePlanned(Path file, List<Planned> tensors, Map<String, String> metadata, LongConsumer written) {
        byte[] header = header(tensors, metadata == null ? Map.of() : metadata);
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            temp = temporarySibling(target);
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer length = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                writeFully(out, length.putLong(0, header.length));
                writeFully(out, ByteBuffer.wrap(header));
                long bytes = 0;
                for (Planned planned : tensors) {
                    Tensor tensor = planned.tensor().get();
                    if (!tensor.name().equals(planned.name()) || tensor.dtype() != planned.dtype()
                            || !Arrays.equals(tensor.shape(), planned.shape())) {
                        throw new IllegalStateException("tensor " + planned.name() + " was planned as " + planned.dtype() + " "
                                + Shapes.format(planned.shape()) + ", made as " + tensor);
                    }
                    writeSegment(out, tensor.data());
                    bytes += tensor.data().byteSize();
                    written.accept(bytes);
                }
                out.force(true);
            }
            replace(temp, target);
        } catch (IOException e) {
            deleteQuietly(temp, e);
            throw WeightsException.io(file, "write", e);
        } catch (RuntimeException e) {
            deleteQuietly(temp, e);
            throw e;
        }
    }

    /**
     * The header JSON, UTF-8, padded with spaces (allowed trailing JSON whitespace) so that the 8-byte length and the
     * header end at a multiple of {@link #DATA_ALIGNMENT}.
     */
    static byte[] header(List<Planned> tensors, Map<String, String> metadata) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = root.putObject(SafetensorsHeader.METADATA_KEY);
            metadata.forEach(meta::put);
        }
        Set<String> seen = new HashSet<>();
        long offset = 0;
        for (Planned tensor : tensors) {
            if (tensor.name().equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor cannot be named " + SafetensorsHeader.METADATA_KEY);
            }
            if (!seen.add(tensor.name())) {
                throw new IllegalArgumentException("duplicate tensor name '" + tensor.name() + "'");
            }
            if (!tensor.dtype().isStored()) {
                throw new IllegalArgumentException("tensor '" + tensor.name() + "' is " + tensor.dtype()
                        + ", which a file holds as two tensors (QuantizedTensors.stored)");
            }
            ObjectNode entry = root.putObject(tensor.name());
            entry.put("dtype", tensor.dtype().safetensorsName());
            ArrayNode shape = entry.putArray("shape");
            Arrays.stream(tensor.shape()).forEach(shape::add);
            long end = offset + tensor.bytes();
            entry.putArray("data_offsets").add(offset).add(end);
            offset = end;
        }
        byte[] json;
        try {
            json = Json.MAPPER.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a safetensors header", e);
        }
        int padded = (Long.BYTES + json.length + DATA_ALIGNMENT - 1) / DATA_ALIGNMENT * DATA_ALIGNMENT - Long.BYTES;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header of " + padded + " bytes is over the limit of "
                    + SafetensorsHeader.MAX_HEADER_BYTES + " that readers accept");
        }
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    /**
     * Copies through a byte array: a segment over a {@code float[]}, say, has no {@link ByteBuffer} view, and
     * one write per chunk keeps this independent of the 2 GB buffer limit.
     */
    private static void writeSegment(FileChannel out, MemorySegment data) throws IOException {
        byte[] chunk = new byte[(int) Math.min(COPY_CHUNK, data.byteSize())];
        for (long offset = 0; offset < data.byteSize(); offset += chunk.length) {
            int length = (int) Math.min(chunk.length, data.byteSize() - offset);
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, offset, chunk, 0, length);
            writeFully(out, ByteBuffer.wrap(chunk, 0, length));
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    /**
     * A fresh hidden name in the target's folder (a rename is only atomic within one file system). Made by
     * hand rather than with {@code Files.createTempFile}, whose owner-only permissions the finished file
     * would keep.
     */
    private static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
                + "." + System.nanoTime() + ".tmp");
    }

    private static void replace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path temp, Exception failure) {
        if (temp == null) {
            return;
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
