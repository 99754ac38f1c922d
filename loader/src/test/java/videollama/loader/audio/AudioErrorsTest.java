package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.loader.LoaderException;
import videollama.loader.MediaDecoder;
import videollama.loader.TestMedia;

/** Bad and unusual input: one-line errors naming the file, or the documented behaviour (AudioClips). */
class AudioErrorsTest {
    @TempDir
    Path dir;

    private static Path media(String path) {
        return TestMedia.root().resolve("testdata").resolve(path);
    }

    private static LoaderException fails(Path file, String expected) {
        return fails(file, expected, () -> AudioClips.prepare(file, ClipOptions.REFERENCE, MediaDecoder.JAVA));
    }

    private static LoaderException fails(Path file, String expected, Executable action) {
        LoaderException e = assertThrows(LoaderException.class, action);
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    @Test
    void missingEmptyAndForeignFiles() throws Exception {
        fails(dir.resolve("missing.wav"), "no such file");
        fails(Files.write(dir.resolve("empty.wav"), new byte[0]), "empty file");
        fails(Files.writeString(dir.resolve("notes.txt"), "not a sound"), "unsupported sound format");
        fails(media("video/bframes.mkv"), "unsupported sound format");
        fails(dir, "not a regular file");
    }

    @Test
    void corruptWavHeader() throws Exception {
        byte[] garbage = new byte[200];
        Arrays.fill(garbage, (byte) 0x5a);
        System.arraycopy("RIFF\u00c8\0\0\0WAVE".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, garbage, 0, 12);
        fails(Files.write(dir.resolve("garbage.wav"), garbage), "corrupt or unsupported WAV header");
        byte[] noWave = TestWavs.header(1, 1, 16000, 16, 0);
        System.arraycopy("WAVX".getBytes(), 0, noWave, 8, 4);
        fails(Files.write(dir.resolve("nowave.wav"), noWave), "corrupt WAV header");
        byte[] truncatedHeader = Arrays.copyOf(TestWavs.header(1, 1, 16000, 16, 0), 30);
        fails(Files.write(dir.resolve("short-header.wav"), truncatedHeader), "WAV header");
        byte[] zeroChannels = TestWavs.header(1, 0, 16000, 16, 64);
        fails(Files.write(dir.resolve("zero-channels.wav"), Arrays.copyOf(zeroChannels, 44 + 64)), "WAV");
    }

    @Test
    void zeroLengthAudio() throws Exception {
        Path wav = Files.write(dir.resolve("zero.wav"), TestWavs.header(1, 1, 16000, 16, 0));
        fails(wav, "no audio samples");
        fails(wav, "no audio samples", () -> AudioLoader.load(wav, MediaDecoder.JAVA));
        assertTrue(AudioLoader.hasAudio(wav));
    }

    @Test
    void truncatedWavData() throws Exception {
        byte[] header = TestWavs.header(1, 1, 16000, 16, 2 * 48000);
        Path wav = Files.write(dir.resolve("truncated.wav"), Arrays.copyOf(header, 44 + 2 * 20000));
        fails(wav, "truncated WAV");
    }

    @Test
    void unsupportedWavEncoding() throws Exception {
        byte[] mulaw = Arrays.copyOf(TestWavs.header(7, 1, 8000, 8, 8000), 44 + 8000);
        fails(Files.write(dir.resolve("mulaw.wav"), mulaw), "unsupported WAV encoding ULAW");
    }

    @Test
    void noAudioTrackIsItsOwnError() {
        Path video = media("video/gop.mp4");
        assertFalse(AudioLoader.hasAudio(video, MediaDecoder.JAVA));
        assertEquals(NoAudioTrackException.class, fails(video, "no audio track").getClass());
        assertEquals(NoAudioTrackException.class, fails(video, "no audio track", () -> AudioLoader.load(video, MediaDecoder.JAVA)).getClass());
        assertTrue(AudioLoader.hasAudio(media("video/friday.mp4"), MediaDecoder.JAVA));
        assertTrue(AudioLoader.hasAudio(media("audio/jfk.wav")));
    }

    @Test
    void unsupportedCodecInMp4() {
        LoaderException e = fails(media("audio/mp2-in-mp4.mp4"), "unsupported audio codec");
        assertFalse(e instanceof NoAudioTrackException);
    }

    /** AAC the Java decoder leaves to FFmpeg: one line naming the file, what it is, and {@code --decoder ffmpeg}. */
    @Test
    void unsupportedAac() throws Exception {
        byte[] mp4 = Files.readAllBytes(media("audio/aac-mono-44k.mp4"));
        byte[] lc = {0x12, 0x08, 0x56, (byte) 0xe5, 0x00}; // its AudioSpecificConfig: AAC-LC, 44.1 kHz, mono, no SBR
        int at = indexOf(mp4, lc);
        assertTrue(at > 0 && indexOf(Arrays.copyOfRange(mp4, at + 1, mp4.length), lc) < 0);
        mp4[at] = 0x2a; // object type 5: HE-AAC
        Path he = Files.write(dir.resolve("he-aac.mp4"), mp4);
        LoaderException e = fails(he, "unsupported AAC stream: HE-AAC (SBR)");
        assertTrue(e.getMessage().endsWith("; --decoder ffmpeg reads it)"), e.getMessage());
        mp4[at] = 0x0a; // object type 1: AAC Main
        fails(Files.write(dir.resolve("main.mp4"), mp4), "unsupported AAC stream: AAC Main");
        byte[] adts = Files.readAllBytes(media("audio/aac/adts-44k-stereo.aac"));
        adts[2] = (byte) ((adts[2] & 0x3f) | 0x00); // ADTS profile 0: AAC Main
        fails(Files.write(dir.resolve("main.aac"), adts), "unsupported AAC stream: AAC Main");
    }

    /** ADTS after an ID3v2 tag decodes as without it; MPEG audio (layer not 0) after one is not ADTS. */
    @Test
    void adtsAfterAnId3Tag() throws Exception {
        byte[] adts = Files.readAllBytes(media("audio/aac/adts-44k-stereo.aac"));
        byte[] tag = new byte[10 + 300];
        System.arraycopy(new byte[] {'I', 'D', '3', 4, 0, 0, 0, 0, 2, 44}, 0, tag, 0, 10); // synchsafe 300
        byte[] tagged = Arrays.copyOf(tag, tag.length + adts.length);
        System.arraycopy(adts, 0, tagged, tag.length, adts.length);
        Path file = Files.write(dir.resolve("tagged.aac"), tagged);
        assertTrue(AudioLoader.hasAudio(file, MediaDecoder.JAVA));
        assertTrue(Arrays.deepEquals(AudioLoader.load(media("audio/aac/adts-44k-stereo.aac"), MediaDecoder.JAVA).channels(),
                AudioLoader.load(file, MediaDecoder.JAVA).channels()));
        tagged[tag.length + 1] = (byte) 0xfb; // MPEG-1 Layer III
        fails(Files.write(dir.resolve("tagged.mp3"), tagged), "unsupported sound format");
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void truncatedMp4() throws Exception {
        byte[] whole = Files.readAllBytes(media("audio/aac-stereo-48k.mp4"));
        Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(whole, whole.length / 2));
        fails(cut, "MP4");
    }

    @Test
    void fewerThan25msIsAnError() throws Exception {
        Path wav = TestWavs.pcm16(dir.resolve("tiny.wav"), 16000, 1, new short[399]);
        fails(wav, "too short: 399 samples at 16 kHz");
        Path ok = TestWavs.pcm16(dir.resolve("small.wav"), 16000, 1, new short[400]);
        assertEquals(1, AudioClips.prepare(ok).framesPerClip()[7]);
    }

    /** NaN and infinities in a float WAV are refused naming the file, the sample and its time, resampled or not. */
    @ParameterizedTest(name = "{0} at {1} Hz")
    @CsvSource({"NaN, 16000", "Infinity, 16000", "-Infinity, 44100", "NaN, 44101"})
    void nonFiniteSamples(float bad, int rate) throws Exception {
        float[] x = TestWavs.tone(rate, 2.5, 0.5);
        x[rate] = bad; // at 1 s
        Path wav = TestWavs.float32(dir.resolve("bad.wav"), rate, x);
        fails(wav, "sample " + rate + " of channel 0 (at 1.000 s) is " + bad + "; sound samples must be finite");
    }

    /**
     * Finite samples far above full scale: torchaudio resamples them and its fbank overflows to NaN from about 1e18
     * (make_resample_golden.py's notes); 1e15 still gives finite features, 1e30 is refused naming the file.
     */
    @Test
    void samplesTooLoudForTheFbank() throws Exception {
        Path loud = TestWavs.float32(dir.resolve("loud.wav"), 44100, TestWavs.tone(44100, 2.5, 1e30));
        fails(loud, "the sound is too loud: clip 0 has samples up to ");
        Path ok = TestWavs.float32(dir.resolve("ok.wav"), 44100, TestWavs.tone(44100, 2.5, 1e15));
        for (float v : AudioClips.prepare(ok, ClipOptions.REFERENCE, MediaDecoder.JAVA).fbank()) {
            assertTrue(Float.isFinite(v));
        }
    }

    /** A header claiming 2 GHz: each 2 s clip would read 4e9 samples. */
    @Test
    void sampleRateAboveTheLimit() throws Exception {
        Path wav = TestWavs.float32(dir.resolve("fast.wav"), 2_000_000_000, TestWavs.tone(16000, 1, 0.5));
        fails(wav, "sample rate 2000000000 Hz is above the 1536000 Hz this reads");
        Path ok = TestWavs.float32(dir.resolve("dxd.wav"), 768_000, TestWavs.tone(768_000, 0.1, 0.5));
        assertEquals(8, AudioClips.prepare(ok, ClipOptions.REFERENCE, MediaDecoder.JAVA).clips().size());
    }

    /** 0.5 s: eight clips of all 8000 samples at 0 s, 48 frames each, the rest padding (the reference warns). */
    @Test
    void halfASecond() {
        AudioInput input = AudioClips.prepare(media("audio/stereo-48k-f32-short.wav"));
        for (int k = 0; k < 8; k++) {
            assertEquals(Fraction.ZERO, input.clips().get(k).start());
            assertEquals(48, input.framesPerClip()[k]);
            for (int b = 0; b < AudioInput.MEL_BINS; b++) {
                assertTrue(input.at(k, b, 47) != AudioClips.PADDING);
                for (int f = 48; f < AudioInput.TARGET_LENGTH; f++) {
                    assertEquals(AudioClips.PADDING, input.at(k, b, f));
                }
            }
        }
        assertEquals(0.46706063f, AudioClips.PADDING, 1e-7f);
        assertEquals(0.5, input.durationSeconds());
    }

    /** 6 channels at 8 kHz: all resampled, all in the mean, channel 0 in the fbank. */
    @Test
    void sixChannelsAt8kHz() {
        AudioInput input = AudioClips.prepare(media("audio/six-channel-8k-s16.wav"));
        assertEquals(6, input.sourceChannels());
        assertEquals(8000, input.sourceRate());
        assertEquals(16000, input.samples16k());
        Waveform w = AudioLoader.load(media("audio/six-channel-8k-s16.wav"));
        assertEquals(6, w.channelCount());
        assertEquals(8000, w.frames());
    }
}
