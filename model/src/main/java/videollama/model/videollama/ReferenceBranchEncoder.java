package videollama.model.videollama;

import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A media branch on the plain-Java reference path (the twin of {@link DeviceBranchEncoder}): the branch's encoder
 * (the ViT, ImageBind) over each input in turn, a progress line per input, then the rest of the branch over all the
 * inputs' encodings, which ends in the branch's projection to the soft tokens. The vision and audio branches differ
 * only in their encoder and the stages between ({@link #afterEncoder}); checking the input, reporting progress and
 * the projection are this one class.
 *
 * @param <O> the branch's outputs
 */
abstract sealed class ReferenceBranchEncoder<O extends BranchOutputs> implements BranchEncoder<O>
        permits ReferenceAudioEncoder, ReferenceVisionEncoder {

    /** The branch's encoder over {@code count} inputs, one at a time, calling {@code done} with each one's index. */
    interface Encoder {
        float[] forward(float[] input, int count, IntConsumer done);
    }

    /**
     * What tells one branch from the other outside its stages.
     *
     * @param name        "vision" or "audio": the first word of every progress line
     * @param unit        "frame" or "clip"
     * @param encoderDone the progress line once the encoder is done with every input, where {@link StageTimes}
     *                    splits the encoder's time from the rest ({@link VisionStages}, {@link AudioStages})
     * @param check       throws for a count or an input length the branch does not take, before any work
     * @param encoder     the branch's encoder
     */
    record Branch(String name, String unit, String encoderDone, BiConsumer<float[], Integer> check, Encoder encoder) {}

    private final Branch branch;
    private final ReferenceProjection projection;

    ReferenceBranchEncoder(Branch branch, Projection projection) {
        this.branch = branch;
        this.projection = ReferenceProjection.of(projection);
    }

    /** The branch's projection: its last Q-Former's output [queries, width] → the soft tokens [queries, dModel]. */
    final float[] project(float[] qformerOut) {
        return projection.apply(qformerOut);
    }

    /** The rest of the branch over the encoder's output for {@code count} inputs, and every stage's output. */
    abstract O afterEncoder(float[] encoded, int count);

    @Override
    public final O encode(float[] input, int count, Consumer<String> progress) {
        branch.check().accept(input, count);
        float[] encoded = branch.encoder().forward(input, count,
                i -> progress.accept(branch.name() + ": " + branch.unit() + " " + (i + 1) + "/" + count));
        progress.accept(branch.encoderDone());
        return afterEncoder(encoded, count);
    }

    @Override
    public final void close() {}
}
