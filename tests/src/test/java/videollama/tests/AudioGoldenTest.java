package videollama.tests;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.videollama.AudioBranch;

/**
 * The reference audio-language branch against PyTorch in float32 on the same weights ({@code
 * scripts/reference/make_audio_model_golden.py} made the data: ImageBind's audio encoder from torch modules with
 * {@code torch.nn.MultiheadAttention(add_bias_kv=True)}, transformers' Q-Former): every stage within 1e-5
 * relative (the project bound for float32 is 1e-4; measured at most 1.8e-6 here, on PoCL and on the CUDA emulator), for 3
 * clips with an odd head width and for 8 clips.
 */
class AudioGoldenTest {
    static final double TOLERANCE = 1e-5;

    static Stream<GoldenCase> cases() throws IOException {
        return GoldenCase.of("audio");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStageMatchesPyTorch(GoldenCase c) {
        try (AudioBranch branch = AudioBranch.open(c.dir())) {
            c.assertReferenceEncodesAsExpected(branch, "fbank", TOLERANCE, "audio: clip ");
        }
    }
}
