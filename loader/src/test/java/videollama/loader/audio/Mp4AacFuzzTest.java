package videollama.loader.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import videollama.testing.FuzzFiles;

/**
 * Jazzer fuzz test of the sound track of MP4 files on the Java path ({@link Mp4AacSource}: JCodec's MP4 demuxer, then
 * our AAC-LC decoder), opened as {@link AudioLoader} opens any sound file: {@link WavFuzzTest}'s property. Seeds:
 * short AAC tracks in MP4, in {@code src/test/resources/videollama/loader/audio/Mp4AacFuzzTestInputs/decodeMp4Aac/}.
 */
class Mp4AacFuzzTest {
    @FuzzTest
    void decodeMp4Aac(byte[] input) {
        WavFuzzTest.decode(FuzzFiles.write(".mp4", input), AudioLoader::open);
    }
}
