package videollama.weights;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import java.util.Locale;

/** The one JSON mapper of this module, strict because the JSON it reads comes from files we did not write. */
final class Json {
    /**
     * Duplicate keys are errors (otherwise the last tensor of a name would silently win), and so is anything
     * after the top-level value. Jackson's default limits on nesting and number length stay in force.
     */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Parses {@code text} as a JSON object.
     *
     * @param file the file, for messages
     * @param part what the text is, e.g. {@code "header"}, for messages
     */
    static JsonNode parseObject(String file, String part, String text) {
        String where = file + ": " + part;
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new WeightsException(where + " is not valid JSON" + position + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeightsException(where + " is not a JSON object (found " + typeName(root) + ")");
        }
        return root;
    }

    /** "string", "number", "array", ... for messages about wrong JSON types. */
    static String typeName(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        return node.getNodeType() == JsonNodeType.POJO ? "object" : node.getNodeType().name().toLowerCase(Locale.ROOT);
    }
}
