package videollama.app;

import java.util.Locale;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaConfig;

/** One line that says what was loaded. */
public final class ModelSummary {
    private ModelSummary() {}

    public static String of(Llama llama) {
        LlamaConfig c = llama.config();
        return String.format(Locale.ROOT, "%d layers, dim %d, %d heads (%d kv), ffn %d, vocab %d, context %d, weights %s",
                c.numLayers(), c.hiddenSize(), c.numHeads(), c.numKvHeads(), c.intermediateSize(), c.vocabSize(),
                c.maxPositionEmbeddings(), llama.weights().embedTokens.dtype());
    }
}
