package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.model.llama.Llama;
import videollama.model.llama.LlamaSession;
import videollama.model.llama.SyntheticLlama;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.VideoBranch;
import videollama.weights.DType;
import videollama.weights.SafetensorsWriter;

/**
 * A LLaMA folder opened on PoCL keeps one copy of its weights: every tensor the device reads is a buffer over the
 * file mapping (none copied, the byte counts of the backend against the file's data section), and greedy decode
 * through those buffers gives the reference path's tokens. (That such a buffer's {@code CL_MEM_HOST_PTR} is the
 * tensor's address in the mapping is checked in the kernels module, {@code OpenCLWeightsInPlaceTest}.) The bundled
 * demo (the LLaMA, the vision and the audio branch, every tensor at a multiple of 128 bytes) is used in place whole.
 */
class OpenCLOneCopyTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "BF16"})
    void weightsOfAMappedModelAreUsedInPlace(DType dtype) throws IOException {
        SyntheticLlama.Shape shape = SyntheticLlama.shape("stories260K");
        Path model = SyntheticLlama.write(dir.resolve("m"), shape, dtype, TestFiles.bundledModel().resolve("tokenizer.model"));
        long dataBytes = dataBytesOf(shape, dtype);
        assertEquals(0, (Files.size(model.resolve("model.safetensors")) - dataBytes) % SafetensorsWriter.DATA_ALIGNMENT,
                "the data section starts on a page");
        int[] reference;
        try (Backend plain = Backends.open("reference")) {
            reference = greedy(model, plain);
        }
        try (Backend backend = TestFiles.openClOrSkip()) {
            OpenCLBackend openCL = (OpenCLBackend) backend;
            assumeTrue(openCL.sharesHostMemory(), "the device has memory of its own: weights are copied there");
            int[] device = greedy(model, backend);
            assertArrayEquals(reference, device, "greedy tokens through the mapped weights");
            OpenCLBackend.WeightMemory memory = openCL.weightMemory();
            assertEquals(0, memory.copiedBytes(), "no weight copied");
            assertEquals(dataBytes, memory.wrappedBytes(), "every tensor of the file used in place");
        }
    }

    @Test
    void theBundledDemoIsUsedInPlaceWhole() {
        Path demo = TestFiles.bundledModel().resolveSibling("videollama-demo");
        List<String> notices = new ArrayList<>();
        videollama.kernels.Notices.sendTo(notices::add);
        try (Backend backend = TestFiles.openClOrSkip()) {
            OpenCLBackend openCL = (OpenCLBackend) backend;
            assumeTrue(openCL.sharesHostMemory(), "the device has memory of its own: weights are copied there");
            try (Llama llama = Llama.load(demo); LlamaSession session = llama.newSession(backend, 4);
                 VideoBranch video = VideoBranch.open(demo); AudioBranch audio = AudioBranch.open(demo);
                 var videoEncoder = video.encoder(backend); var audioEncoder = audio.encoder(backend)) {
                session.forwardGreedy(llama.tokenizer().bosId());
                videoEncoder.encode(new float[video.sizes().frameSize()], 1, line -> {});
                audioEncoder.encode(new float[audio.sizes().clipSize()], 1, line -> {});
                // what is still copied is made on the host (weights the model derives at load), not read from the file
                assertEquals(List.of(), notices, "no weight of the files copied for want of alignment");
                OpenCLBackend.WeightMemory memory = openCL.weightMemory();
                assertTrue(memory.wrappedBytes() > 2_000_000, memory.wrappedBytes() + " bytes used in place");
            }
        } finally {
            videollama.kernels.Notices.sendTo(null);
        }
    }

    /** The bytes of the shape's tensors in the file: norms float32, everything else in {@code dtype}. */
    private static long dataBytesOf(SyntheticLlama.Shape s, DType dtype) {
        long norms = (2L * s.layers() + 1) * s.dim();
        return (s.parameters() - norms) * dtype.byteSize() + norms * 4;
    }

    private static int[] greedy(Path model, Backend backend) {
        try (Llama llama = Llama.load(model); LlamaSession session = llama.newSession(backend, 16)) {
            int[] tokens = new int[12];
            int token = llama.tokenizer().bosId();
            for (int i = 0; i < tokens.length; i++) {
                token = session.forwardGreedy(token);
                tokens[i] = token;
            }
            return tokens;
        }
    }
}
