package videollama.repro.report;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the report shows of a {@code run.json} (written by {@code eval qa}; its fields are documented there, in
 * {@code RunInfo}): the answering settings under {@code answering}, the generation settings under {@code
 * answering.generation}, and where and when the run was. Read by path, each field null when absent, so that a
 * run.json of an older or newer version still shows what it has. Generation settings a run.json does not record
 * (beams, penalties) are those of a version without them: the reference demo's defaults.
 */
record RunSettings(String model, String visionBranchSha256, String dataset, Integer frames, String template, String backend,
                   String decoder, String device, String machine, String started, Integer questions, Integer datasetQuestions,
                   String shard, Integer limit, Generation generation) {

    /** The generation settings, as transformers' {@code generate} names them. */
    record Generation(int maxNewTokens, double temperature, int topK, double topP, Long seed, int numBeams,
                      double lengthPenalty, double repetitionPenalty, int minLength) {}

    static RunSettings of(JsonNode run) {
        JsonNode a = run.path("answering");
        JsonNode g = a.path("generation");
        JsonNode s = g.path("sampling");
        Generation generation = g.isObject() ? new Generation(g.path("max_new_tokens").asInt(Published.MAX_NEW_TOKENS),
                s.path("temperature").asDouble(Published.TEMPERATURE), s.path("top_k").asInt(Published.TOP_K),
                s.path("top_p").asDouble(Published.TOP_P), s.path("seed").isNumber() ? s.path("seed").asLong() : null,
                g.path("num_beams").asInt(Published.NUM_BEAMS), g.path("length_penalty").asDouble(Published.LENGTH_PENALTY),
                g.path("repetition_penalty").asDouble(Published.REPETITION_PENALTY), g.path("min_length").asInt(Published.MIN_LENGTH))
                : null;
        return new RunSettings(text(a, "model"), text(a, "vision_branch_sha256"), text(a, "dataset"), integer(a, "frames"),
                text(a, "template"), text(a, "backend"), text(a, "decoder"), text(run, "device"), text(run, "machine"),
                text(run, "started"), integer(run, "questions"), integer(run, "dataset_questions"), text(run, "shard"),
                integer(run, "limit"), generation);
    }

    /** The model's folder name, what the report calls the model. */
    String modelName() {
        if (model == null) {
            return "unknown model";
        }
        String m = model.replace('\\', '/');
        while (m.endsWith("/")) {
            m = m.substring(0, m.length() - 1);
        }
        return m.substring(m.lastIndexOf('/') + 1);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isValueNode() && !v.isNull() ? v.asText() : null;
    }

    private static Integer integer(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isNumber() ? v.asInt() : null;
    }
}
