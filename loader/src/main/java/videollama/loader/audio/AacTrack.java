package videollama.loader.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import videollama.loader.LoaderException;
import videollama.loader.audio.aac.AacConfig;
import videollama.loader.audio.aac.AacDecoder;
import videollama.loader.audio.aac.AacException;
import videollama.loader.audio.aac.AacToolCounts;

/**
 * The decoded samples of an AAC track whose packets can be read by index (the MP4 and ADTS sources): what FFmpeg
 * returns, 1024 samples a packet less the first {@code skip} (the encoder delay an MP4 edit list names).
 *
 * <p>Reads decode forward from the last position. A read further ahead (or back) jumps: the packets in between are
 * parsed without being synthesized ({@link AacDecoder#skip}), so that the noise of perceptual noise substitution,
 * drawn from one generator through the whole stream, stays FFmpeg's; then the packet before the first one needed
 * is decoded as warm-up (a packet's output overlap-adds its own and the previous packet's inverse transforms). The
 * generator's state is kept every {@value #CHECKPOINT} packets, so a jump back parses from the checkpoint before it
 * rather than from the start. So a jump gives exactly the samples of a decode from the start.
 */
final class AacTrack {
    /** Packets a read may lie ahead of the decoder before it jumps instead of decoding through. */
    private static final int JUMP = 8;
    private static final int CHECKPOINT = 64;

    /** Random access to the packets (the raw_data_blocks); reading in order is cheapest. */
    interface Packets {
        byte[] read(int index) throws IOException;
    }

    private final Path file;
    private final AacConfig config;
    private final Packets packets;
    private final int packetCount;
    private final long skip;
    private final long frames;
    private final int channels;

    private AacDecoder decoder;
    private int nextPacket;
    private int lastPacket = -1;
    private float[][] lastOutput;
    private int[] noiseCheckpoints = new int[16];
    private int checkpoints;
    private long packetsDecoded;
    private long packetsSkipped;

    /**
     * Checks the configuration and the first packet (HE-AAC announces itself there, and a program config element
     * gives the channels of an ADTS stream of channel configuration 0) before any decoding.
     *
     * @throws LoaderException naming the file: unsupported or corrupt
     */
    AacTrack(Path file, AacConfig config, Packets packets, int packetCount, long skip) throws IOException {
        this.file = file;
        this.packets = packets;
        this.packetCount = packetCount;
        AacDecoder probe = new AacDecoder(config);
        byte[] first = packets.read(0);
        run(0, () -> probe.skip(first, 0, first.length));
        this.channels = probe.channels();
        // libfaac names itself in the first packet; FFmpeg then drops its encoder delay, 1024 samples, unless the
        // edit list drops more (measured with PyAV: edit lists of 0, 1024 and 2048 samples give 1024, 1024, 2048).
        // (FFmpeg would drop 1024 samples wherever the name came; libfaac writes it in the first packet only.)
        this.skip = probe.libfaacMarker() ? Math.max(skip, AacDecoder.FRAME_LENGTH) : skip;
        this.frames = Math.max(0, (long) packetCount * AacDecoder.FRAME_LENGTH - this.skip);
        // Later decoders start where a jump lands: they take the layout the first packet gave (an ADTS stream may
        // carry its program config element in that packet only) and ignore SBR data, as FFmpeg ignores SBR data
        // first seen after the first frame.
        this.config = new AacConfig(config.rateIndex(), config.channelConfiguration(), probe.layout(), true);
    }

    int channels() {
        return channels;
    }

    long frames() {
        return frames;
    }

    /** Packets decoded (warm-up included) and packets parsed only, so far. */
    long packetsDecoded() {
        return packetsDecoded;
    }

    long packetsSkipped() {
        return packetsSkipped;
    }

    /** The coding tools of the packets this track's current decoder has seen (from the start when read in order). */
    AacToolCounts counts() {
        return decoder == null ? new AacToolCounts() : decoder.counts();
    }

    float[][] read(long start, int count) throws IOException {
        if (start < 0 || count < 0 || start + count > frames) {
            throw new IllegalArgumentException("frames [" + start + ", " + (start + count) + ") outside [0, " + frames + ")");
        }
        float[][] out = new float[channels][count];
        if (count == 0) {
            return out;
        }
        int length = AacDecoder.FRAME_LENGTH;
        long first = start + skip; // in decoded samples
        long end = first + count;
        int p0 = (int) (first / length);
        int p1 = (int) ((end - 1) / length);
        seek(p0);
        for (int p = p0; p <= p1; p++) {
            float[][] pcm = p == lastPacket ? lastOutput : decodeNext();
            long packetStart = (long) p * length;
            int from = (int) Math.max(first - packetStart, 0);
            int to = (int) Math.min(end - packetStart, length);
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
        lastPacket = -1;
        int warmUp = p - 1;
        if (decoder == null || warmUp < nextPacket) {
            // Back to the last checkpoint at or before the warm-up packet; a fresh decoder also starts packet 0
            // from silence, as the stream does.
            int span = Math.max(0, Math.min(Math.max(warmUp, 0) / CHECKPOINT, checkpoints - 1));
            decoder = new AacDecoder(config);
            nextPacket = span * CHECKPOINT;
            if (span > 0) {
                decoder.restoreNoiseState(noiseCheckpoints[span]);
            }
        }
        while (nextPacket < warmUp) {
            byte[] packet = readPacket(nextPacket);
            checkpoint();
            run(nextPacket, () -> decoder.skip(packet, 0, packet.length));
            nextPacket++;
            packetsSkipped++;
        }
        while (nextPacket < p) {
            decodeNext();
        }
    }

    private float[][] decodeNext() throws IOException {
        if (decoder == null) {
            decoder = new AacDecoder(config);
        }
        byte[] packet = readPacket(nextPacket);
        checkpoint();
        float[][][] pcm = new float[1][][];
        run(nextPacket, () -> pcm[0] = decoder.decode(packet, 0, packet.length));
        packetsDecoded++;
        lastPacket = nextPacket++;
        lastOutput = pcm[0];
        return pcm[0];
    }

    /** Remembers the noise generator's state before packet {@code nextPacket} when it starts a checkpoint span. */
    private void checkpoint() {
        if (nextPacket % CHECKPOINT == 0 && nextPacket / CHECKPOINT == checkpoints) {
            if (checkpoints == noiseCheckpoints.length) {
                noiseCheckpoints = Arrays.copyOf(noiseCheckpoints, checkpoints * 2);
            }
            noiseCheckpoints[checkpoints++] = decoder.noiseState();
        }
    }

    private byte[] readPacket(int index) throws IOException {
        if (index >= packetCount) {
            throw new LoaderException(file + ": AAC packet " + index + " cannot be read (truncated file?)");
        }
        return packets.read(index);
    }

    /** Runs a decoder call, turning its exceptions into one-line errors naming the file and the packet. */
    private void run(int packet, Runnable call) {
        try {
            call.run();
        } catch (AacException e) {
            throw e.kind() == AacException.Kind.UNSUPPORTED ? unsupported(file, e.getMessage() + " in packet " + packet)
                    : new LoaderException(file + ": corrupt AAC data in packet " + packet + " (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            if (e instanceof LoaderException l) {
                throw l;
            }
            throw new LoaderException(file + ": corrupt AAC data in packet " + packet + " ("
                    + AudioLoader.describe(e) + ")", e);
        }
    }

    /** The one-line error for what only FFmpeg decodes. */
    static LoaderException unsupported(Path file, String what) {
        return new LoaderException(file + ": unsupported AAC stream: " + what
                + " (the Java decoder reads AAC-LC only; --decoder ffmpeg reads it)");
    }
}
