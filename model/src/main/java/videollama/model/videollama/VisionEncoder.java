package videollama.model.videollama;

/**
 * The vision-language branch on one backend: frames [t, 3, imageSize, imageSize], normalised with the CLIP mean
 * and std, in ({@code t} from 1 to {@link VisionSizes#maxFrames()}); soft tokens and every stage before them out.
 * Get one from {@link VideoBranch#encoder}.
 */
public interface VisionEncoder extends BranchEncoder<VisionOutputs> {}
