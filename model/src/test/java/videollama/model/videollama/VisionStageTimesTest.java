package videollama.model.videollama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import videollama.kernels.Cost;
import videollama.kernels.Profile;
import videollama.kernels.TaskTiming;

/**
 * The stage split of a vision profile (task names as the device graph gives them, averaged over replays), the
 * block extrapolation, the reference clock's bookkeeping, and the benchmark shape names.
 */
class VisionStageTimesTest {

    @Test
    void aProfileSplitsIntoStagesAveragedOverReplays() {
        Random random = new Random(System.nanoTime());
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
        VisionStageTimes t = VisionStageTimes.ofProfile(profile, blocks);
        assertEquals(List.of(VisionStageTimes.VIT_EMBEDDING, VisionStageTimes.VIT_BLOCKS, VisionStageTimes.IMAGE_QFORMER,
                VisionStageTimes.VIDEO_QFORMER), t.stages().stream().map(VisionStageTimes.Stage::name).toList());
        assertEquals(embedding / 2e6, t.millis(VisionStageTimes.VIT_EMBEDDING), 1e-9);
        assertEquals(vitBlocks / 2e6, t.millis(VisionStageTimes.VIT_BLOCKS), 1e-9);
        assertEquals(image / 2e6, t.millis(VisionStageTimes.IMAGE_QFORMER), 1e-9);
        assertEquals(video / 2e6, t.millis(VisionStageTimes.VIDEO_QFORMER), 1e-9);
        assertEquals(vitBlocks / 2e6 / blocks, t.blockMillis(), 1e-9);
        assertEquals((embedding + vitBlocks + image + video) / 2e6, t.totalMillis(), 1e-9);
        assertEquals(1000 + 37 * t.blockMillis(), t.extrapolate(1000, blocks + 37), 1e-9);
        assertTrue(t.extrapolation(1000, 39, 8).startsWith("at 39 ViT blocks: about "), t.extrapolation(1000, 39, 8));
        assertTrue(t.table().contains("ViT blocks (" + blocks + ")"), t.table());
    }

    @Test
    void aKernelOfNoStageIsShownApart() {
        Profile profile = new Profile();
        profile.add(List.of(timing("layer 0 vit qkv", 4_000_000), timing("something new", 1_000_000)));
        VisionStageTimes t = VisionStageTimes.ofProfile(profile, 1);
        assertEquals(1.0, t.millis(VisionStageTimes.OTHER), 1e-12);
        assertEquals(4.0, t.blockMillis(), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> VisionStageTimes.ofProfile(new Profile(), 1));
    }

    @Test
    void theReferenceClockCountsOnlyRunsThatReachTheQFormers() throws InterruptedException {
        VisionStageTimes.ReferenceClock clock = new VisionStageTimes.ReferenceClock();
        assertThrows(IllegalStateException.class, () -> clock.times(1));
        clock.start();
        clock.accept("vision: ViT + Q-Formers over 8 frames on opencl");
        clock.stop();
        assertEquals(0, clock.runs(), "a device encoder's progress is no reference run");
        clock.start();
        clock.accept("vision: frame 1/1");
        Thread.sleep(20);
        clock.accept(VisionStageTimes.ReferenceClock.VIT_DONE);
        clock.stop();
        assertEquals(1, clock.runs());
        VisionStageTimes t = clock.times(4);
        assertTrue(t.millis(VisionStageTimes.VIT) >= 20, t.table());
        assertEquals(t.millis(VisionStageTimes.VIT) / 4, t.blockMillis(), 1e-12);
    }

    @Test
    void benchmarkShapeNames() {
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

    private static TaskTiming timing(String task, long nanos) {
        return new TaskTiming(task, nanos, Cost.NONE);
    }
}
