package videollama.loader.video;

/**
 * The libswscale kernels the frame resize can use.
 *
 * <p>decord 0.6.0 (the reference environment's wheel, built against FFmpeg 4.1) builds the filter graph
 * {@code scale=224:224} without {@code flags}; FFmpeg 4.1's scale filter then defaults to
 * {@code flags=bilinear}. FFmpeg 5.1 and later leave the flags to libswscale, whose default is bicubic. So
 * the released Video-LLaMA demo resized with {@link #BILINEAR}; {@link #BICUBIC} is what a current FFmpeg
 * gives for the same filter string (docs/model.md section 5.1 assumed it).
 */
public enum ScaleAlgorithm {
    /** {@code SWS_BILINEAR}: a triangle kernel of radius 1, stretched by the downscale factor. */
    BILINEAR(2),
    /** {@code SWS_BICUBIC} with swscale's default parameters B = 0, C = 0.6, stretched likewise. */
    BICUBIC(4);

    /** Kernel width in source samples at scale 1 (swscale's {@code size_factor}). */
    final int sizeFactor;

    ScaleAlgorithm(int sizeFactor) {
        this.sizeFactor = sizeFactor;
    }
}
