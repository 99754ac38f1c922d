package videollama.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the JSON values of a safetensors header into typed entries, checking every JSON type on the way,
 * so that a wrong type is reported against its tensor instead of surfacing later as a null or a zero.
 */
final class HeaderEntries {
    /** How much of an offending JSON value a message quotes. */
    private static final int QUOTE_LIMIT = 80;

    private HeaderEntries() {
    }

    /** The {@code __metadata__} value: an object whose values are all strings. */
    static Map<String, String> metadata(String file, JsonNode node) {
        String where = file + ": " + SafetensorsHeader.METADATA_KEY;
        if (!node.isObject()) {
            throw new WeightsException(where + " must be a JSON object of strings, found " + Json.typeName(node));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new WeightsException(where + " must map strings to strings, but '" + entry.getKey()
                        + "' is a " + Json.typeName(entry.getValue()));
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }

    /**
     * One tensor entry, with its JSON types checked and its dtype resolved. Offsets and sizes are checked
     * later, against the file and the other entries ({@link ByteRanges}).
     */
    static TensorInfo tensor(String file, String name, JsonNode node) {
        String where = file + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new WeightsException(where + " must be a JSON object, found " + Json.typeName(node));
        }
        DType dtype = dtype(where, field(where, node, "dtype"));
        long[] shape = naturals(where, "shape", field(where, node, "shape"));
        long[] offsets = naturals(where, "data_offsets", field(where, node, "data_offsets"));
        if (offsets.length != 2) {
            throw new WeightsException(where + " has data_offsets " + quote(node.get("data_offsets"))
                    + ", expected two integers [begin, end]");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static JsonNode field(String where, JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null) {
            throw new WeightsException(where + " has no \"" + field + "\"");
        }
        return value;
    }

    private static DType dtype(String where, JsonNode node) {
        if (!node.isTextual()) {
            throw new WeightsException(where + " has dtype " + quote(node) + ", expected a string");
        }
        try {
            return DType.fromSafetensors(node.textValue());
        } catch (IllegalArgumentException e) {
            throw new WeightsException(where + " has " + e.getMessage(), e);
        }
    }

    /** An array of integers in {@code [0, Long.MAX_VALUE]}: no fractions, no negatives, no big integers. */
    private static long[] naturals(String where, String field, JsonNode node) {
        if (!node.isArray()) {
            throw new WeightsException(where + " has " + field + " " + quote(node)
                    + ", expected an array of non-negative integers");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw new WeightsException(where + " has " + field + " " + quote(node)
                        + ": " + quote(element) + " is not a non-negative integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /** Compact JSON text of a value, cut short: a message stays readable even for a huge array. */
    private static String quote(JsonNode node) {
        String text = node.toString();
        return text.length() <= QUOTE_LIMIT ? text : text.substring(0, QUOTE_LIMIT) + "...";
    }
}
