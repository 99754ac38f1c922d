package videollama.loader.video;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.containers.mp4.boxes.SampleSizesBox;
import org.jcodec.containers.mp4.boxes.TrakBox;
import org.jcodec.containers.mp4.demuxer.MP4Demuxer;
import videollama.loader.LoaderException;

/**
 * The two steps every reader of an MP4 track through JCodec takes before it picks its track (the video track,
 * the AAC track): opening JCodec's demuxer with the movie box read, and giving a track with one constant sample
 * size the list of sizes JCodec's track readers want. Both turn what JCodec does with a damaged file into an error
 * naming the file.
 */
public final class JCodecMp4 {
    private JCodecMp4() {
    }

    /**
     * JCodec's demuxer over {@code channel}, the file's; {@code describe} says in a few words what JCodec threw.
     *
     * @throws LoaderException naming the file when JCodec cannot parse it or it has no {@code moov} box
     */
    public static MP4Demuxer demuxer(Path file, SeekableByteChannel channel, Function<Throwable, String> describe) {
        MP4Demuxer demuxer;
        try {
            demuxer = MP4Demuxer.createMP4Demuxer(channel);
        } catch (RuntimeException | IOException e) {
            throw new LoaderException(file + ": corrupt or truncated MP4 (" + describe.apply(e) + ")", e);
        }
        if (demuxer.getMovie() == null) {
            throw new LoaderException(file + ": corrupt or truncated MP4 (no 'moov' box)");
        }
        return demuxer;
    }

    /**
     * Lists the sizes of a track whose samples have one constant size ({@code stsz} without a table), which JCodec's
     * track readers need as a list; only for as many samples as the file can hold (a damaged count asks for
     * gigabytes). Nothing to do for a track that lists its sizes.
     *
     * @param samples what the track's samples are, for the error: {@code "frames"}, {@code "packets"}
     * @throws LoaderException naming the file when the samples cannot fit in it
     */
    public static void listConstantSampleSizes(Path file, TrakBox trak, SeekableByteChannel channel, String samples)
            throws IOException {
        SampleSizesBox stsz = trak.getStsz();
        if (stsz.getSizes() != null) {
            return;
        }
        long bytes = (long) stsz.getCount() * Math.max(1, stsz.getDefaultSize());
        if (stsz.getCount() < 0 || bytes > channel.size()) {
            throw new LoaderException(file + ": corrupt MP4 sample table (" + stsz.getCount() + " " + samples + " of "
                    + stsz.getDefaultSize() + " bytes in a file of " + channel.size() + " bytes)");
        }
        int[] sizes = new int[stsz.getCount()];
        Arrays.fill(sizes, stsz.getDefaultSize());
        stsz.setSizes(sizes);
    }
}
