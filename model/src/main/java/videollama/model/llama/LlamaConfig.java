package videollama.model.llama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.Predicate;
import videollama.model.ModelException;
import videollama.weights.SmallFile;

/**
 * The numbers of a LLaMA-family decoder, read from a Hugging Face {@code config.json}. Every field such
 * checkpoints use is honoured; a missing optional field takes the default of transformers' {@code LlamaConfig}.
 *
 * @param headDim the width of one attention head: {@code head_dim} if given, else {@code hidden_size / heads}
 * @param eosTokenIds one or more end-of-sequence ids ({@code eos_token_id} may be a list)
 */
public record LlamaConfig(
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        float rmsNormEps,
        double ropeTheta,
        boolean tieWordEmbeddings,
        int bosTokenId,
        int[] eosTokenIds) {

    /** Reads and checks {@code config.json}; every error names the file and the field. */
    public static LlamaConfig load(Path configJson) {
        if (!Files.exists(configJson)) {
            throw new ModelException(configJson + ": not found (a LLaMA model folder needs config.json)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(SmallFile.readText(configJson, SmallFile.CONFIG_BYTES, "a config.json"));
        } catch (IOException e) {
            throw new ModelException(configJson + ": not valid JSON: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new ModelException(configJson + ": not a JSON object");
        }
        return parse(root, configJson.toString());
    }

    static LlamaConfig parse(JsonNode root, String file) {
        Fields f = new Fields(root, file);
        String modelType = f.string("model_type", "llama");
        if (!modelType.equals("llama")) {
            throw new ModelException(file + ": model_type '" + modelType + "' is not supported (expected 'llama')");
        }
        String act = f.string("hidden_act", "silu");
        if (!act.equals("silu")) {
            throw new ModelException(file + ": hidden_act '" + act + "' is not supported (LLaMA uses 'silu')");
        }
        if (root.hasNonNull("rope_scaling")) {
            throw new ModelException(file + ": rope_scaling is not supported (LLaMA-1/2 and Vicuna have none)");
        }
        if (f.bool("attention_bias", false) || f.bool("mlp_bias", false)) {
            throw new ModelException(file + ": attention_bias/mlp_bias are not supported (LLaMA has no biases)");
        }
        int hidden = f.positiveInt("hidden_size", null);
        int heads = f.positiveInt("num_attention_heads", null);
        int kvHeads = f.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw new ModelException(file + ": num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (!root.hasNonNull("head_dim") && hidden % heads != 0) {
            throw new ModelException(file + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        int headDim = f.positiveInt("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw new ModelException(file + ": head width " + headDim + " is odd; rotary embeddings need an even width");
        }
        // rope_theta is top-level in LLaMA checkpoints; transformers 5 may also write it under rope_parameters.
        double theta = root.path("rope_parameters").hasNonNull("rope_theta")
                ? root.path("rope_parameters").path("rope_theta").asDouble()
                : f.positiveDouble("rope_theta", 10000.0);
        return new LlamaConfig(
                hidden,
                f.positiveInt("intermediate_size", null),
                f.positiveInt("num_hidden_layers", null),
                heads,
                kvHeads,
                headDim,
                f.positiveInt("vocab_size", 32000),
                f.positiveInt("max_position_embeddings", 2048),
                (float) f.positiveDouble("rms_norm_eps", 1e-6),
                theta,
                f.bool("tie_word_embeddings", false),
                f.nonNegativeInt("bos_token_id", 1),
                f.eosIds());
    }

    /** Width of the key and value projections: {@code kvHeads · headDim}. */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Width of the query projection and of the attention output: {@code heads · headDim}. */
    public int qDim() {
        return numHeads * headDim;
    }

    public boolean isEos(int token) {
        for (int id : eosTokenIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Typed access to config fields, with errors that name the file and the field. */
    private record Fields(JsonNode root, String file) {
        int positiveInt(String name, Integer fallback) {
            int v = intValue(name, fallback);
            if (v <= 0) {
                throw new ModelException(file + ": " + name + " must be positive, got " + v);
            }
            return v;
        }

        int nonNegativeInt(String name, int fallback) {
            int v = intValue(name, fallback);
            if (v < 0) {
                throw new ModelException(file + ": " + name + " must not be negative, got " + v);
            }
            return v;
        }

        private int intValue(String name, Integer fallback) {
            return value(name, fallback, n -> n.canConvertToInt() && n.isIntegralNumber(), "an integer", JsonNode::intValue);
        }

        double positiveDouble(String name, double fallback) {
            return value(name, fallback, n -> n.isNumber() && n.doubleValue() > 0, "a positive number", JsonNode::doubleValue);
        }

        boolean bool(String name, boolean fallback) {
            return value(name, fallback, JsonNode::isBoolean, "true or false", JsonNode::booleanValue);
        }

        /**
         * The field read by {@code read}, or {@code fallback} when it is absent or null (an error if there is no
         * fallback); a value that is not {@code valid} is an error saying what it must be.
         */
        private <T> T value(String name, T fallback, Predicate<JsonNode> valid, String mustBe, Function<JsonNode, T> read) {
            JsonNode n = root.get(name);
            if (n == null || n.isNull()) {
                if (fallback == null) {
                    throw new ModelException(file + ": missing field " + name);
                }
                return fallback;
            }
            if (!valid.test(n)) {
                throw new ModelException(file + ": " + name + " must be " + mustBe + ", got " + n);
            }
            return read.apply(n);
        }

        String string(String name, String fallback) {
            JsonNode n = root.get(name);
            return n == null || n.isNull() ? fallback : n.asText();
        }

        int[] eosIds() {
            JsonNode n = root.get("eos_token_id");
            if (n == null || n.isNull()) {
                return new int[] {2};
            }
            if (n.isArray()) {
                int[] ids = new int[n.size()];
                for (int i = 0; i < ids.length; i++) {
                    if (!n.get(i).isIntegralNumber()) {
                        throw new ModelException(file + ": eos_token_id must hold integers, got " + n);
                    }
                    ids[i] = n.get(i).intValue();
                }
                return ids;
            }
            return new int[] {nonNegativeInt("eos_token_id", 2)};
        }
    }
}
