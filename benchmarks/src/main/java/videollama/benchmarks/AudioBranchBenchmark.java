package videollama.benchmarks;

import java.nio.file.Path;
import java.util.List;
import org.openjdk.jmh.annotations.Param;
import videollama.kernels.Backend;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.AudioStages;
import videollama.model.videollama.StageTimes;
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

    private AudioBranch branch;

    @Override
    int items() {
        return clips;
    }

    @Override
    String item() {
        return "clip";
    }

    @Override
    void openBranch(Path dir) {
        branch = AudioBranch.open(dir);
    }

    @Override
    Path randomBranch(Path cacheDir) {
        SyntheticAudioBranch.Shape s = SyntheticAudioBranch.parse(shape);
        return SyntheticAudioBranch.write(cacheDir.resolve("audio-" + s.name()), s);
    }

    @Override
    int itemSize() {
        return branch.sizes().clipSize();
    }

    @Override
    int encoderWidth() {
        return branch.sizes().encoderWidth();
    }

    @Override
    int blocks() {
        return branch.imageBind().blocks.size();
    }

    @Override
    StageTimes.Layout layout() {
        return AudioStages.LAYOUT;
    }

    @Override
    List<String> stageNames() {
        return List.of("audio.encoder.out", "audio_qformer.out", "audio.tokens");
    }

    @Override
    int itemStages() {
        return 1;
    }

    @Override
    Encoder encoder(Backend compute) {
        AudioEncoder encoder = branch.encoder(compute);
        return new Encoder() {
            @Override
            public List<float[]> stages(float[] fbank, int items) {
                AudioOutputs out = encoder.encode(fbank, items);
                return List.of(out.encoderOut(), out.qformerOut(), out.tokens());
            }

            @Override
            public StageTimes.Encode timed(float[] fbank, int items) {
                return StageTimes.Encode.of(p -> encoder.encode(fbank, items, p), encoder::profile);
            }

            @Override
            public void close() {
                encoder.close();
            }
        };
    }

    @Override
    void closeBranch() {
        if (branch != null) {
            branch.close();
        }
    }
}
