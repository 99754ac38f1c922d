package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.reference.Q8_0;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.weights.QuantizedTensors;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * What Q8_0 costs the vision branch, on the golden video-t3 case (3 frames): its image Q-Former's matrices of whole
 * 32-blocks (self-attention, cross-attention query and output, feed-forward) and the video Q-Former's 32-wide
 * cross-attention key/value quantised and stored as {@code convert --quantize q8_0} stores them (the ViT's 48- and
 * 209-wide rows stay float), the folder loaded through the usual path, on the reference path and on OpenCL. First the
 * Q8_0 model against the same model with its weights dequantised to float (q·d): within the float32 bound, so what is
 * left is the quantisation itself; then against the float model: measured 3.1 % of the largest value after the image
 * Q-Former, 2.7 % after the video Q-Former, 3.0 % in the video tokens, on both backends (rows of 32 are one block
 * each, so one large weight sets the scale of its whole row), bounded at about 2× that.
 */
class Q8_0VisionTest {
    /** The Q-Formers' linear layers, as the converter names them (docs/usage.md). */
    private static final Pattern QFORMER_LINEAR = Pattern.compile("(Qformer|video_Qformer)\\.bert\\.encoder\\.layer\\.\\d+\\.[a-z_.]+\\.weight");
    private static final double BOUND = 0.065;

    @TempDir
    Path tmp;

    @Test
    void theQFormersOnQ8_0AreTheirDequantisedWeightsAndStayNearTheFloatOnes() throws IOException {
        GoldenCase c = GoldenCase.named("vision", "video-t3");
        Path q8 = Files.createDirectories(tmp.resolve("q8_0"));
        Path dequantised = Files.createDirectories(tmp.resolve("dequantised"));
        int quantised = 0;
        List<Tensor> q8Tensors = new ArrayList<>();
        List<Tensor> floatTensors = new ArrayList<>();
        try (SafetensorsFile original = SafetensorsFile.open(c.dir().resolve("model.safetensors"))) {
            for (String name : original.names()) {
                Tensor t = original.get(name);
                if (QFORMER_LINEAR.matcher(name).matches() && t.rank() == 2 && t.dim(1) % 32 == 0) {
                    Tensor q = Q8_0.quantize(t);
                    q8Tensors.addAll(QuantizedTensors.stored(q));
                    floatTensors.add(q.convertTo(t.dtype()));
                    quantised++;
                } else {
                    q8Tensors.add(t);
                    floatTensors.add(t);
                }
            }
            SafetensorsWriter.write(q8.resolve("model.safetensors"), q8Tensors, Map.of());
            SafetensorsWriter.write(dequantised.resolve("model.safetensors"), floatTensors, Map.of());
        }
        for (Path dir : List.of(q8, dequantised)) {
            Files.copy(c.dir().resolve("videollama.json"), dir.resolve("videollama.json"));
        }
        assertTrue(quantised >= 10, quantised + " matrices quantised");
        int[] t = new int[1];
        float[] frames = c.input("frames", t);
        for (String backendName : new String[] {"reference", "opencl"}) {
            try (Backend backend = backendName.equals("opencl") ? TestFiles.openClOrSkip() : Backends.open(backendName);
                 VideoBranch floats = VideoBranch.open(c.dir()); VideoBranch quants = VideoBranch.open(q8);
                 VideoBranch widened = VideoBranch.open(dequantised);
                 VisionEncoder a = floats.encoder(backend); VisionEncoder b = quants.encoder(backend);
                 VisionEncoder d = widened.encoder(backend)) {
                VisionOutputs original = a.encode(frames, t[0], line -> {});
                VisionOutputs got = b.encode(frames, t[0], line -> {});
                VisionOutputs same = d.encode(frames, t[0], line -> {});
                assertTrue(Tolerance.relativeError(got.vitOut(), 0, original.vitOut(), 0, original.vitOut().length) == 0, "the ViT is not quantised");
                // Q8_0 computes what its dequantised weights compute: float32 summation order only (design.md section 7)
                Tolerance.assertClose(got.tokens(), same.tokens(), 1e-5, backendName + " video.tokens against the dequantised model");
                Tolerance.assertClose(got.imageQformerOut(), same.imageQformerOut(), 1e-5, backendName + " image_qformer.out against the dequantised model");
                check(backendName + " image_qformer.out", got.imageQformerOut(), original.imageQformerOut());
                check(backendName + " video_qformer.out", got.videoQformerOut(), original.videoQformerOut());
                check(backendName + " video.tokens", got.tokens(), original.tokens());
            }
        }
    }

    private static void check(String what, float[] got, float[] want) {
        double error = Tolerance.relativeError(got, 0, want, 0, want.length);
        System.err.printf(Locale.ROOT, "Q8_0 video-t3 %s: relative error %.3g%n", what, error);
        assertTrue(error > 0 && error <= BOUND, what + ": relative error " + error + " (bound " + BOUND + ")");
    }
}
