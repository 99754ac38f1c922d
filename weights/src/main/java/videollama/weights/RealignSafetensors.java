package videollama.weights;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites safetensors files so that every tensor starts at a multiple of an alignment (default 128 bytes, PoCL's
 * base alignment), with {@link SafetensorsWriter#alignedEach}: the tensors in their order, names, dtypes, shapes and
 * bytes, the metadata kept. Each file is written beside itself, read back and compared tensor by tensor, byte for byte,
 * with the original, and its tensors' offsets checked, before it replaces the original; a difference leaves the
 * original in place and fails. For the small bundled models (models/README.md): the tensors are copied into memory.
 *
 * <pre>java -cp app/target/videollama.jar videollama.weights.RealignSafetensors [--alignment 128] FILE...</pre>
 */
public final class RealignSafetensors {
    private RealignSafetensors() {}

    public static void main(String[] args) {
        int alignment = 128;
        int first = 0;
        if (args.length >= 2 && args[0].equals("--alignment")) {
            alignment = Integer.parseInt(args[1]);
            first = 2;
        }
        if (args.length <= first) {
            System.err.println("usage: RealignSafetensors [--alignment BYTES] FILE...");
            System.exit(2);
        }
        for (int i = first; i < args.length; i++) {
            System.out.println(realign(Path.of(args[i]), alignment));
        }
    }

    /** Realigns {@code file} in place; returns a line saying what was checked. */
    public static String realign(Path file, int alignment) {
        long before;
        Map<String, String> metadata;
        List<Tensor> copies = new ArrayList<>();
        Arena arena = Arena.ofAuto();
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            before = sizeOf(file);
            metadata = new LinkedHashMap<>(in.metadata());
            for (String name : in.names()) {
                Tensor t = in.get(name);
                MemorySegment copy = arena.allocate(t.data().byteSize(), 8).copyFrom(t.data());
                copies.add(Tensor.of(name, t.dtype(), t.shape(), copy));
            }
        }
        Path written = file.resolveSibling(file.getFileName() + ".realigned");
        SafetensorsWriter.writePlanned(written, SafetensorsWriter.alignedEach(copies.stream().map(SafetensorsWriter.Planned::of).toList(),
                alignment), metadata, bytes -> {});
        try (SafetensorsFile out = SafetensorsFile.open(written)) {
            check(out, copies, metadata, alignment);
        } catch (RuntimeException e) {
            deleteQuietly(written);
            throw e;
        }
        try {
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw WeightsException.io(file, "replace", e);
        }
        return String.format("%s: %d tensors byte-identical, each at a multiple of %d bytes; %d -> %d bytes", file, copies.size(),
                alignment, before, sizeOf(file));
    }

    /** The rewritten file holds the same tensors in the same order, each aligned, and the same metadata. */
    private static void check(SafetensorsFile out, List<Tensor> originals, Map<String, String> metadata, int alignment) {
        if (!out.names().equals(originals.stream().map(Tensor::name).toList()) || !out.metadata().equals(metadata)) {
            throw new WeightsException(out.describe() + ": the tensor names or the metadata differ from the original's");
        }
        for (Tensor original : originals) {
            Tensor t = out.get(original.name());
            if (t.dtype() != original.dtype() || !java.util.Arrays.equals(t.shape(), original.shape())
                    || t.data().mismatch(original.data()) != -1) {
                throw new WeightsException(out.describe() + ": tensor '" + original.name() + "' differs from the original");
            }
        }
        for (TensorInfo info : out.tensorInfos()) {
            if (!info.name().startsWith(SafetensorsWriter.PADDING_PREFIX) && (out.dataStart() + info.begin()) % alignment != 0) {
                throw new WeightsException(out.describe() + ": tensor '" + info.name() + "' is not at a multiple of " + alignment);
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            throw WeightsException.io(file, "read", e);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (java.io.IOException e) {
            // the failure being reported matters more
        }
    }
}
