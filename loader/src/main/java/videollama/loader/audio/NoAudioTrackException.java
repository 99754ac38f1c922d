package videollama.loader.audio;

import videollama.loader.LoaderException;

/**
 * A container without a sound track. Its own type so that {@code videollama chat --audio} can fall back to the
 * pictures alone, with a warning, instead of failing.
 */
public final class NoAudioTrackException extends LoaderException {
    public NoAudioTrackException(String message) {
        super(message);
    }
}
