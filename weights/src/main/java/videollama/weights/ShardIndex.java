package videollama.weights;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Hugging Face {@code model.safetensors.index.json}: its {@code "weight_map"} says which shard file, in the
 * same folder, holds each tensor. Other keys (such as {@code "metadata"}) are not needed and ignored.
 *
 * @param file      the index file, for messages
 * @param weightMap tensor name to shard file name, in index order
 */
record ShardIndex(Path file, Map<String, String> weightMap) {
    static final String FILE_NAME = "model.safetensors.index.json";

    ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
    }

    static ShardIndex read(Path file) {
        String text = SmallFile.readText(file, SmallFile.INDEX_BYTES, "a shard index");
        JsonNode weightMap = Json.parseObject(file.toString(), "index", text).get("weight_map");
        if (weightMap == null || !weightMap.isObject() || weightMap.isEmpty()) {
            String found = weightMap != null && weightMap.isObject() ? "an empty one" : Json.typeName(weightMap);
            throw new WeightsException(file + ": \"weight_map\" must be a non-empty JSON object, found " + found);
        }
        Map<String, String> shards = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : weightMap.properties()) {
            String where = file + ": tensor '" + entry.getKey() + "'";
            JsonNode shard = entry.getValue();
            if (!shard.isTextual()) {
                throw new WeightsException(where + " is mapped to a " + Json.typeName(shard)
                        + ", expected a shard file name");
            }
            if (!isPlainFileName(shard.textValue())) {
                throw new WeightsException(where + " is mapped to '" + shard.textValue()
                        + "', which is not a file name in the index's folder");
            }
            shards.put(entry.getKey(), shard.textValue());
        }
        return new ShardIndex(file, shards);
    }

    /** Shards live beside the index; a path could make a crafted index open any file on the machine. */
    private static boolean isPlainFileName(String name) {
        return !name.isEmpty() && !name.equals(".") && !name.equals("..")
                && name.indexOf('/') < 0 && name.indexOf('\\') < 0 && name.indexOf('\0') < 0;
    }
}
