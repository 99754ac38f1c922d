package videollama.benchmarks;

import java.util.List;
import java.util.Map;
import videollama.model.videollama.AudioStages;

/** {@link AudioBranchBenchmark} over 3 clips of the demo and of {@code narrow-heads-64} (2 ImageBind blocks each). */
class AudioBranchBenchmarkTest extends BranchBenchmarkContract<AudioBranchBenchmark> {
    AudioBranchBenchmarkTest() {
        super(new Case<>(() -> {
            AudioBranchBenchmark b = new AudioBranchBenchmark();
            b.clips = 3;
            return b;
        }, "narrow-heads-64", 8 * 64, Map.of("demo", 2, "narrow-heads-64", 2),
                List.of(AudioStages.STEM, AudioStages.BLOCKS, AudioStages.HEAD, AudioStages.QFORMER),
                List.of(AudioStages.IMAGEBIND, AudioStages.QFORMER)));
    }
}
