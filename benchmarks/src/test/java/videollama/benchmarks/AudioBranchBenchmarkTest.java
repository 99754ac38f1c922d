package videollama.benchmarks;

import java.util.List;
import videollama.model.videollama.AudioStages;

/** {@link AudioBranchBenchmark} over 3 clips of the demo and of {@code narrow-heads-64} (2 ImageBind blocks each). */
class AudioBranchBenchmarkTest extends BranchBenchmarkContract<AudioBranchBenchmark> {
    @Override
    AudioBranchBenchmark benchmark() {
        AudioBranchBenchmark b = new AudioBranchBenchmark();
        b.clips = 3;
        return b;
    }

    @Override
    String narrowShape() {
        return "narrow-heads-64";
    }

    @Override
    int tokenFloats() {
        return 8 * 64; // 8 soft tokens of d_model (64) floats
    }

    @Override
    int blocks(String shape) {
        return 2;
    }

    @Override
    List<String> deviceStages() {
        return List.of(AudioStages.STEM, AudioStages.BLOCKS, AudioStages.HEAD, AudioStages.QFORMER);
    }

    @Override
    List<String> referenceStages() {
        return List.of(AudioStages.IMAGEBIND, AudioStages.QFORMER);
    }
}
