package videollama.model.chat;

/**
 * One item's soft tokens, [count, hidden] row-major in the LLM's embedding space: 32 for a video or an image,
 * 8 for a sound track. They take the place of one {@link DemoMessages#PLACEHOLDER} in the prompt.
 */
public record SoftTokens(String name, float[] rows, int count) {
    public SoftTokens {
        if (count <= 0 || rows.length % count != 0) {
            throw new IllegalArgumentException(name + ": " + rows.length + " floats are not " + count + " rows");
        }
    }

    public int hidden() {
        return rows.length / count;
    }
}
