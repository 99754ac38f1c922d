package videollama.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The validated header of a safetensors file.
 *
 * <p>The format: an unsigned 64-bit little-endian header length N, then N bytes of UTF-8 JSON, then the data
 * section. The JSON maps each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}}, offsets
 * relative to the data section, plus an optional {@code "__metadata__"} object of strings.
 *
 * @param metadata  the {@code __metadata__} entries, empty if absent
 * @param tensors   the tensor entries in header order, every one checked against the file
 * @param dataStart the file offset of the data section, {@code 8 + N}
 */
record SafetensorsHeader(Map<String, String> metadata, List<TensorInfo> tensors, long dataStart) {

    /** Headers are a few kilobytes to a few megabytes; a larger length is a corrupt or hostile file. */
    static final long MAX_HEADER_BYTES = 100_000_000;

    static final String METADATA_KEY = "__metadata__";

    private static final ValueLayout.OfLong LENGTH = LittleEndian.I64;

    SafetensorsHeader {
        metadata = Map.copyOf(metadata);
        tensors = List.copyOf(tensors);
    }

    /**
     * Reads and validates the header of a whole file's bytes.
     *
     * @param file the file, for messages
     * @throws WeightsException naming the file (and tensor) for anything that is not a valid header
     */
    static SafetensorsHeader read(String file, MemorySegment bytes) {
        long fileSize = bytes.byteSize();
        if (fileSize < Long.BYTES) {
            throw new WeightsException(file + ": truncated: " + fileSize
                    + " bytes, a safetensors file starts with an 8-byte header length");
        }
        long headerLength = bytes.get(LENGTH, 0);
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw new WeightsException(file + ": header length " + Long.toUnsignedString(headerLength)
                    + " is over the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        if (headerLength > fileSize - Long.BYTES) {
            throw new WeightsException(file + ": header length " + headerLength
                    + " runs past the end of the file (" + fileSize + " bytes)");
        }
        String json = utf8(file, bytes.asSlice(Long.BYTES, headerLength).toArray(ValueLayout.JAVA_BYTE));
        JsonNode root = Json.parseObject(file, "header", json);

        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (entry.getKey().equals(METADATA_KEY)) {
                metadata = HeaderEntries.metadata(file, entry.getValue());
            } else {
                tensors.add(HeaderEntries.tensor(file, entry.getKey(), entry.getValue()));
            }
        }
        long dataStart = Long.BYTES + headerLength;
        ByteRanges.check(file, tensors, fileSize - dataStart);
        return new SafetensorsHeader(metadata, tensors, dataStart);
    }

    /** Strict decoding: a malformed byte is an error, not a replacement character in a tensor name. */
    private static String utf8(String file, byte[] header) {
        return StrictUtf8.decode(header, e -> new WeightsException(file + ": header is not valid UTF-8", e));
    }
}
