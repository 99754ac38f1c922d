package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import videollama.kernels.Cost;
import videollama.kernels.Profile;
import videollama.kernels.TaskTiming;
import videollama.testing.MeasuredErrors;
import videollama.testing.SeededRandom;

/**
 * The stage split of a vision and an audio profile (task names as the device graphs give them, averaged over
 * replays), the block extrapolation, the reference clock's bookkeeping, and the benchmark shape names.
 */
class StageTimesTest {
    @RegisterExtension
    final SeededRandom random = new SeededRandom();

    /**
     * Milliseconds summed in another order than the test's: double rounding, at most one half-ulp for each of some 30
     * additions of sums below 20 ms (30 · 2⁻⁵³ · 20 ms ≈ 7e-14), so 1e-13 (measured at most 3.6e-15 over 200 seeds;
     * the smallest real fault, a nanosecond lost from a sum, is 5e-7 ms).
     */
    private static final double SUM_ORDER = 1e-13;

    private static void assertSumOrder(double expected, double actual) {
        MeasuredErrors.record("milliseconds", Math.abs(actual - expected), SUM_ORDER);
        assertEquals(expected, actual, SUM_ORDER);
    }

    @Test
    void aVisionProfileSplitsIntoStagesAveragedOverReplays() {
        int blocks = 2 + random.nextInt(3);
        long embedding = 0;
        long vitBlocks = 0;
        long image = 0;
        long video = 0;
        Profile profile = new Profile();
        for (int replay = 0; replay < 2; replay++) {
            List<TaskTiming> timings = new ArrayList<>();
            long[] n = random.longs(10, 1, 1_000_000).toArray();
            timings.add(timing("vit patch embedding", n[0]));
            timings.add(timing("vit class token + positions", n[1]));
            for (int b = 0; b < blocks; b++) {
                timings.add(timing("layer " + b + " vit qkv", n[2]));
                timings.add(timing("layer " + b + " vit fc2 + residual", n[3]));
            }
            timings.add(timing("ln_vision", n[4]));
            timings.add(timing("layer 0 Qformer cross k", n[5]));
            timings.add(timing("Qformer query norm", n[6]));
            timings.add(timing("frame positions", n[7]));
            timings.add(timing("layer 1 video_Qformer self attention", n[8]));
            timings.add(timing("llama_proj", n[9]));
            profile.add(timings);
            embedding += n[0] + n[1];
            vitBlocks += blocks * (n[2] + n[3]);
            image += n[4] + n[5] + n[6];
            video += n[7] + n[8] + n[9];
        }
        StageTimes t = StageTimes.ofProfile(VisionStages.LAYOUT, profile, blocks, 8);
        assertEquals(List.of(VisionStages.VIT_EMBEDDING, VisionStages.VIT_BLOCKS, VisionStages.IMAGE_QFORMER,
                VisionStages.VIDEO_QFORMER), t.stages().stream().map(StageTimes.Stage::name).toList());
        assertSumOrder(embedding / 2e6, t.millis(VisionStages.VIT_EMBEDDING));
        assertSumOrder(vitBlocks / 2e6, t.millis(VisionStages.VIT_BLOCKS));
        assertSumOrder(image / 2e6, t.millis(VisionStages.IMAGE_QFORMER));
        assertSumOrder(video / 2e6, t.millis(VisionStages.VIDEO_QFORMER));
        assertSumOrder(vitBlocks / 2e6 / blocks, t.blockMillis());
        assertSumOrder((embedding + vitBlocks + image + video) / 2e6, t.totalMillis());
        assertSumOrder(1000 + 37 * t.blockMillis(), t.extrapolate(1000, blocks + 37));
        double at39 = 1000 + (39 - blocks) * t.blockMillis();
        assertEquals(String.format(Locale.ROOT, "at 39 ViT blocks: about %.0f ms/video, %.2f frames/s (extrapolated: 1000.0 ms"
                + " measured + %d x %.1f ms a block)", at39, 8000 / at39, 39 - blocks, t.blockMillis()), t.releasedExtrapolation(1000));
        assertTrue(t.table().contains("ViT blocks (" + blocks + ")") && t.table().contains("ms/video")
                && t.table().contains("one ViT block"), t.table());
    }

    @Test
    void anAudioProfileSplitsIntoStemBlocksHeadAndQFormer() {
        int blocks = 1 + random.nextInt(3);
        int clips = 1 + random.nextInt(8);
        Profile profile = new Profile();
        // every task name of DeviceAudioEncoder's graph, as DeviceImageBindAudio and DeviceQFormer give them
        List<String> stem = List.of("audio patch embedding", "audio stem norm", "audio class token + positions");
        List<String> block = List.of("norm_1", "in_proj", "bias_k/bias_v row", "attention", "out_proj + residual", "norm_2",
                "fc1 + bias + gelu", "fc2 + residual");
        List<String> head = List.of("audio class tokens", "audio head norm", "audio head", "audio normalize + logit scale");
        List<String> qformer = List.of("clip positions", "audio_Qformer query norm", "layer 0 audio_Qformer self q",
                "layer 1 audio_Qformer cross attention", "layer 1 audio_Qformer output norm", "audio_llama_proj");
        long[] sums = new long[4];
        List<TaskTiming> timings = new ArrayList<>();
        for (String task : stem) {
            sums[0] += add(timings, task, random);
        }
        for (int b = 0; b < blocks; b++) {
            for (String task : block) {
                sums[1] += add(timings, "layer " + b + " audio " + task, random);
            }
        }
        for (String task : head) {
            sums[2] += add(timings, task, random);
        }
        for (String task : qformer) {
            sums[3] += add(timings, task, random);
        }
        profile.add(timings);
        StageTimes t = StageTimes.ofProfile(AudioStages.LAYOUT, profile, blocks, clips);
        assertEquals(List.of(AudioStages.STEM, AudioStages.BLOCKS, AudioStages.HEAD, AudioStages.QFORMER),
                t.stages().stream().map(StageTimes.Stage::name).toList(), "no " + StageTimes.OTHER + ": " + t.table());
        for (int i = 0; i < 4; i++) {
            assertSumOrder(sums[i] / 1e6, t.stages().get(i).millis());
        }
        assertSumOrder(sums[1] / 1e6 / blocks, t.blockMillis());
        assertTrue(t.table().contains("ImageBind blocks (" + blocks + ")") && t.table().contains("ms/" + clips + " clips")
                && t.table().contains("kernel time, 1 profiled run"), t.table());
        assertTrue(t.releasedExtrapolation(500).startsWith("at 12 ImageBind blocks: about "), t.releasedExtrapolation(500));
        assertTrue(t.releasedExtrapolation(500).contains(" ms/" + clips + " clips, ") && t.releasedExtrapolation(500).contains(" clips/s"),
                t.releasedExtrapolation(500));
    }

    @Test
    void aKernelOfNoStageIsShownApart() {
        Profile profile = new Profile();
        profile.add(List.of(timing("layer 0 vit qkv", 4_000_000), timing("something new", 1_000_000)));
        StageTimes t = StageTimes.ofProfile(VisionStages.LAYOUT, profile, 1, 8);
        assertEquals(1.0, t.millis(StageTimes.OTHER), 1e-12);
        assertEquals(4.0, t.blockMillis(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> StageTimes.ofProfile(VisionStages.LAYOUT, new Profile(), 1, 8));
        // an audio task outside the listed block tasks does not count as a block
        Profile audio = new Profile();
        audio.add(List.of(timing("layer 0 audio fc1 + bias + gelu", 2_000_000), timing("audio something new", 3_000_000)));
        StageTimes a = StageTimes.ofProfile(AudioStages.LAYOUT, audio, 1, 8);
        assertEquals(3.0, a.millis(StageTimes.OTHER), 1e-12);
        assertEquals(2.0, a.blockMillis(), 1e-12);
    }

    @Test
    void theReferenceClockCountsOnlyRunsThatReachTheEncodersEnd() throws InterruptedException {
        StageTimes.ReferenceClock clock = new StageTimes.ReferenceClock(VisionStages.LAYOUT);
        assertThrows(IllegalStateException.class, () -> clock.times(1, 8));
        clock.start();
        clock.accept("vision: ViT + Q-Formers over 8 frames on opencl");
        clock.stop();
        assertEquals(0, clock.runs(), "a device encoder's progress is no reference run");
        clock.start();
        clock.accept("vision: frame 1/1");
        Thread.sleep(20);
        clock.accept(VisionStages.VIT_DONE);
        clock.stop();
        assertEquals(1, clock.runs());
        StageTimes t = clock.times(4, 1);
        assertTrue(t.millis(VisionStages.VIT) >= 20, t.table());
        assertEquals(t.millis(VisionStages.VIT) / 4, t.blockMillis(), 1e-12);
        assertTrue(t.table().contains("(ViT / blocks: includes a share of the patch embedding)"), t.table());

        StageTimes.ReferenceClock audio = new StageTimes.ReferenceClock(AudioStages.LAYOUT);
        audio.start();
        audio.accept(VisionStages.VIT_DONE);
        audio.stop();
        assertEquals(0, audio.runs(), "the vision encoder's line does not end ImageBind");
        audio.start();
        Thread.sleep(10);
        audio.accept(AudioStages.IMAGEBIND_DONE);
        audio.stop();
        StageTimes a = audio.times(2, 8);
        assertTrue(a.millis(AudioStages.IMAGEBIND) >= 10, a.table());
        assertEquals(List.of(AudioStages.IMAGEBIND, AudioStages.QFORMER), a.stages().stream().map(StageTimes.Stage::name).toList());
        assertTrue(a.table().contains("(ImageBind / blocks: includes a share of the stem and the head)"), a.table());
    }

    @Test
    void visionBenchmarkShapeNames() {
        SyntheticVisionBranch.Shape full = SyntheticVisionBranch.parse("released");
        assertEquals(39, full.vitBlocks());
        assertEquals(SyntheticVisionBranch.shape("videollama-7b"), full);
        SyntheticVisionBranch.Shape two = SyntheticVisionBranch.parse("released-2");
        assertEquals(2, two.vitBlocks());
        assertEquals(List.of(1408, 16, 6144, 768, 12, 4096), List.of(two.vitWidth(), two.vitHeads(), two.mlpWidth(), two.qformerHidden(),
                two.qformerLayers(), two.dModel()));
        assertEquals("narrow-heads-88", SyntheticVisionBranch.parse("narrow-heads-88").name());
        for (String bad : new String[] {"released-0", "released-40", "released-x", "released-", "huge"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticVisionBranch.parse(bad), bad);
            assertTrue(e.getMessage().contains("released") && e.getMessage().contains("39"), e.getMessage());
        }
    }

    @Test
    void audioBenchmarkShapeNames() {
        SyntheticAudioBranch.Shape full = SyntheticAudioBranch.parse("released");
        assertEquals(12, full.blocks());
        assertEquals(SyntheticAudioBranch.shape("videollama-7b"), full);
        SyntheticAudioBranch.Shape one = SyntheticAudioBranch.parse("released-1");
        assertEquals(1, one.blocks());
        assertEquals(List.of(768, 12, 3072, 1024, 768, 2, 8, 4096), List.of(one.width(), one.heads(), one.mlpWidth(), one.outWidth(),
                one.qformerHidden(), one.qformerLayers(), one.queries(), one.dModel()));
        assertEquals("narrow-heads-64", SyntheticAudioBranch.parse("narrow-heads-64").name());
        for (String bad : new String[] {"released-0", "released-13", "released-x", "narrow-heads-88"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SyntheticAudioBranch.parse(bad), bad);
            assertTrue(e.getMessage().contains("ImageBind") && e.getMessage().contains("12"), e.getMessage());
        }
    }

    private static long add(List<TaskTiming> timings, String task, Random random) {
        long nanos = 1 + random.nextInt(1_000_000);
        timings.add(timing(task, nanos));
        return nanos;
    }

    private static TaskTiming timing(String task, long nanos) {
        return new TaskTiming(task, nanos, Cost.NONE);
    }
}
