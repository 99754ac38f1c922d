package videollama.loader.video;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.containers.mp4.MP4Util;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.containers.mp4.boxes.ChunkOffsetsBox;
import org.jcodec.containers.mp4.boxes.MovieBox;
import org.jcodec.containers.mp4.boxes.NodeBox;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.SampleToChunkBox;
import org.jcodec.containers.mp4.boxes.SyncSamplesBox;
import org.jcodec.containers.mp4.boxes.TimeToSampleBox;
import org.jcodec.containers.mp4.boxes.TrakBox;

/**
 * Test MP4s made by rewriting a small one's sample tables: a long track whose samples all point at one copy of the
 * original's bytes (a video's only GOP, which starts with its IDR so each repetition decodes on its own, or a sound's
 * packets), or a video track with no samples at all. Shared by the loader's long-input tests of both media and by the
 * sound benchmarks (the benchmarks module depends on the loader's test jar for it).
 */
public final class Mp4Boxes {
    private Mp4Boxes() {}

    /** A video-only MP4 whose only GOP is played {@code times} times in a row. */
    public static void repeatGop(Path source, int times, Path target) throws IOException {
        byte[] file = Files.readAllBytes(source);
        MovieBox movie = parse(file);
        repeat(file, movie, movie.getVideoTrack(), times, true, target);
    }

    /** The first sound track's packets played {@code times} times in a row; the other tracks' tables kept as they are. */
    public static Path repeatAudio(Path source, int times, Path target) throws IOException {
        byte[] file = Files.readAllBytes(source);
        MovieBox movie = parse(file);
        repeat(file, movie, movie.getAudioTracks().getFirst(), times, false, target);
        return target;
    }

    /** The first sound track alone (the other tracks dropped), its packets played {@code times} times in a row. */
    public static Path repeatAudioAlone(Path source, int times, Path target) throws IOException {
        byte[] file = Files.readAllBytes(source);
        MovieBox movie = parse(file);
        TrakBox trak = movie.getAudioTracks().getFirst();
        movie.getBoxes().removeIf(box -> box instanceof TrakBox t && t != trak);
        repeat(file, movie, trak, times, false, target);
        return target;
    }

    /**
     * Writes {@code movie} with {@code trak}'s samples repeated {@code times} times, one chunk per repetition, all
     * chunks at the one copy of the samples in mdat; {@code syncEachRepeat} marks each repetition's first sample as
     * a sync sample (a video's IDR), else the track keeps no sync table (every sample is one, as for sound).
     */
    private static void repeat(byte[] file, MovieBox movie, TrakBox trak, int times, boolean syncEachRepeat, Path target)
            throws IOException {
        int[] sizes = sampleSizes(trak);
        ByteArrayOutputStream samples = new ByteArrayOutputStream();
        long[] offsets = sampleOffsets(trak, sizes);
        for (int i = 0; i < sizes.length; i++) {
            samples.write(file, (int) offsets[i], sizes[i]);
        }
        int count = sizes.length;
        int delta = trak.getStts().getEntries()[0].getSampleDuration();
        byte[] ftyp = Arrays.copyOf(file, readInt(file, 0));
        long mdatData = ftyp.length + 8;

        int[] allSizes = new int[count * times];
        long[] chunks = new long[times];
        int[] sync = new int[times];
        for (int t = 0; t < times; t++) {
            System.arraycopy(sizes, 0, allSizes, t * count, count);
            chunks[t] = mdatData;
            sync[t] = t * count + 1;
        }
        long duration = (long) count * times * delta;
        replaceTables(trak, new TimeToSampleBox.TimeToSampleEntry[] {new TimeToSampleBox.TimeToSampleEntry(count * times, delta)},
                allSizes, new SampleToChunkBox.SampleToChunkEntry[] {new SampleToChunkBox.SampleToChunkEntry(1, count, 1)},
                chunks, syncEachRepeat ? sync : null);
        setDurations(movie, trak, duration);
        write(target, ftyp, samples.toByteArray(), movie);
    }

    private static MovieBox parse(byte[] file) throws IOException {
        return MP4Util.parseMovieChannel(ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(file)));
    }

    /** The same file with a video track that lists no samples. */
    static byte[] withoutSamples(byte[] file) throws IOException {
        MovieBox movie = parse(file);
        TrakBox trak = movie.getVideoTrack();
        replaceTables(trak, new TimeToSampleBox.TimeToSampleEntry[0], new int[0],
                new SampleToChunkBox.SampleToChunkEntry[0], new long[0], new int[0]);
        setDurations(movie, trak, 0);
        byte[] ftyp = Arrays.copyOf(file, readInt(file, 0));
        Path tmp = Files.createTempFile("empty", ".mp4");
        try {
            write(tmp, ftyp, new byte[0], movie);
            return Files.readAllBytes(tmp);
        } finally {
            Files.delete(tmp);
        }
    }

    /** {@code sync} null: no sync sample table. */
    private static void replaceTables(TrakBox trak, TimeToSampleBox.TimeToSampleEntry[] stts, int[] sizes,
                                      SampleToChunkBox.SampleToChunkEntry[] stsc, long[] chunks, int[] sync) {
        NodeBox stbl = NodeBox.findFirstPath(trak, NodeBox.class, Box.path("mdia.minf.stbl"));
        stbl.replace("stts", TimeToSampleBox.createTimeToSampleBox(stts));
        stbl.replace("stsz", SampleSizesBox.createSampleSizesBox2(sizes));
        stbl.replace("stsc", SampleToChunkBox.createSampleToChunkBox(stsc));
        stbl.replace("stco", ChunkOffsetsBox.createChunkOffsetsBox(chunks));
        stbl.removeChildren(new String[] {"stss", "ctts", "co64"});
        if (sync != null) {
            stbl.add(SyncSamplesBox.createSyncSamplesBox(sync));
        }
        trak.removeChildren(new String[] {"edts"});
    }

    private static void setDurations(MovieBox movie, TrakBox trak, long mediaDuration) {
        org.jcodec.containers.mp4.boxes.MediaHeaderBox mdhd = NodeBox.findFirstPath(trak,
                org.jcodec.containers.mp4.boxes.MediaHeaderBox.class, Box.path("mdia.mdhd"));
        mdhd.setDuration(mediaDuration);
        long movieDuration = mediaDuration * movie.getTimescale() / trak.getTimescale();
        trak.setDuration(movieDuration);
        movie.setDuration(movieDuration);
    }

    private static void write(Path target, byte[] ftyp, byte[] mdat, MovieBox movie) throws IOException {
        ByteBuffer moov = ByteBuffer.allocate(1 << 24);
        movie.write(moov);
        moov.flip();
        ByteBuffer header = ByteBuffer.allocate(8).putInt(8 + mdat.length).put("mdat".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (var out = Files.newOutputStream(target)) {
            out.write(ftyp);
            out.write(header.array());
            out.write(mdat);
            byte[] m = new byte[moov.remaining()];
            moov.get(m);
            out.write(m);
        }
    }

    private static int[] sampleSizes(TrakBox trak) {
        SampleSizesBox stsz = trak.getStsz();
        if (stsz.getSizes() != null) {
            return stsz.getSizes();
        }
        int[] sizes = new int[stsz.getCount()];
        Arrays.fill(sizes, stsz.getDefaultSize());
        return sizes;
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

    private static int readInt(byte[] b, int at) {
        return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
    }
}
