package videollama.tests;

import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioOutputs;

/**
 * The reference audio-language branch against PyTorch in float32 on the same weights ({@code
 * scripts/reference/make_audio_model_golden.py} made the data: ImageBind's audio encoder from torch modules with
 * {@code torch.nn.MultiheadAttention(add_bias_kv=True)}, transformers' Q-Former): every stage within 1e-5
 * relative (the project bound for float32 is 1e-4; measured at most 1.8e-6 here, on PoCL and on the CUDA emulator), for 3
 * clips with an odd head width and for 8 clips.
 */
class AudioGoldenTest extends BranchGoldenTest<AudioOutputs, AudioBranch> {
    AudioGoldenTest() {
        super("audio", AudioBranch::open, "fbank", "audio: clip ");
    }
}
