package videollama.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.containers.mp4.MP4Util;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.containers.mp4.boxes.ChunkOffsetsBox;
import org.jcodec.containers.mp4.boxes.MediaHeaderBox;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.SampleToChunkBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import videollama.loader.MediaDecoder;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.AudioLoader;
import videollama.loader.audio.ClipOptions;
import videollama.loader.audio.KaldiFbank;
import videollama.loader.audio.Resampler;
import videollama.loader.audio.Waveform;

/**
 * The sound path on a 60-second track, made in setup (nothing is committed): {@code aac-44k-stereo} is the AAC
 * track of the bundled friday.mp4 (44.1 kHz stereo, 6.2 s) played 10 times in a row (61.6 s; {@code -Dvideollama.root=DIR}
 * names the repository), {@code wav-48k-stereo} and {@code wav-16k-mono} are 60 s of a sweep plus noise as 16-bit WAV.
 *
 * <p>{@code clips}: what {@code videollama chat --audio} does, {@link AudioClips#prepare}: the 8 clips of 2 s that
 * the model hears (the file is decoded only under them), resampled to 16 kHz, fbank, padded, normalised.
 * {@code wholeTrack}: every sample decoded, all channels resampled to 16 kHz and channel 0's fbank over all 60 s
 * (5,998 frames), the cost of the sound itself. Average time per call, in milliseconds.
 */
public class AudioFbankBenchmark extends AudioTrackBenchmark {
    static final int SECONDS = 60;

    @Param({"aac-44k-stereo", "wav-48k-stereo", "wav-16k-mono"})
    public String track;

    /** Who decodes the AAC track: FFmpeg or our AAC decoder (WAV is read by the same Java reader on both paths). */
    @Param({"ffmpeg", "java"})
    public String decoder;

    @Override
    protected Path writeTrack(Path dir) throws IOException {
        return switch (track) {
            case "aac-44k-stereo" -> repeatedFridayTrack(dir.resolve("friday-x10.mp4"), 10);
            case "wav-48k-stereo" -> syntheticWav(dir.resolve("60s-48k.wav"), 48000, 2);
            case "wav-16k-mono" -> syntheticWav(dir.resolve("60s-16k.wav"), 16000, 1);
            default -> throw new IllegalArgumentException("unknown track " + track);
        };
    }

    @Benchmark
    public AudioInput clips() {
        return AudioClips.prepare(file, ClipOptions.REFERENCE, MediaDecoder.parse(decoder));
    }

    @Benchmark
    public float[] wholeTrack() {
        Waveform w = AudioLoader.load(file, MediaDecoder.parse(decoder));
        float[][] at16k = new float[w.channelCount()][];
        Resampler resampler = w.sampleRate() == 16000 ? null : Resampler.of(w.sampleRate(), 16000);
        for (int c = 0; c < w.channelCount(); c++) {
            at16k[c] = resampler == null ? w.channels()[c] : resampler.resample(w.channels()[c]);
        }
        return KaldiFbank.compute(at16k[0], 0, at16k[0].length);
    }

    /** 60 s of 16-bit PCM: a slow sweep 100 Hz to 7 kHz (per channel a different start), plus noise. */
    static Path syntheticWav(Path target, int rate, int channels) throws IOException {
        int frames = SECONDS * rate;
        ByteBuffer b = ByteBuffer.allocate(44 + frames * channels * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + frames * channels * 2).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
                .putInt(rate * channels * 2).putShort((short) (channels * 2)).putShort((short) 16);
        b.put("data".getBytes()).putInt(frames * channels * 2);
        Random random = new Random(42);
        for (int i = 0; i < frames; i++) {
            double t = (double) i / rate;
            for (int c = 0; c < channels; c++) {
                double f0 = 100 + 300 * c;
                double phase = 2 * Math.PI * (f0 * t + (7000 - f0) * t * t / (2 * SECONDS));
                double v = 0.4 * Math.sin(phase) + 0.05 * random.nextGaussian();
                b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
            }
        }
        return Files.write(target, b.array());
    }

    /** friday.mp4's AAC track alone, its packets played {@code times} times in a row (one copy of the data). */
    static Path repeatedFridayTrack(Path target, int times) throws IOException {
        byte[] bytes = Files.readAllBytes(BenchSupport.repositoryFile("testdata/video/friday.mp4"));
        MovieBox movie = MP4Util.parseMovieChannel(ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(bytes)));
        TrakBox trak = movie.getAudioTracks().getFirst();
        movie.getBoxes().removeIf(box -> box instanceof TrakBox t && t != trak);
        int[] sizes = trak.getStsz().getSizes();
        long[] offsets = sampleOffsets(trak, sizes);
        ByteArrayOutputStream packets = new ByteArrayOutputStream();
        for (int i = 0; i < sizes.length; i++) {
            packets.write(bytes, (int) offsets[i], sizes[i]);
        }
        byte[] ftyp = Arrays.copyOf(bytes, ByteBuffer.wrap(bytes).getInt(0));
        int[] allSizes = new int[sizes.length * times];
        long[] chunks = new long[times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(sizes, 0, allSizes, t * sizes.length, sizes.length);
            chunks[t] = ftyp.length + 8;
        }
        NodeBox stbl = NodeBox.findFirstPath(trak, NodeBox.class, Box.path("mdia.minf.stbl"));
        stbl.replace("stts", TimeToSampleBox.createTimeToSampleBox(
                new TimeToSampleBox.TimeToSampleEntry[] {new TimeToSampleBox.TimeToSampleEntry(allSizes.length, 1024)}));
        stbl.replace("stsz", SampleSizesBox.createSampleSizesBox2(allSizes));
        stbl.replace("stsc", SampleToChunkBox.createSampleToChunkBox(
                new SampleToChunkBox.SampleToChunkEntry[] {new SampleToChunkBox.SampleToChunkEntry(1, sizes.length, 1)}));
        stbl.replace("stco", ChunkOffsetsBox.createChunkOffsetsBox(chunks));
        stbl.removeChildren(new String[] {"co64"});
        trak.removeChildren(new String[] {"edts"});
        long duration = (long) allSizes.length * 1024;
        NodeBox.findFirstPath(trak, MediaHeaderBox.class, Box.path("mdia.mdhd")).setDuration(duration);
        long movieDuration = duration * movie.getTimescale() / trak.getTimescale();
        trak.setDuration(movieDuration);
        movie.setDuration(movieDuration);
        ByteBuffer moov = ByteBuffer.allocate(1 << 22);
        movie.write(moov);
        moov.flip();
        byte[] data = packets.toByteArray();
        try (var out = Files.newOutputStream(target)) {
            out.write(ftyp);
            out.write(ByteBuffer.allocate(8).putInt(8 + data.length).put("mdat".getBytes()).array());
            out.write(data);
            out.write(moov.array(), 0, moov.limit());
        }
        return target;
    }

    private static long[] sampleOffsets(TrakBox trak, int[] sizes) {
        long[] chunkOffsets = trak.getStco() != null ? trak.getStco().getChunkOffsets() : trak.getCo64().getChunkOffsets();
        SampleToChunkBox.SampleToChunkEntry[] stsc = trak.getStsc().getSampleToChunk();
        long[] offsets = new long[sizes.length];
        int sample = 0;
        for (int chunk = 0; chunk < chunkOffsets.length && sample < sizes.length; chunk++) {
            int perChunk = 0;
            for (SampleToChunkBox.SampleToChunkEntry e : stsc) {
                if (e.getFirst() <= chunk + 1) {
                    perChunk = e.getCount();
                }
            }
            long offset = chunkOffsets[chunk];
            for (int i = 0; i < perChunk && sample < sizes.length; i++) {
                offsets[sample] = offset;
                offset += sizes[sample++];
            }
        }
        return offsets;
    }
}
