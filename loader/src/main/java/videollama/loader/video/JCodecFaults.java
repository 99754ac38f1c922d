package videollama.loader.video;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.jcodec.codecs.h264.H264Utils;
import org.jcodec.codecs.h264.decode.SliceHeaderReader;
import org.jcodec.codecs.h264.io.model.NALUnit;
import org.jcodec.codecs.h264.io.model.NALUnitType;
import org.jcodec.codecs.h264.io.model.PictureParameterSet;
import org.jcodec.codecs.h264.io.model.SeqParameterSet;
import org.jcodec.codecs.h264.io.model.SliceHeader;
import org.jcodec.codecs.h264.io.model.SliceType;
import org.jcodec.common.io.BitReader;
import org.jcodec.common.io.NIOUtils;
import videollama.loader.LoaderException;

/**
 * The B-slices JCodec 0.2.5 predicts differently from ISO/IEC 14496-10, found from their slice headers, so that a
 * load can say that its frames are not the reference decoder's. Measured against FFmpeg frame by frame: with these
 * two faults patched (outside this repository) JCodec decodes flower.mp4, friday.mp4 and the temporal-direct and
 * implicit-bipred test videos bit-exactly; unpatched, the frames with such slices and those predicted from them
 * differ (99 of flower's 150 frames, 31 of friday's 185, by up to 109 and 97 levels).
 * <ul>
 * <li>{@link Fault#TEMPORAL_DIRECT}, {@code direct_spatial_mv_pred_flag = 0} (8.4.1.2.3): mvL1 must be
 *     mvL0 − mvCol with the mvL0 just scaled from mvCol; JCodec's {@code MBlockDecoderBDirect} reads mvL0 back from
 *     its motion vector list while evaluating the arguments of the call that stores it, so it gets the list's
 *     previous content, zero, and predicts list 1 from −mvCol: twice as far as it should for a B-frame halfway
 *     between its references.
 * <li>{@link Fault#WEIGHTS_WITHOUT_WEIGHTED_PRED_FLAG}, B-slices under a picture parameter set with
 *     {@code weighted_bipred_idc} 1 or 2 and {@code weighted_pred_flag} 0 (7.4.2.2: the flag is for P and SP slices
 *     only): JCodec's {@code PredictionMerger} weights B-slices only when that flag is set and otherwise averages,
 *     which differs wherever the weights are not an even split (x264 with {@code weightp=0}: implicit weights).
 * </ul>
 * Neither can be replaced from outside: the direct predictor is created privately by JCodec's {@code SliceDecoder},
 * which its {@code H264Decoder} creates for every slice, and every macroblock decoder calls the static merger; a fix
 * means rewriting JCodec's frame and slice decoding or patching its classes. So the loader warns instead.
 *
 * <p>A fault in a non-reference frame reaches the output only if that frame is itself wanted: nothing predicts from
 * it, and the co-located picture of temporal direct prediction is always a reference picture (RefPicList1[0]).
 * One instance follows one load: it reads the parameter sets of the track and those sent in band.
 */
final class JCodecFaults {
    /** B-slice features JCodec 0.2.5 predicts wrongly (see the class comment). */
    enum Fault {
        TEMPORAL_DIRECT("B-slices with temporal direct prediction"),
        WEIGHTS_WITHOUT_WEIGHTED_PRED_FLAG("weighted B-slices under a picture parameter set whose weighted_pred_flag is 0");

        final String description;

        Fault(String description) {
            this.description = description;
        }
    }

    /** The faulty B-slices of one frame, and whether later frames predict from it (nal_ref_idc ≠ 0). */
    record FrameFaults(Set<Fault> faults, boolean reference) {}

    private final Path video;
    private final Map<Integer, SeqParameterSet> spsById = new HashMap<>();
    private final Map<Integer, PictureParameterSet> ppsById = new HashMap<>();
    private final Set<Fault> reached = EnumSet.noneOf(Fault.class);

    /**
     * @param codecPrivate the track's SPS and PPS as Annex B NAL units
     * @throws LoaderException naming the file if JCodec cannot read them
     */
    JCodecFaults(Path video, ByteBuffer codecPrivate) {
        this.video = video;
        try {
            read(codecPrivate);
        } catch (RuntimeException e) {
            throw new LoaderException(video + ": unreadable H.264 parameter sets (" + Mp4VideoTrack.describe(e) + ")", e);
        }
    }

    /** Notes the faults of a frame about to be decoded that reach the output: {@code wanted} or predicted from. */
    void inspect(ByteBuffer frame, boolean wanted) {
        FrameFaults f = read(frame);
        if (wanted || f.reference()) {
            reached.addAll(f.faults());
        }
    }

    /** The warning for the user, once per file: empty when the frames are JCodec's usual bit-exact decode. */
    List<String> warnings() {
        if (reached.isEmpty()) {
            return List.of();
        }
        return List.of(video + ": the Java decoder (JCodec 0.2.5) gets frames of this video wrong ("
                + reached.stream().map(f -> f.description).collect(Collectors.joining("; "))
                + "), so they differ from the reference's; --decoder ffmpeg reads them exactly");
    }

    /** The faults of one frame's B-slices (Annex B NAL units); parameter sets in it are remembered. */
    FrameFaults read(ByteBuffer frame) {
        Set<Fault> faults = EnumSet.noneOf(Fault.class);
        boolean reference = false;
        for (ByteBuffer nal : H264Utils.splitFrame(frame.duplicate())) {
            // A copy: JCodec's readers remove emulation prevention bytes in place, and the decoder reads the original.
            ByteBuffer payload = NIOUtils.clone(nal);
            NALUnit unit = NALUnit.read(payload);
            H264Utils.unescapeNAL(payload);
            if (unit.type == NALUnitType.SPS) {
                SeqParameterSet sps = SeqParameterSet.read(payload);
                spsById.put(sps.seqParameterSetId, sps);
            } else if (unit.type == NALUnitType.PPS) {
                PictureParameterSet pps = PictureParameterSet.read(payload);
                ppsById.put(pps.picParameterSetId, pps);
            } else if (unit.type == NALUnitType.NON_IDR_SLICE) {
                reference |= unit.nal_ref_idc != 0;
                BitReader bits = BitReader.createBitReader(payload);
                SliceHeader sh = SliceHeaderReader.readPart1(bits);
                PictureParameterSet pps = ppsById.get(sh.picParameterSetId);
                SeqParameterSet sps = pps == null ? null : spsById.get(pps.seqParameterSetId);
                if (sh.sliceType != SliceType.B || sps == null) {
                    continue; // a missing parameter set is the decoder's error to report
                }
                SliceHeaderReader.readPart2(sh, unit, sps, pps, bits);
                if (!sh.directSpatialMvPredFlag) {
                    faults.add(Fault.TEMPORAL_DIRECT);
                }
                if (pps.weightedBipredIdc != 0 && !pps.weightedPredFlag) {
                    faults.add(Fault.WEIGHTS_WITHOUT_WEIGHTED_PRED_FLAG);
                }
            }
        }
        return new FrameFaults(faults, reference);
    }
}
