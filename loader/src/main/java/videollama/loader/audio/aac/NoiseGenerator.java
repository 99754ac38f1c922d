package videollama.loader.audio.aac;

/**
 * The random numbers of perceptual noise substitution, drawn as FFmpeg's AAC decoder draws them, so that noise bands
 * come out as FFmpeg (and so torchaudio) decodes them: a 32-bit linear congruential generator (multiplier 1664525,
 * increment 1013904223, the "Numerical Recipes" one) whose state starts at {@code 0x1f2e3d4c} when a decoder is
 * created and advances once per noise coefficient, in bitstream order. The standard leaves the generator open
 * (ISO/IEC 14496-3 4.6.13.3); one state per decoder instance, never shared.
 */
final class NoiseGenerator {
    static final int INITIAL_STATE = 0x1f2e3d4c;

    private int state = INITIAL_STATE;

    /** The next draw, as a signed 32-bit number. */
    int next() {
        state = state * 1664525 + 1013904223;
        return state;
    }

    /** Draws {@code count} numbers and forgets them. */
    void advance(int count) {
        for (int i = 0; i < count; i++) {
            state = state * 1664525 + 1013904223;
        }
    }

    int state() {
        return state;
    }

    void restore(int state) {
        this.state = state;
    }
}
