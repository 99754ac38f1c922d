package videollama.loader.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import videollama.testing.FuzzFiles;

/**
 * Jazzer fuzz test of our AAC-LC decoder ({@code aac}) in ADTS framing ({@link AdtsAacSource}): {@link WavFuzzTest}'s
 * property. Seeds: a few frames of ADTS streams that use the decoder's coding tools (pulse data, TNS, mid/side with
 * noise, a program config element), in
 * {@code src/test/resources/videollama/loader/audio/AdtsFuzzTestInputs/decodeAdts/}.
 */
class AdtsFuzzTest {
    @FuzzTest
    void decodeAdts(byte[] input) {
        WavFuzzTest.decode(FuzzFiles.write(".aac", input), AdtsAacSource::open);
    }
}
