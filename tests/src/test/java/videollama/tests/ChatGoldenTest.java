package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import videollama.kernels.Backend;
import videollama.loader.MediaDecoder;
import videollama.loader.SampledFrames;
import videollama.loader.audio.AudioClips;
import videollama.loader.audio.AudioInput;
import videollama.loader.audio.ClipOptions;
import videollama.model.chat.ChatTemplate;
import videollama.model.chat.DemoMessages;
import videollama.model.chat.MediaChat;
import videollama.model.chat.SoftTokens;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;
import videollama.model.llama.Llama;
import videollama.model.videollama.AudioBranch;
import videollama.model.videollama.AudioEncoder;
import videollama.model.videollama.AudioOutputs;
import videollama.model.videollama.VideoBranch;
import videollama.model.videollama.VisionEncoder;
import videollama.model.videollama.VisionOutputs;
import videollama.testing.MeasuredErrors;
import videollama.weights.SafetensorsFile;

/**
 * A whole Video-LLaMA chat against the reference pipeline in PyTorch (scripts/reference/make_chat_golden.py): the
 * bundled demo model (random branch weights of the real structure on the real stories260K), eight frames of the
 * bundled video as FFmpeg decoded and scaled them, the branch in transformers' BLIP-2 modules, the prompt from the
 * reference repository's own conversation code, and greedy decoding with {@code LlamaForCausalLM}. Soft tokens,
 * prompt embeddings and every step's logits within 1e-5 relative, tighter than the project's float32 bound of 1e-4 (measured at
 * most 1.9e-6 on each backend; 2e-3 downstream of the vision branch's F16 weights on CUDA, measured 5.8e-4 on the
 * emulator, see {@link #CUDA_SIXTEEN_BIT}); the prompt's ids, the greedy tokens and the answer
 * identical; on the reference path, on OpenCL and on CUDA over the CPU emulation of the driver. The same for the
 * audio + video chat of {@code demo_audiovideo.py}, from the loader's own decode and fbank of the sound track.
 */
class ChatGoldenTest {
    private static final double TOLERANCE = 1e-5;
    /**
     * Downstream of the demo's F16 vision branch on CUDA, whose tensor-core GEMMs round the activations to 16 bits
     * ({@link Tolerance#of}): measured 5.8e-4 (video tokens), 4.0e-4 (prompt embeddings), 2.8e-4 (logits) on the
     * emulator, which rounds to fp16 as the hardware's cvt.rn does (the fp32 accumulation order, which differs on a
     * GPU, moves the result by some 1e-6); 2e-3 leaves 3.4 times that, where the project's 16-bit bound of 1e-2 left
     * 17 times.
     */
    private static final double CUDA_SIXTEEN_BIT = 2e-3;
    /**
     * The fbank bound of the sound path, 3e-4 in log-mel units (the loader's AudioGoldenTest bound for cells above
     * torchaudio's float32 FFT noise), in the normalised units of the model's input (÷ 9.138): this track's cells all
     * lie above that noise (measured 1.0e-5 normalised, 9.2e-5 log-mel, through FFmpeg; 9.2e-6 through our decoder).
     */
    private static final double FBANK_TOLERANCE = 3e-4 / 9.138;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "opencl", TestFiles.EMULATED_CUDA})
    void answersAsPyTorch(String backend) {
        try (Backend b = TestFiles.openOrSkip(backend)) {
            checkChat(b);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"reference", "opencl", TestFiles.EMULATED_CUDA})
    void hearsAndSeesAsPyTorch(String backend) {
        try (Backend b = TestFiles.openOrSkip(backend)) {
            checkAudioVideoChat(b);
        }
    }

    /** The tolerance of what depends on the demo's vision branch (F16 weights) or its audio branch (float32). */
    private static double tolerance(Backend backend, Path demo, boolean vision) {
        boolean sixteenBit = Tolerance.sixteenBitWeights(demo.resolve("branches.safetensors"),
                name -> name.startsWith("audio") != vision);
        return Math.min(Tolerance.of(backend, sixteenBit, TOLERANCE), CUDA_SIXTEEN_BIT);
    }

    /**
     * The audio + video chat of demo_audiovideo.py (empty system message, audio tokens before video tokens) from the
     * loader's own decode and fbank of the demo video's sound track, to the answer PyTorch gave on torchaudio's fbank.
     */
    private static void checkAudioVideoChat(Backend backend) {
        Path demo = TestFiles.root().resolve("models/videollama-demo");
        Path golden = TestFiles.golden("chat");
        JsonNode video = json(golden.resolve("expected.json"));
        JsonNode expected = json(golden.resolve("expected-audio-video.json"));
        int[] indices = ints(video.get("indices"));
        SampledFrames frames = SampledFrames.of(stackedFrames(golden.resolve("frames.png"), indices.length), indices.length,
                indices, Double.NaN, video.get("timestamps").asText());
        float[] torchaudio;
        try (SafetensorsFile inputs = SafetensorsFile.open(golden.resolve("audio-inputs.safetensors"))) {
            torchaudio = inputs.get("audio.fbank").toFloatArray();
        }
        Path track = demo.resolve(expected.get("video").asText());
        // Both decoders' fbanks against torchaudio's; the model hears the one from our own AAC decoder.
        float[] ffmpeg = AudioClips.prepare(track, ClipOptions.REFERENCE, MediaDecoder.FFMPEG).fbank();
        checkFbank(ffmpeg, torchaudio, "FFmpeg");
        float[] fbank = AudioClips.prepare(track, ClipOptions.REFERENCE, MediaDecoder.JAVA).fbank();
        checkFbank(fbank, torchaudio, "the Java decoder");
        int maxNew = expected.get("greedy_ids").size();
        try (Llama llama = Llama.load(demo);
             VideoBranch vision = VideoBranch.open(demo);
             VisionEncoder visionEncoder = vision.encoder(backend);
             AudioBranch audio = AudioBranch.open(demo);
             AudioEncoder audioEncoder = audio.encoder(backend);
             SafetensorsFile tensors = SafetensorsFile.open(golden.resolve("expected-audio-video.safetensors"))) {
            VisionOutputs seen = visionEncoder.encode(frames.pixels(), frames.count());
            AudioOutputs heard = audioEncoder.encode(fbank, AudioInput.CLIPS);
            double audioTolerance = tolerance(backend, demo, false);
            Tolerance.assertClose(heard.encoderOut(), tensors.get("audio.encoder.out").toFloatArray(), audioTolerance, "audio.encoder.out");
            Tolerance.assertClose(heard.tokens(), tensors.get("audio.tokens").toFloatArray(), audioTolerance, "audio.tokens");

            MediaChat chat = new MediaChat(llama, backend, ChatTemplate.LLAMA2, "", DemoMessages.AUDIO_VIDEO,
                    List.of(new SoftTokens("audio", heard.tokens(), audio.sizes().queries()),
                            new SoftTokens("video", seen.tokens(), vision.sizes().videoQueries())),
                    new GenerationSettings(maxNew, SamplingSettings.greedy(), ChatTemplate.LLAMA2.stopStrings(), true), 2000);
            MediaChat.Answer answer = chat.ask(expected.get("question").asText(), piece -> {});
            assertEquals(DemoMessages.AUDIO_VIDEO + " " + expected.get("question").asText(), chat.conversation().turns().getLast().user());
            checkAnswer(expected, tensors, answer, llama.config().vocabSize(), backend, tolerance(backend, demo, true));
        }
    }

    private static void checkFbank(float[] fbank, float[] torchaudio, String decoder) {
        double worst = 0;
        for (int i = 0; i < fbank.length; i++) {
            worst = Math.max(worst, Math.abs(fbank[i] - torchaudio[i]));
        }
        System.out.printf("fbank of the demo's sound track through %s vs torchaudio's: max |error| %.3g (normalised units)%n",
                decoder, worst);
        MeasuredErrors.record("fbank through " + decoder, worst, FBANK_TOLERANCE);
        assertTrue(worst <= FBANK_TOLERANCE, "fbank of the sound track through " + decoder + " vs torchaudio: max " + worst);
    }

    /**
     * Segment ids, prompt embeddings, every step's logits (within {@code tolerance}), the greedy tokens and the
     * cleaned answer.
     */
    private static void checkAnswer(JsonNode expected, SafetensorsFile tensors, MediaChat.Answer answer, int vocab, Backend backend,
                                    double tolerance) {
        JsonNode segments = expected.get("segment_ids");
        assertEquals(segments.size(), answer.prompt().segmentIds().size());
        for (int s = 0; s < segments.size(); s++) {
            assertArrayEquals(ints(segments.get(s)), answer.prompt().segmentIds().get(s), "ids of segment " + s);
        }
        Tolerance.assertClose(answer.prompt().embeddings(), tensors.get("prompt.embeds").toFloatArray(), tolerance, "prompt.embeds");
        assertArrayEquals(ints(expected.get("greedy_ids")), answer.generation().tokens(), "greedy tokens on " + backend.name());
        float[] logits = tensors.get("logits").toFloatArray();
        assertEquals(logits.length / vocab, answer.generation().logits().size());
        for (int step = 0; step < answer.generation().logits().size(); step++) {
            float[] want = new float[vocab];
            System.arraycopy(logits, step * vocab, want, 0, vocab);
            Tolerance.assertClose(answer.generation().logits().get(step), want, tolerance, "logits of step " + step);
        }
        assertEquals(expected.get("answer").asText(), answer.text());
    }

    private static void checkChat(Backend backend) {
        Path demo = TestFiles.root().resolve("models/videollama-demo");
        Path golden = TestFiles.golden("chat");
        JsonNode expected = json(golden.resolve("expected.json"));
        int[] indices = ints(expected.get("indices"));
        SampledFrames frames = SampledFrames.of(stackedFrames(golden.resolve("frames.png"), indices.length), indices.length,
                indices, Double.NaN, expected.get("timestamps").asText());
        int maxNew = expected.get("greedy_ids").size();
        try (Llama llama = Llama.load(demo);
             VideoBranch branch = VideoBranch.open(demo);
             VisionEncoder encoder = branch.encoder(backend);
             SafetensorsFile tensors = SafetensorsFile.open(golden.resolve("expected.safetensors"))) {
            double tolerance = tolerance(backend, demo, true);
            VisionOutputs vision = encoder.encode(frames.pixels(), frames.count());
            Tolerance.assertClose(vision.tokens(), tensors.get("video.tokens").toFloatArray(), tolerance, "video.tokens");

            MediaChat chat = new MediaChat(llama, backend, ChatTemplate.LLAMA2, DemoMessages.VISUAL_SYSTEM,
                    DemoMessages.video(frames.timestampSentence()),
                    List.of(new SoftTokens("video", vision.tokens(), branch.sizes().videoQueries())),
                    new GenerationSettings(maxNew, SamplingSettings.greedy(), ChatTemplate.LLAMA2.stopStrings(), true), 2000);
            MediaChat.Answer answer = chat.ask(expected.get("question").asText(), piece -> {});

            checkAnswer(expected, tensors, answer, llama.config().vocabSize(), backend, tolerance);
            assertTrue(chat.conversation().turns().getLast().assistant().equals(answer.text()));
        }
    }

    /** The frames stacked vertically in one PNG, as RGB24 bytes [count, 224, 224, 3]. */
    private static byte[] stackedFrames(Path png, int count) {
        BufferedImage image;
        try {
            image = ImageIO.read(png.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(png + ": " + e.getMessage(), e);
        }
        int size = SampledFrames.SIZE;
        assertEquals(size, image.getWidth());
        assertEquals(count * size, image.getHeight());
        byte[] rgb = new byte[count * size * size * 3];
        int at = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < size; x++) {
                int p = image.getRGB(x, y);
                rgb[at++] = (byte) (p >> 16);
                rgb[at++] = (byte) (p >> 8);
                rgb[at++] = (byte) p;
            }
        }
        return rgb;
    }

    private static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + ": " + e.getMessage(), e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
