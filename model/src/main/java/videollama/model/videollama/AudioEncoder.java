package videollama.model.videollama;

/**
 * The audio-language branch on one backend: fbank clips [clips, 1, melBins, frames], each clip's normalised
 * log-mel fbank (docs/model.md section 5.3), in ({@code clips} from 1 to {@link AudioSizes#maxClips()}); soft
 * tokens and every stage before them out. Get one from {@link AudioBranch#encoder}.
 */
public interface AudioEncoder extends BranchEncoder<AudioOutputs> {}
