package videollama.loader.video;

/**
 * The Y'CbCr → R'G'B' matrices libswscale knows, with its 16.16 fixed-point coefficients
 * {@code {crv, cbu, cgu, cgv}} ({@code ff_yuv2rgb_coeffs}). FFmpeg's scale filter picks the matrix from the
 * frame's colour space and falls back to BT.601 for anything unspecified or unknown.
 *
 * <p>BT.709 carries FFmpeg 4.1's values (decord 0.6.0's build); FFmpeg 5.1 corrected them to
 * {@code {117489, 138438, 13975, 34925}}, which moves a few pixels by one level.
 */
public enum ColourMatrix {
    BT601(104597, 132201, 25675, 53279),
    BT709(117504, 138453, 13954, 34903),
    FCC(104448, 132798, 24759, 53109),
    SMPTE240M(117579, 136230, 16907, 35559),
    BT2020(110013, 140363, 12277, 42626);

    final int crv;
    final int cbu;
    final int cgu;
    final int cgv;

    ColourMatrix(int crv, int cbu, int cgu, int cgv) {
        this.crv = crv;
        this.cbu = cbu;
        this.cgu = cgu;
        this.cgv = cgv;
    }

    /**
     * The matrix for an H.264 {@code matrix_coefficients} value (ISO/IEC 23091-2, the same numbering as
     * FFmpeg's {@code AVColorSpace}); unspecified, reserved and unsupported values give BT.601, as in
     * swscale.
     */
    public static ColourMatrix fromH264(int matrixCoefficients) {
        return switch (matrixCoefficients) {
            case 1 -> BT709;
            case 4 -> FCC;
            case 7 -> SMPTE240M;
            case 9, 10 -> BT2020;
            default -> BT601;
        };
    }
}
