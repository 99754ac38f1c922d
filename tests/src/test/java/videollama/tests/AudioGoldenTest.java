package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.weights.SafetensorsFile;

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
        int[] clips = new int[1];
        float[] fbank = c.input("fbank", clips);
        List<String> progress = new ArrayList<>();
        try (AudioBranch branch = AudioBranch.open(c.dir());
             Backend reference = Backends.open("reference");
             AudioEncoder encoder = branch.encoder(reference);
             SafetensorsFile expected = SafetensorsFile.open(c.expected())) {
            AudioOutputs out = encoder.encode(fbank, clips[0], progress::add);
            assertEquals(clips[0], out.clips());
            Tolerance.assertStagesClose(out.dumpTensors(), expected::get, TOLERANCE, c.toString());
        }
        assertEquals("audio: clip 1/" + clips[0], progress.getFirst());
        assertTrue(progress.contains("audio: clip " + clips[0] + "/" + clips[0]), progress.toString());
    }
}
