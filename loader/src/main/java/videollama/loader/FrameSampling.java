package videollama.loader;

/**
 * Which frames of a video the model sees (docs/model.md section 5.1): {@code n = min(N, frames)} segment starts,
 * index {@code floor(k · frames / n)} for k = 0..n−1 (with numpy's rounding, see {@link #indices}).
 */
public final class FrameSampling {
    /** The demo's number of frames. */
    public static final int DEFAULT_FRAMES = 8;
    /** The frame position embedding has 32 rows: no more frames can be told apart. */
    public static final int MAX_FRAMES = 32;

    private FrameSampling() {}

    /**
     * The sampled frame indices in presentation order, exactly as the reference computes them:
     * {@code np.arange(0, vlen, vlen / n).astype(int)} with {@code n = min(requested, vlen)}.
     *
     * <p>numpy's arange has {@code ceil(vlen / step)} elements (computed in float64), element k being
     * {@code k * step}, truncated here. That is {@code floor(k · vlen / n)} for k = 0..n−1, but for some
     * (vlen, n) the float64 quotient {@code vlen / (vlen / n)} lands just above n and arange yields one index
     * more: vlen = 15 with 13 frames asked gives 14 indices (docs/model.md section 5.1 says n; the reference code wins, and
     * the timestamp sentence then says 14 frames too). For 8 and 32 frames this never happens below 200,000
     * frames. An index list longer than {@link #MAX_FRAMES} (32 asked of an even longer video) is cut to 32,
     * where the reference would fail at the frame position embedding.
     *
     * @param frameCount the number of frames in the video, at least 1
     * @param requested  how many frames were asked for, 1..{@link #MAX_FRAMES}
     */
    public static int[] indices(int frameCount, int requested) {
        if (frameCount < 1) {
            throw new IllegalArgumentException("frame count must be positive: " + frameCount);
        }
        checkRequested(requested);
        int n = Math.min(requested, frameCount);
        double step = frameCount / (double) n;
        int length = Math.min((int) Math.ceil(frameCount / step), MAX_FRAMES);
        int[] indices = new int[length];
        for (int k = 0; k < length; k++) {
            indices[k] = (int) (k * step);
        }
        return indices;
    }

    /** Throws {@link LoaderException} unless 1 <= requested <= {@link #MAX_FRAMES}. */
    public static void checkRequested(int requested) {
        if (requested < 1 || requested > MAX_FRAMES) {
            throw new LoaderException("--frames " + requested + ": must be between 1 and " + MAX_FRAMES
                    + " (the frame position embedding has " + MAX_FRAMES + " rows)");
        }
    }
}
