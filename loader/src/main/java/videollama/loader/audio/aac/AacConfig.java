package videollama.loader.audio.aac;

/**
 * What a decoder needs to know before the first frame: the sampling frequency index, the channel layout, and whether
 * the configuration rules SBR out. Read from an MP4 track's AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1 with the
 * GASpecificConfig of 4.4.1) or from an ADTS header (1.A.2.2.1); anything but AAC-LC with 1024-sample frames is
 * refused as unsupported.
 *
 * @param rateIndex            sampling frequency index (Table 1.18)
 * @param channelConfiguration 1 to 6, or 0 when a program config element gives the layout
 * @param layout               the channel layout, or null when a program config element in the first frame will give it
 * @param sbrAbsent            true when the AudioSpecificConfig says explicitly that there is no SBR, so SBR data in
 *                             fill elements is skipped (FFmpeg then decodes AAC-LC too); otherwise SBR data is refused
 */
public record AacConfig(int rateIndex, int channelConfiguration, ChannelLayout layout, boolean sbrAbsent) {
    static final int AAC_LC = 2;
    private static final int SYNC_EXTENSION = 0x2b7;

    public int sampleRate() {
        return BandTables.SAMPLE_RATES[rateIndex];
    }

    /** Output channels, or 0 while the layout waits for a program config element. */
    public int channels() {
        return layout == null ? 0 : layout.channels();
    }

    /**
     * Parses an AudioSpecificConfig.
     *
     * @throws AacException corrupt or unsupported (another object type, SBR, 960-sample frames, a channel
     *                      configuration above 6)
     */
    public static AacConfig fromAudioSpecificConfig(byte[] asc) {
        BitReader bits = new BitReader(asc, 0, asc.length);
        int objectType = bits.read(5);
        if (objectType == 31) {
            objectType = 32 + bits.read(6);
        }
        int rateIndex = bits.read(4);
        if (rateIndex == 15) {
            throw AacException.unsupported("an explicit sampling frequency (" + bits.read(24) + " Hz)");
        }
        int channelConfiguration = bits.read(4);
        requireLowComplexity(objectType);
        if (rateIndex >= BandTables.SAMPLE_RATES.length) {
            throw AacException.corrupt("sampling frequency index " + rateIndex);
        }
        // GASpecificConfig (Table 4.1)
        if (bits.readBit()) {
            throw AacException.unsupported("960-sample frames (frameLengthFlag)");
        }
        if (bits.readBit()) {
            bits.skip(14); // coreCoderDelay
        }
        boolean extension = bits.readBit();
        ChannelLayout layout;
        if (channelConfiguration == 0) {
            bits.skip(4); // element_instance_tag
            layout = ChannelLayout.ofProgram(ProgramConfig.read(bits, 0));
        } else {
            layout = ChannelLayout.ofConfiguration(channelConfiguration);
        }
        if (extension) {
            bits.skip(1); // extensionFlag3
        }
        boolean sbrAbsent = false;
        // The backward-compatible SBR signalling (1.6.5.2): syncExtensionType 0x2b7, extensionAudioObjectType 5.
        if (bits.remaining() >= 16 && bits.peek(11) == SYNC_EXTENSION) {
            bits.skip(11);
            if (bits.read(5) == 5) {
                if (bits.readBit()) {
                    throw AacException.unsupported("HE-AAC (SBR signalled in the AudioSpecificConfig)");
                }
                sbrAbsent = true;
            }
        }
        return new AacConfig(rateIndex, channelConfiguration, layout, sbrAbsent);
    }

    /** The configuration an ADTS header gives (its profile is the object type less 1). */
    public static AacConfig fromAdts(int profile, int rateIndex, int channelConfiguration) {
        requireLowComplexity(profile + 1);
        if (rateIndex >= BandTables.SAMPLE_RATES.length) {
            throw AacException.corrupt("sampling frequency index " + rateIndex);
        }
        return new AacConfig(rateIndex, channelConfiguration,
                channelConfiguration == 0 ? null : ChannelLayout.ofConfiguration(channelConfiguration), false);
    }

    private static void requireLowComplexity(int objectType) {
        if (objectType != AAC_LC) {
            throw AacException.unsupported(switch (objectType) {
                case 1 -> "AAC Main";
                case 3 -> "AAC SSR";
                case 4 -> "AAC LTP";
                case 5 -> "HE-AAC (SBR)";
                case 29 -> "HE-AAC v2 (SBR and parametric stereo)";
                default -> "audio object type " + objectType;
            });
        }
    }
}
