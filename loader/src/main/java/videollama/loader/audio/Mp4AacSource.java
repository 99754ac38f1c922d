package videollama.loader.audio;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
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
import videollama.loader.MediaKind;
import videollama.loader.audio.aac.AacConfig;
import videollama.loader.audio.aac.AacException;
import videollama.loader.video.JCodecLog;
import videollama.loader.video.JCodecMp4;
import videollama.loader.video.Mp4BoxCheck;

/**
 * The first sound track of an MP4/MOV file: AAC-LC, demuxed by JCodec and decoded packet by packet by our own
 * decoder ({@link videollama.loader.audio.aac.AacDecoder}, configured with the track's AudioSpecificConfig).
 *
 * <p>What FFmpeg (and so {@code torchaudio.load}) returns: every packet decoded, 1024 samples each, less the
 * encoder delay that the edit list names ({@code media_time} of the first non-empty edit, 1024 for FFmpeg's
 * encoder); the end is not trimmed. Reading and jumping: {@link AacTrack}.
 */
final class Mp4AacSource extends AacSource {
    private Mp4AacSource(SeekableByteChannel channel, AacTrack track, int sampleRate) {
        super(channel, track, sampleRate);
    }

    /**
     * Opens the file and finds its sound track.
     *
     * @throws NoAudioTrackException when the file has no sound track
     * @throws LoaderException       naming the file: not a readable MP4, or a codec other than AAC-LC
     */
    static Mp4AacSource open(Path file) throws IOException {
        JCodecLog.silence();
        Mp4BoxCheck.check(file);
        SeekableByteChannel channel = NIOUtils.readableChannel(file.toFile());
        try {
            MP4Demuxer demuxer = JCodecMp4.demuxer(file, channel, AudioLoader::describe);
            TrakBox trak = audioTrack(demuxer);
            if (trak == null) {
                throw new NoAudioTrackException(file + ": no audio track");
            }
            SampleEntry entry = trak.getSampleEntries() == null || trak.getSampleEntries().length == 0 ? null
                    : trak.getSampleEntries()[0];
            String fourcc = entry == null ? "none" : entry.getFourcc();
            if (!"mp4a".equals(fourcc)) {
                throw new LoaderException(file + ": unsupported audio codec " + MediaKind.quoted(fourcc)
                        + " (the Java decoder reads AAC-LC and PCM WAV; --decoder ffmpeg reads it)");
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
                        + " (the Java decoder reads AAC-LC and PCM WAV; --decoder ffmpeg reads it)");
            }
            if (esds.decoderSpecificInfo() == null) {
                throw new LoaderException(file + ": the AAC track has no AudioSpecificConfig");
            }
            AacConfig config;
            try {
                config = AacConfig.fromAudioSpecificConfig(esds.decoderSpecificInfo());
            } catch (AacException e) {
                throw e.kind() == AacException.Kind.UNSUPPORTED ? AacTrack.unsupported(file, e.getMessage())
                        : new LoaderException(file + ": corrupt AAC configuration (" + e.getMessage() + ")", e);
            }
            int packets = trak.getStsz().getCount();
            if (packets <= 0) {
                throw new LoaderException(file + ": the audio track has no samples");
            }
            JCodecMp4.listConstantSampleSizes(file, trak, channel, "packets");
            MP4DemuxerTrack demuxerTrack = new MP4DemuxerTrack(demuxer.getMovie(), trak, channel);
            AacTrack track = new AacTrack(file, config, new JCodecPackets(file, demuxerTrack), packets,
                    encoderDelay(trak, config.sampleRate()));
            return new Mp4AacSource(channel, track, config.sampleRate());
        } catch (RuntimeException | IOException e) {
            channel.close();
            throw e;
        }
    }

    /** The track's packets through JCodec's demuxer, which reads in order until told to go elsewhere. */
    private static final class JCodecPackets implements AacTrack.Packets {
        private final Path file;
        private final MP4DemuxerTrack track;
        private int next = -1;

        JCodecPackets(Path file, MP4DemuxerTrack track) {
            this.file = file;
            this.track = track;
        }

        @Override
        public byte[] read(int index) throws IOException {
            MP4Packet packet;
            try {
                if (index != next) {
                    track.gotoFrame(index);
                }
                packet = track.nextFrame();
            } catch (RuntimeException e) { // JCodec on a damaged sample table (no chunk offsets, say)
                throw new LoaderException(file + ": AAC packet " + index + " cannot be read (corrupt sample table: "
                        + e.getClass().getSimpleName() + ")", e);
            }
            if (packet == null) {
                throw new LoaderException(file + ": AAC packet " + index + " cannot be read (truncated file?)");
            }
            next = index + 1;
            return NIOUtils.toArray(packet.getData());
        }
    }

    /** Whether the MP4 has a sound track (of any codec). */
    static boolean hasAudio(Path file) throws IOException {
        JCodecLog.silence();
        Mp4BoxCheck.check(file);
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
}
