package videollama.loader.audio.aac;

/**
 * What the decoder counts while it reads a stream ({@link AacDecoder#counts()}): syntax elements and the coding tools
 * they use, per frame, per channel stream (one per SCE/LFE, two per CPE), per scalefactor band or per TNS filter.
 * The tests check these against an independent reading of the same files (scripts/reference/aac_bitstream.py), so a
 * fixture made to exercise a tool proves it does.
 */
public enum AacTool {
    FRAMES("frames"),
    SCE("sce"),
    CPE("cpe"),
    LFE("lfe"),
    CHANNEL_STREAMS("channelStreams"),
    /** CPEs whose two channels share ics_info. */
    COMMON_WINDOW("commonWindow"),
    /** Channel streams by window sequence (ONLY_LONG is the rest). */
    LONG_START("longStart"),
    EIGHT_SHORT("eightShort"),
    LONG_STOP("longStop"),
    /** Channel streams whose window_shape is Kaiser-Bessel-derived. */
    KBD("kbd"),
    /** Mid/side bands (ms_used, or every band when ms_mask_present is 2), per window group. */
    MS_BANDS("msBands"),
    /** CPEs with ms_mask_present 2 (all bands mid/side). */
    MS_ALL("msAll"),
    /** Mid/side bands that both channels code as noise (FFmpeg keeps each channel's own noise, no mid/side). */
    MS_NOISE_BANDS("msNoiseBands"),
    /** Bands coded with INTENSITY_HCB or INTENSITY_HCB2 in the second channel of a CPE, per window group. */
    INTENSITY_BANDS("intensityBands"),
    /** Intensity bands whose ms_used is set, which flips their sign (FFmpeg: also when ms_mask_present is 2). */
    INTENSITY_MS_BANDS("intensityMsBands"),
    /** Bands coded with NOISE_HCB (perceptual noise substitution), per window group. */
    PNS_BANDS("pnsBands"),
    /** Channel streams with pulse data. */
    PULSE("pulse"),
    /** Channel streams with TNS data. */
    TNS("tns"),
    /** TNS filters of order above 0; of them in short windows, downward, with compressed and 3-bit coefficients. */
    TNS_FILTERS("tnsFilters"),
    TNS_SHORT_FILTERS("tnsShortFilters"),
    TNS_DOWNWARD("tnsDownward"),
    TNS_COMPRESSED("tnsCompressed"),
    TNS_LOW_RESOLUTION("tnsLowResolution"),
    /** Escape sequences in codebook 11. */
    ESCAPES("escapes"),
    FIL("fil"),
    DSE("dse"),
    PCE("pce");

    private final String key;

    AacTool(String key) {
        this.key = key;
    }

    /** The name scripts/reference/aac_bitstream.py gives the count. */
    public String key() {
        return key;
    }
}
