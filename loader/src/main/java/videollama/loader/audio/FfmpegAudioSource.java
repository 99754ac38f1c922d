package videollama.loader.audio;

import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import videollama.loader.LoaderException;
import videollama.loader.ffmpeg.Decoder;
import videollama.loader.ffmpeg.MediaInput;

/**
 * The first sound track ({@code av_find_best_stream}) of any file FFmpeg reads, as {@code torchaudio.load} gets it:
 * the whole stream decoded from the start by libavcodec, the encoder delay and padding trimmed where libavformat
 * and the decoder trim them (MP4 edit lists, the LAME header of MP3, Opus pre-skip, Ogg granule positions), every
 * channel in FFmpeg's order, samples converted to float as libswresample converts them ({@link FfmpegSamples}), at
 * the track's rate.
 *
 * <p>The length is known only by decoding: opening a source decodes the track once, counting samples and keeping
 * nothing. Reads then decode forward and keep only what they return (plus the frame they end in), so a 2-hour
 * track costs two decodes in time and a few frames in memory.
 *
 * <p>Reads at increasing positions give exactly the samples of one decode from the start, whatever they skip.
 * Skipping ahead decodes through by default: decoders whose output depends on everything before — AAC (the noise
 * of perceptual noise substitution comes from one random state for the whole stream, FFmpeg's aacdec), Opus (SILK
 * and CELT filter states, the de-emphasis filter), AC-3 (dither) and every decoder not listed — are never entered
 * anywhere but at the start. Decoders whose state is rebuilt by a few packets jump ({@link #JUMPING}): seek the
 * demuxer before the wanted packet, decode a pre-roll of packets whose output is dropped, then take the output from
 * the wanted packet on; measured equal to the continuous decode (FfmpegAudioTest). Their table of packet starts
 * comes from the counting decode, and every packet decoded after a jump is checked to start where that decode said;
 * a mismatch falls back to decoding from the start.
 */
final class FfmpegAudioSource implements AudioSource {
    /**
     * The codecs that jump, each measured (a jump to every 577th sample of the fixtures: the samples equal the
     * continuous decode's from these pre-rolls on, and differ below them):
     * <ul>
     *   <li>FLAC: frames stand alone, no pre-roll;
     *   <li>Vorbis: each block overlaps the one before, one packet (without it the first packet gives no samples);
     *   <li>MP3: the IMDCT overlaps the granule before, and the bit reservoir reaches back up to 511 bytes of earlier
     *       frames (ISO/IEC 11172-3 2.4.3.4.2; 255 for MPEG-2): the packets holding 512 bytes before the wanted one,
     *       plus one. Measured: exact from 4 packets at 64 kbit/s (209-byte frames; the rule gives 4), from 5 at
     *       32 kbit/s, 22.05 kHz (104-byte frames; the rule gives 6).
     * </ul>
     * Opus and AAC were measured to differ after a jump whatever the pre-roll (0 to 10 packets; AAC's FFmpeg encoder
     * uses noise substitution by default); every codec not listed decodes from the start.
     */
    static final Set<String> JUMPING = Set.of("flac", "vorbis", "mp3");
    private static final int RESERVOIR_BYTES = 512;

    private final Path file;
    private final int stream;
    private final String codec;
    private final boolean jumping;
    private MediaInput input; // reopened to start again
    private Decoder decoder;

    private int sampleRate;
    private int channels;
    private long frames;
    /** For codecs that jump: per packet (read order), its timestamp and the sample its output starts at. */
    private long[] packetTimestamp = new long[0];
    private long[] packetStart = new long[0];
    private int[] packetSize = new int[0];
    private int packets; // in the file (the table holds them for codecs that jump)
    private final Map<Long, Integer> packetOfTimestamp = new HashMap<>();

    // Decoding state: the samples [held, produced) are in `queue`; `next` is the next packet to send.
    private final ArrayDeque<float[][]> queue = new ArrayDeque<>();
    private long held;
    private long produced;
    private int next;
    private AVPacket peeked;
    private boolean ended;
    private boolean checkStarts; // after a jump: each packet must start where the counting decode said
    private long jumpAfter;

    private long packetsDecoded;
    private long maxHeld;
    private int jumps;
    private int fallbacks;

    private FfmpegAudioSource(Path file, MediaInput input, int stream) {
        this.file = file;
        this.input = input;
        this.stream = stream;
        this.codec = input.codecName(stream);
        this.jumping = JUMPING.contains(codec);
        this.sampleRate = input.stream(stream).codecpar().sample_rate();
        this.channels = input.stream(stream).codecpar().ch_layout().nb_channels();
    }

    /**
     * Opens the file's sound track and decodes it once to count its samples.
     *
     * @throws NoAudioTrackException when the file has no sound track
     * @throws LoaderException       naming the file: not media FFmpeg reads, no decoder, corrupt data
     */
    static FfmpegAudioSource open(Path file) {
        MediaInput input = MediaInput.open(file);
        FfmpegAudioSource source = null;
        try {
            int stream = input.bestStream(AVMEDIA_TYPE_AUDIO);
            if (stream < 0) {
                throw new NoAudioTrackException(file + ": no audio track");
            }
            input.only(stream);
            source = new FfmpegAudioSource(file, input, stream);
            source.count();
            source.jumpAfter = 2L * source.sampleRate; // decoding 2 s takes longer than a seek and a pre-roll
            return source;
        } catch (RuntimeException e) {
            if (source != null) {
                source.close();
            } else {
                input.close();
            }
            throw e;
        }
    }

    /** Whether the file has a sound track FFmpeg finds (of any codec). */
    static boolean hasAudio(Path file) {
        try (MediaInput input = MediaInput.open(file)) {
            return input.bestStream(AVMEDIA_TYPE_AUDIO) >= 0;
        }
    }

    /** The counting decode: length, rate and channels as decoded, and the packet table for jumps. */
    private void count() {
        decoder = input.decoder(stream, 1, false);
        long[] total = {0};
        AVPacket packet;
        do {
            packet = input.next(stream);
            if (packet != null && jumping) {
                if (packets == packetStart.length) {
                    packetStart = Arrays.copyOf(packetStart, Math.max(1024, packets * 2));
                    packetTimestamp = Arrays.copyOf(packetTimestamp, packetStart.length);
                    packetSize = Arrays.copyOf(packetSize, packetStart.length);
                }
                packetStart[packets] = total[0];
                packetSize[packets] = packet.size();
                packetTimestamp[packets] = timestamp(packet);
                packetOfTimestamp.putIfAbsent(packetTimestamp[packets], packets);
            }
            decoder.decode(packet, "packet " + packets, frame -> {
                checkFormat(frame, total[0] == 0);
                total[0] += frame.nb_samples();
            });
            if (packet != null) {
                packets++;
            }
        } while (packet != null);
        frames = total[0];
        restart();
    }

    private void checkFormat(AVFrame frame, boolean first) {
        int rate = frame.sample_rate();
        int count = frame.ch_layout().nb_channels();
        if (first) {
            sampleRate = rate;
            channels = count;
        } else if (rate != sampleRate || count != channels) {
            throw new LoaderException(file + ": the sound track changes from " + channels + " channels at " + sampleRate
                    + " Hz to " + count + " at " + rate + " Hz (not supported)");
        }
    }

    private static long timestamp(AVPacket packet) {
        return packet.pts() != AV_NOPTS_VALUE ? packet.pts() : packet.dts();
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

    /** The decoder's codec, e.g. "aac", "mp3", "opus". */
    String codec() {
        return codec;
    }

    /** Packets sent to the decoder by reads (the counting decode not included). */
    long packetsDecoded() {
        return packetsDecoded;
    }

    /** Jumps taken by reads. */
    int jumps() {
        return jumps;
    }

    /** Jumps whose output did not line up with the counting decode's, so that the source started again. */
    int fallbacks() {
        return fallbacks;
    }

    /** The most samples a channel this source held at once. */
    long maxHeld() {
        return maxHeld;
    }

    /** Jump when a read lies more than this many samples ahead (codecs that jump only); for tests. */
    void jumpAfter(long samples) {
        jumpAfter = samples;
    }

    @Override
    public float[][] read(long start, int count) {
        if (start < 0 || count < 0 || start + count > frames) {
            throw new IllegalArgumentException("frames [" + start + ", " + (start + count) + ") outside [0, " + frames + ")");
        }
        if (start < held || (jumping && start > produced + jumpAfter)) {
            reposition(start);
        }
        long end = start + count;
        while (produced < end) {
            dropBefore(start);
            if (!decodeNext()) {
                throw new LoaderException(file + ": the sound track ended at sample " + produced + " of " + frames
                        + " on the second decode");
            }
        }
        dropBefore(start);
        float[][] out = new float[channels][count];
        long at = held;
        for (float[][] block : queue) {
            int n = block[0].length;
            long from = Math.max(at, start);
            long to = Math.min(at + n, end);
            for (int c = 0; c < channels && from < to; c++) {
                System.arraycopy(block[c], (int) (from - at), out[c], (int) (from - start), (int) (to - from));
            }
            at += n;
        }
        return out;
    }

    /** Forgets the blocks that end at or before {@code position}. */
    private void dropBefore(long position) {
        while (!queue.isEmpty() && held + queue.peekFirst()[0].length <= position) {
            held += queue.pollFirst()[0].length;
        }
    }

    /** Sends the next packet (or the end of the stream) and queues its output; false when nothing is left. */
    private boolean decodeNext() {
        if (ended) {
            return false;
        }
        AVPacket packet = peeked != null ? peeked : input.next(stream);
        peeked = null;
        if (packet == null) {
            ended = true;
        } else if (checkStarts && (next >= packets || produced != packetStart[next])) {
            restart(); // the jump did not give the counting decode's samples: decode from the start instead
            fallbacks++;
            return true;
        }
        decoder.decode(packet, "packet " + next, frame -> {
            float[][] samples = FfmpegSamples.of(frame, channels);
            queue.addLast(samples);
            produced += samples[0].length;
            maxHeld = Math.max(maxHeld, produced - held);
        });
        if (packet != null) {
            next++;
            packetsDecoded++;
        }
        return true;
    }

    /**
     * Makes {@code start} reachable by decoding forward: a jump to the packet it lies in, for codecs that jump and
     * a position well past the start, else a decode from the start.
     */
    private void reposition(long start) {
        if (jumping) {
            int wanted = lastPacketStartingAtOrBefore(start);
            int first = wanted - preroll(wanted);
            // Not into the first packets: the start's trimming (encoder delay) is applied only there.
            if (first >= 2 && jumpTo(first, wanted)) {
                jumps++;
                return;
            }
        }
        restart();
    }

    /** Packets to decode and drop before packet {@code wanted} (see {@link #JUMPING}). */
    private int preroll(int wanted) {
        return switch (codec) {
            case "flac" -> 0;
            case "vorbis" -> 1;
            default -> {
                int n = 0;
                for (int bytes = 0; bytes < RESERVOIR_BYTES && wanted - n > 0; n++) {
                    bytes += packetSize[wanted - n - 1];
                }
                yield n + 1;
            }
        };
    }

    /** The first of the packets whose output starts at the last start at or before {@code sample}. */
    private int lastPacketStartingAtOrBefore(long sample) {
        int i = Arrays.binarySearch(packetStart, 0, packets, sample);
        if (i < 0) {
            i = -i - 2;
        }
        while (i > 0 && packetStart[i - 1] == packetStart[i]) { // packets without output before it
            i--;
        }
        return Math.max(i, 0);
    }

    /** Seeks to packet {@code first} (or a keyframe before it) and decodes up to {@code wanted}, dropping it all. */
    private boolean jumpTo(int first, int wanted) {
        decoder.flush();
        ended = false;
        if (!input.seek(stream, packetTimestamp[first])) {
            return false;
        }
        AVPacket packet = input.next(stream);
        Integer landed = packet == null ? null : packetOfTimestamp.get(timestamp(packet));
        if (landed == null || landed > first) {
            return false;
        }
        next = landed;
        peeked = packet;
        checkStarts = false;
        while (next < wanted) {
            AVPacket p = peeked != null ? peeked : input.next(stream);
            peeked = null;
            if (p == null) {
                return false;
            }
            decoder.decode(p, "packet " + next, frame -> { });
            next++;
            packetsDecoded++;
        }
        queue.clear();
        held = produced = packetStart[wanted];
        checkStarts = true;
        return true;
    }

    /** The file opened afresh and decoded from its first packet. */
    private void restart() {
        if (decoder != null) {
            decoder.close();
            input.close();
            input = MediaInput.open(file);
            input.only(stream);
        }
        decoder = input.decoder(stream, 1, false);
        queue.clear();
        held = produced = 0;
        next = 0;
        peeked = null;
        ended = false;
        checkStarts = false;
    }

    @Override
    public void close() {
        if (decoder != null) {
            decoder.close();
        }
        input.close();
    }
}
