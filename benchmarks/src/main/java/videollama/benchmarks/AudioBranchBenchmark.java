package videollama.benchmarks;

import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Param;
import videollama.benchmarks.stages.AudioBench;
import videollama.benchmarks.stages.StepTimer;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.AudioStages;
import videollama.model.videollama.SyntheticAudioBranch;

/**
 * The audio-language branch over one sound track ({@link AudioBranch#encoder}, as {@code chat --audio} runs it):
 * {@code clips} random normalised fbank clips [1, 128, 204] through ImageBind's audio encoder, the clip positions, the
 * audio Q-Former and audio_llama_proj; ms per sound track. The fbank itself (decode, resample, Kaldi filter bank) is
 * not part of it ({@link AudioFbankBenchmark} times that). Checked, timed and split into stages ({@link AudioStages})
 * as {@link BranchBenchmark} says; the per-clip stage is ImageBind's output.
 *
 * <p>Shapes ({@code -p shape=}): {@code demo}, the bundled {@code models/videollama-demo} (ImageBind 48 wide, 2
 * blocks); {@code released}, the released sizes with seeded random weights ({@link SyntheticAudioBranch}:
 * ImageBind-Huge's audio encoder 768 wide, 12 heads of 64, 12 blocks, MLP 3072, 229 tokens a clip, embeddings 1024
 * wide; audio Q-Former 768 wide, 2 layers, 8 queries; audio_llama_proj to 4096); {@code released-N}, the same with
 * N ImageBind blocks, for the reference path, on which the released depth takes over a minute a call on a CPU; or a
 * name of {@link SyntheticAudioBranch#SHAPES}. Random branches are written once into
 * {@code ~/.cache/videollama/bench/audio-<shape>} (float32, as the released files are). The split extrapolates to 12
 * ImageBind blocks.
 */
public class AudioBranchBenchmark extends BranchBenchmark {
    /** Clips per sound track: 8 as the demo samples them (at most the clip position embedding's 8 rows). */
    @Param({"8"})
    public int clips;

    @Override
    int items() {
        return clips;
    }

    @Override
    Path randomBranch(Path cacheDir) {
        return AudioBench.randomBranch(cacheDir, shape, StepTimer.SILENT);
    }

    /** The per-clip stage: ImageBind's output. */
    @Override
    Branch open(Path dir) {
        AudioBranch branch = AudioBranch.open(dir);
        return new Branch(branch::close, branch.sizes().clipSize(), branch.sizes().encoderWidth(), branch.imageBind().blocks.size(),
                AudioStages.LAYOUT, List.of("audio.encoder.out", "audio_qformer.out", "audio.tokens"), 1, compute -> {
                    AudioEncoder encoder = branch.encoder(compute);
                    return new Encoder((input, items) -> stages(encoder.encode(input, items)), encoder::encode, encoder::profile,
                            encoder::close);
                });
    }

    private static List<float[]> stages(AudioOutputs out) {
        return List.of(out.encoderOut(), out.qformerOut(), out.tokens());
    }
}
