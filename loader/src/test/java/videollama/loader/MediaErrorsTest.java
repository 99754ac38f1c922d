package videollama.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.NoAudioTrackException;
import videollama.loader.video.VideoLoader;

/**
 * Bad media on both paths: one line naming the file, never a crash. The Java path names the container or codec it
 * does not read and says that {@code --decoder ffmpeg} reads it; the FFmpeg path says what FFmpeg said.
 */
class MediaErrorsTest {
    @TempDir
    Path dir;

    private static LoaderException fails(Path file, String expected, Executable action) {
        LoaderException e = assertThrows(LoaderException.class, action);
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    private static LoaderException videoFails(Path file, MediaDecoder decoder, String expected) {
        return fails(file, expected, () -> VideoLoader.load(file, 8, decoder));
    }

    private static LoaderException soundFails(Path file, MediaDecoder decoder, String expected) {
        return fails(file, expected, () -> AudioClips.prepare(file, ClipOptions.REFERENCE, decoder));
    }

    /**
     * Each file the Java path refuses for its pictures or its sound, and how it says so; FFmpeg reads each (all but
     * the pictures of an MP3, which has none), and the message says so.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "video, mpeg4-mp3.avi,      unsupported container AVI with MPEG-4 Part 2 video",
        "video, vp9-opus.webm,      unsupported video codec VP9 in WebM",
        "video, hevc-aac.mp4,       unsupported video codec HEVC in MP4/MOV",
        "video, av1-vorbis.mkv,     unsupported video codec AV1 in Matroska",
        "video, hevc-main10.mkv,    unsupported video codec HEVC in Matroska",
        "video, h264-yuv444.mp4,    H.264 High 4:4:4 profile is not supported",
        "video, tone-44k.mp3,       no video track (MP3)",
        "sound, mpeg4-mp3.avi,      unsupported sound format AVI with MP3 sound",
        "sound, vp9-opus.webm,      unsupported sound format WebM with Opus sound",
        "sound, av1-vorbis.mkv,     unsupported sound format Matroska with Vorbis sound",
        "sound, tone-44k.mp3,       unsupported sound format MP3",
        "sound, sweep-48k-s24.flac, unsupported sound format FLAC",
    })
    void javaRefusesWhatFfmpegReads(String track, String name, String expected) {
        Path file = TestMedia.media(name);
        LoaderException e = track.equals("video") ? videoFails(file, MediaDecoder.JAVA, expected)
                : soundFails(file, MediaDecoder.JAVA, expected);
        if (!expected.startsWith("no video track")) {
            assertTrue(e.getMessage().contains("--decoder ffmpeg reads it"), e.getMessage());
        }
    }

    @Test
    void javaSoundNamesTheCodecInMp4() {
        Path file = TestMedia.root().resolve("testdata/audio/mp2-in-mp4.mp4");
        soundFails(file, MediaDecoder.JAVA, "unsupported audio codec MPEG audio Layer I-III (MP2/MP3) in MP4/MOV");
    }

    @Test
    void ffmpegReadsTheMp2TrackTheJavaPathRefuses() {
        FfmpegTests.assumeAvailable();
        assertTrue(AudioLoader.load(TestMedia.root().resolve("testdata/audio/mp2-in-mp4.mp4"), MediaDecoder.FFMPEG)
                .frames() > 0);
    }

    @Test
    void missingEmptyAndRandomFilesOnFfmpeg() throws Exception {
        FfmpegTests.assumeAvailable();
        Path missing = dir.resolve("missing.mp4");
        videoFails(missing, MediaDecoder.FFMPEG, "no such file");
        soundFails(missing, MediaDecoder.FFMPEG, "no such file");
        Path empty = Files.write(dir.resolve("empty.mp4"), new byte[0]);
        videoFails(empty, MediaDecoder.FFMPEG, "empty file");
        soundFails(empty, MediaDecoder.FFMPEG, "empty file");
        byte[] noise = new byte[100_000];
        new Random(7).nextBytes(noise);
        Path random = Files.write(dir.resolve("random.mkv"), noise);
        videoFails(random, MediaDecoder.FFMPEG, "FFmpeg cannot read it");
        soundFails(random, MediaDecoder.FFMPEG, "FFmpeg cannot read it");
        videoFails(dir, MediaDecoder.FFMPEG, "not a regular file");
    }

    @Test
    void missingTracksOnFfmpeg() {
        FfmpegTests.assumeAvailable();
        videoFails(TestMedia.video("audio-only.mp4"), MediaDecoder.FFMPEG, "no video track");
        videoFails(TestMedia.media("tone-44k.mp3"), MediaDecoder.FFMPEG, "no video track");
        Path silent = TestMedia.media("hevc-main10.mkv");
        assertEquals(NoAudioTrackException.class, soundFails(silent, MediaDecoder.FFMPEG, "no audio track").getClass());
        assertFalse(AudioLoader.hasAudio(silent, MediaDecoder.FFMPEG));
        assertTrue(AudioLoader.hasAudio(TestMedia.media("mpeg4-mp3.avi"), MediaDecoder.FFMPEG));
    }

    /**
     * Every fixture cut to a third, a half and two thirds: one line naming the file, or (where what is left still
     * holds frames or samples) an answer; never a crash or another exception.
     */
    @Test
    void truncatedFilesOnFfmpeg() throws Exception {
        FfmpegTests.assumeAvailable();
        for (String name : new String[] {"mpeg4-mp3.avi", "vp9-opus.webm", "hevc-aac.mp4", "av1-vorbis.mkv",
                "phone-rotated.mov", "tone-44k.mp3", "sweep-48k-s24.flac", "surround-5.1.m4a"}) {
            byte[] whole = Files.readAllBytes(TestMedia.media(name));
            for (int part = 1; part <= 3; part++) {
                Path cut = Files.write(dir.resolve(part + "-" + name), Arrays.copyOf(whole, whole.length * part / 4));
                survives(cut, () -> VideoLoader.load(cut, 8, MediaDecoder.FFMPEG));
                survives(cut, () -> AudioClips.prepare(cut, ClipOptions.REFERENCE, MediaDecoder.FFMPEG));
            }
        }
    }

    /** Garbage written over the middle of every video fixture: an answer of the right size, or one line. */
    @Test
    void corruptFrameDataOnFfmpeg() throws Exception {
        FfmpegTests.assumeAvailable();
        for (String name : new String[] {"mpeg4-mp3.avi", "vp9-opus.webm", "hevc-aac.mp4", "av1-vorbis.mkv",
                "phone-rotated.mov"}) {
            byte[] data = Files.readAllBytes(TestMedia.media(name));
            for (int i = data.length / 3; i < data.length / 2; i++) {
                data[i] = (byte) (i * 31);
            }
            Path file = Files.write(dir.resolve("garbage-" + name), data);
            survives(file, () -> {
                SampledFrames frames = VideoLoader.load(file, 8, MediaDecoder.FFMPEG);
                assertEquals(frames.indices().length, frames.count());
            });
        }
    }

    private static void survives(Path file, Executable action) {
        try {
            action.execute();
        } catch (LoaderException e) {
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError(file + ": " + t, t);
        }
    }
}
