package videollama.loader;

/**
 * RGB bytes to the vision tower's input: {@code /255}, then per channel {@code (x - mean) / std} with the
 * OpenAI CLIP constants (docs/model.md sections 5.1, 5.2).
 */
public final class ClipNormalization {
    public static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    public static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private ClipNormalization() {}

    /**
     * @param rgb    {@code count} pictures of {@code height × width} pixels, R G B bytes per pixel, row-major
     * @return {@code float[count][3][height][width]} flattened: frame, channel, row, column
     */
    public static float[] normalize(byte[] rgb, int count, int height, int width) {
        int plane = height * width;
        if (rgb.length != count * plane * 3) {
            throw new IllegalArgumentException("expected " + count * plane * 3 + " bytes, got " + rgb.length);
        }
        float[] out = new float[count * 3 * plane];
        for (int t = 0; t < count; t++) {
            for (int c = 0; c < 3; c++) {
                // As torchvision: ToTensor divides by 255 in float32, Normalize subtracts and divides in float32.
                float mean = MEAN[c];
                float std = STD[c];
                int src = t * plane * 3 + c;
                int dst = (t * 3 + c) * plane;
                for (int p = 0; p < plane; p++) {
                    out[dst + p] = ((rgb[src + 3 * p] & 0xff) / 255f - mean) / std;
                }
            }
        }
        return out;
    }
}
