package videollama.loader.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.file.Path;
import videollama.testing.FuzzFiles;
import videollama.loader.LoaderException;

/**
 * Jazzer fuzz test of the Java path's WAV reading ({@link WavSource}, which {@link AudioLoader} opens for a RIFF/WAVE
 * file): any bytes either decode, read in blocks as {@link AudioClips} reads them and whole as {@link AudioLoader#load}
 * reads them, or are refused with a one-line {@link LoaderException} naming the file; never another exception, an
 * out-of-memory error or a hang. {@link AdtsFuzzTest} and {@link Mp4AacFuzzTest} run the same property on AAC. Seeds: small WAVs of every
 * sample format, in {@code src/test/resources/videollama/loader/audio/WavFuzzTestInputs/decodeWav/}.
 */
class WavFuzzTest {
    private static final int BLOCK = 4096;

    @FuzzTest
    void decodeWav(byte[] input) {
        decode(FuzzFiles.write(".wav", input), WavSource::open);
    }

    /** How a target opens its file: straight through its source, so that mutations stay in its format. */
    interface Opener {
        AudioSource open(Path file) throws IOException;
    }

    /**
     * The sound of {@code file}: in blocks from the start and at both ends, as {@link AudioClips} reads it, then
     * whole, as {@link AudioLoader#load} reads it.
     */
    static void decode(Path file, Opener opener) {
        try (AudioSource source = opener.open(file)) {
            source.sampleRate();
            long frames = source.frames();
            for (long start = 0; start < Math.min(frames, 16L * BLOCK); start += BLOCK) {
                source.read(start, (int) Math.min(BLOCK, frames - start));
            }
            if (frames > 0) {
                source.read(frames - 1, 1);
                source.read(0, 1);
            }
            if (frames <= Integer.MAX_VALUE - 8) { // AudioLoader.load refuses more
                source.read(0, (int) frames);
            }
        } catch (LoaderException e) {
            FuzzFiles.checkRefusal(e, file);
        } catch (IOException e) {
            // refused: AudioLoader and AudioClips wrap it with the file's name
        }
    }
}
