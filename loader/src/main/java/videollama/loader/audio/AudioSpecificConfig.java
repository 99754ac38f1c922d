package videollama.loader.audio;

import java.nio.file.Path;
import videollama.loader.LoaderException;

/**
 * The MPEG-4 AudioSpecificConfig of an AAC track (ISO/IEC 14496-3 §1.6.2.1), as far as the loader needs it:
 * object type (2 = AAC-LC is the one supported), sampling frequency, channel configuration (1 or 2) and the
 * frame length flag of the GASpecificConfig (1024 or 960 samples a packet).
 */
record AudioSpecificConfig(byte[] bytes, int objectType, int sampleRate, int channels, int frameLength) {
    private static final int[] RATES = {96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000,
            11025, 8000, 7350};

    static AudioSpecificConfig parse(Path file, byte[] bytes) {
        Bits bits = new Bits(bytes);
        try {
            int objectType = bits.read(5);
            if (objectType == 31) {
                objectType = 32 + bits.read(6);
            }
            int rateIndex = bits.read(4);
            int rate = rateIndex == 15 ? bits.read(24) : rateIndex < RATES.length ? RATES[rateIndex] : -1;
            int channelConfiguration = bits.read(4);
            if (objectType != 2) {
                String name = switch (objectType) {
                    case 5, 29 -> "HE-AAC";
                    case 1 -> "AAC Main";
                    case 3 -> "AAC SSR";
                    case 4 -> "AAC LTP";
                    default -> "audio object type " + objectType;
                };
                throw new LoaderException(file + ": unsupported AAC profile " + name + " (only AAC-LC is supported)");
            }
            if (rate <= 0) {
                throw new LoaderException(file + ": corrupt AAC configuration (sampling frequency index " + rateIndex + ")");
            }
            if (channelConfiguration != 1 && channelConfiguration != 2) {
                throw new LoaderException(file + ": unsupported AAC channel configuration " + channelConfiguration
                        + " (only mono and stereo AAC are supported)");
            }
            int frameLength = bits.read(1) == 1 ? 960 : 1024;
            return new AudioSpecificConfig(bytes.clone(), objectType, rate, channelConfiguration, frameLength);
        } catch (IndexOutOfBoundsException e) {
            throw new LoaderException(file + ": corrupt AAC configuration (" + bytes.length + " bytes)", e);
        }
    }

    /** Big-endian bit reader. */
    private static final class Bits {
        private final byte[] data;
        private int position;

        Bits(byte[] data) {
            this.data = data;
        }

        int read(int n) {
            int value = 0;
            for (int i = 0; i < n; i++, position++) {
                int bit = (data[position >> 3] >> (7 - (position & 7))) & 1;
                value = (value << 1) | bit;
            }
            return value;
        }
    }
}
