package videollama.loader.audio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import net.sourceforge.jaad.aac.Decoder;
import org.jcodec.common.io.NIOUtils;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.containers.mp4.MP4Packet;
import org.jcodec.containers.mp4.boxes.Edit;
import org.jcodec.containers.mp4.boxes.SampleEntry;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.jcodec.containers.mp4.demuxer.AbstractMP4DemuxerTrack;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;
import org.jcodec.containers.mp4.demuxer.MP4DemuxerTrack;
import videollama.loader.LoaderException;

/**
 * The first sound track of an MP4/MOV file: AAC-LC, mono or stereo, demuxed by JCodec and decoded packet by packet
 * by javasound-aac's decoder ({@code net.sourceforge.jaad.aac.Decoder}, configured with the track's
 * AudioSpecificConfig; javasound-aac's own MP4 reader fails on some files, e.g. the bundled flower.mp4).
 *
 * <p>What FFmpeg (and so {@code torchaudio.load}) returns: every packet decoded, 1024 samples each, less the
 * encoder delay that the edit list names ({@code media_time} of the first non-empty edit, 1024 for FFmpeg's
 * encoder); the end is not trimmed. The decoder's float output (16-bit scale) is divided by 32768, without the
 * rounding to 16 bits that its PCM path applies.
 *
 * <p>Reads decode forward from the last position. A read further ahead starts a fresh decoder one packet before
 * the first packet needed: a packet's output is the overlap-add of its own and the previous packet's inverse
 * transform, so one packet of warm-up gives the same samples (the noise of perceptual noise substitution aside,
 * which any two AAC decoders draw differently anyway).
 */
final class Mp4AacSource implements AudioSource {
    /** Packets a read may lie ahead of the decoder before it jumps instead of decoding through. */
    private static final int JUMP = 8;

    private final Path file;
    private final SeekableByteChannel channel;
    private final MP4DemuxerTrack track;
    private final byte[] config;
    private final int sampleRate;
    private final int channels;
    private final int frameLength;
    private final int packets;
    private final long skip;
    private final long frames;

    private Decoder decoder;
    private int nextPacket;
    private int lastPacket = -1;
    private float[][] lastOutput;
    private long packetsDecoded;

    private Mp4AacSource(Path file, SeekableByteChannel channel, MP4DemuxerTrack track, AudioSpecificConfig asc,
                         int packets, long skip) {
        this.file = file;
        this.channel = channel;
        this.track = track;
        this.config = asc.bytes();
        this.sampleRate = asc.sampleRate();
        this.channels = asc.channels();
        this.frameLength = asc.frameLength();
        this.packets = packets;
        this.skip = skip;
        this.frames = Math.max(0, (long) packets * frameLength - skip);
    }

    /**
     * Opens the file and finds its sound track.
     *
     * @throws NoAudioTrackException when the file has no sound track
     * @throws LoaderException       naming the file: not a readable MP4, or a codec other than AAC-LC mono/stereo
     */
    static Mp4AacSource open(Path file) throws IOException {
        SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile());
        try {
            MP4Demuxer demuxer;
            try {
                demuxer = MP4Demuxer.createMP4Demuxer(channel);
            } catch (RuntimeException | IOException e) {
                throw new LoaderException(file + ": corrupt or truncated MP4 (" + AudioLoader.describe(e) + ")", e);
            }
            if (demuxer.getMovie() == null) {
                throw new LoaderException(file + ": corrupt or truncated MP4 (no 'moov' box)");
            }
            TrakBox trak = audioTrack(demuxer);
            if (trak == null) {
                throw new NoAudioTrackException(file + ": no audio track");
            }
            SampleEntry entry = trak.getSampleEntries() == null || trak.getSampleEntries().length == 0 ? null
                    : trak.getSampleEntries()[0];
            String fourcc = entry == null ? "none" : entry.getFourcc();
            if (!"mp4a".equals(fourcc)) {
                throw new LoaderException(file + ": unsupported audio codec '" + fourcc
                        + "' (only AAC-LC in MP4 and PCM WAV are supported)");
            }
            EsDescriptor esds = EsDescriptor.of(entry);
            if (esds == null || esds.objectType() < 0) {
                throw new LoaderException(file + ": the AAC track has no decoder configuration ('esds')");
            }
            if (esds.objectType() != 0x40) {
                String codec = switch (esds.objectType()) {
                    case 0x69, 0x6B -> "MPEG audio Layer I-III (MP2/MP3)";
                    case 0x66, 0x67, 0x68 -> "MPEG-2 AAC";
                    case 0xA5, 0xA6 -> "AC-3";
                    default -> "object type 0x" + Integer.toHexString(esds.objectType());
                };
                throw new LoaderException(file + ": unsupported audio codec " + codec
                        + " (only AAC-LC in MP4 and PCM WAV are supported)");
            }
            if (esds.decoderSpecificInfo() == null) {
                throw new LoaderException(file + ": the AAC track has no AudioSpecificConfig");
            }
            AudioSpecificConfig asc = AudioSpecificConfig.parse(file, esds.decoderSpecificInfo());
            int packets = trak.getStsz().getCount();
            if (packets <= 0) {
                throw new LoaderException(file + ": the audio track has no samples");
            }
            if (trak.getStsz().getSizes() == null) { // constant sample size: JCodec wants the list
                int[] sizes = new int[packets];
                Arrays.fill(sizes, trak.getStsz().getDefaultSize());
                trak.getStsz().setSizes(sizes);
            }
            MP4DemuxerTrack track = new MP4DemuxerTrack(demuxer.getMovie(), trak, channel);
            return new Mp4AacSource(file, channel, track, asc, packets, encoderDelay(trak, asc.sampleRate()));
        } catch (RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Whether the MP4 has a sound track (of any codec). */
    static boolean hasAudio(Path file) throws IOException {
        try (SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile())) {
            MP4Demuxer demuxer;
            try {
                demuxer = MP4Demuxer.createMP4Demuxer(channel);
            } catch (RuntimeException | IOException e) {
                throw new LoaderException(file + ": corrupt or truncated MP4 (" + AudioLoader.describe(e) + ")", e);
            }
            return demuxer.getMovie() != null && audioTrack(demuxer) != null;
        }
    }

    private static TrakBox audioTrack(MP4Demuxer demuxer) {
        for (AbstractMP4DemuxerTrack t : demuxer.getTracks()) {
            if (t.getBox().isAudio()) {
                return t.getBox();
            }
        }
        return null;
    }

    /**
     * Samples FFmpeg drops at the start: the {@code media_time} of the first edit that is not empty, in samples.
     */
    private static long encoderDelay(TrakBox trak, int sampleRate) {
        List<Edit> edits = trak.getEdits();
        if (edits == null) {
            return 0;
        }
        for (Edit edit : edits) {
            if (edit.getMediaTime() >= 0) {
                long timescale = trak.getTimescale();
                return timescale == sampleRate || timescale <= 0 ? edit.getMediaTime()
                        : edit.getMediaTime() * sampleRate / timescale;
            }
        }
        return 0;
    }

    @Override
    public int sampleRate() {
        return sampleRate;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public long frames() {
        return frames;
    }

    /** Packets decoded so far, warm-up included (for tests and benchmarks). */
    long packetsDecoded() {
        return packetsDecoded;
    }

    @Override
    public float[][] read(long start, int count) throws IOException {
        if (start < 0 || count < 0 || start + count > frames) {
            throw new IllegalArgumentException("frames [" + start + ", " + (start + count) + ") outside [0, " + frames + ")");
        }
        float[][] out = new float[channels][count];
        if (count == 0) {
            return out;
        }
        long first = start + skip; // in decoded samples
        long end = first + count;
        int p0 = (int) (first / frameLength);
        int p1 = (int) ((end - 1) / frameLength);
        seek(p0);
        for (int p = p0; p <= p1; p++) {
            float[][] pcm = p == lastPacket ? lastOutput : decodeNext();
            long packetStart = (long) p * frameLength;
            int from = (int) Math.max(first - packetStart, 0);
            int to = (int) Math.min(end - packetStart, frameLength);
            for (int c = 0; c < channels; c++) {
                System.arraycopy(pcm[c], from, out[c], (int) (packetStart + from - first), to - from);
            }
        }
        return out;
    }

    /** Makes packet {@code p} the next one returned: the cached last packet, a decode forward, or a jump. */
    private void seek(int p) throws IOException {
        if (p == lastPacket || decoder != null && p >= nextPacket && p - nextPacket <= JUMP) {
            while (nextPacket < p) {
                decodeNext();
            }
            return;
        }
        int warmUp = Math.max(p - 1, 0);
        decoder = newDecoder();
        track.gotoFrame(warmUp);
        nextPacket = warmUp;
        lastPacket = -1;
        while (nextPacket < p) {
            decodeNext();
        }
    }

    private Decoder newDecoder() {
        try {
            return Decoder.create(config);
        } catch (Exception e) {
            throw new LoaderException(file + ": unsupported AAC configuration (" + AudioLoader.describe(e) + ")", e);
        }
    }

    private float[][] decodeNext() throws IOException {
        if (decoder == null) {
            decoder = newDecoder();
            track.gotoFrame(nextPacket);
        }
        MP4Packet packet = track.nextFrame();
        if (packet == null) {
            throw new LoaderException(file + ": AAC packet " + nextPacket + " cannot be read (truncated file?)");
        }
        ByteBuffer data = packet.getData();
        byte[] bytes = NIOUtils.toArray(data);
        float[][] pcm = new float[channels][];
        int[] length = {-1};
        try {
            decoder.decodeFrame(bytes, (List<float[]> decoded, int samples, int rate) -> {
                length[0] = samples;
                for (int c = 0; c < channels && c < decoded.size(); c++) {
                    float[] src = decoded.get(c);
                    float[] dst = new float[samples];
                    for (int i = 0; i < samples && i < src.length; i++) {
                        dst[i] = src[i] / 32768f;
                    }
                    pcm[c] = dst;
                }
            });
        } catch (LoaderException e) {
            throw e;
        } catch (Exception e) {
            throw new LoaderException(file + ": corrupt AAC data in packet " + nextPacket + " ("
                    + AudioLoader.describe(e) + ")", e);
        }
        if (length[0] != frameLength || pcm[channels - 1] == null) {
            throw new LoaderException(file + ": unsupported AAC stream (packet " + nextPacket + " decoded to "
                    + length[0] + " samples, expected " + frameLength + "; HE-AAC/SBR is not supported)");
        }
        packetsDecoded++;
        lastPacket = nextPacket++;
        lastOutput = pcm;
        return pcm;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
