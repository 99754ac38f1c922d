package videollama.model.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The repetition penalty and min length as transformers' processors apply them, on hand-computed rows. */
class LogitsProcessorsTest {
    private static final float NEG = Float.NEGATIVE_INFINITY;

    private static GenerationSettings settings(float penalty, int minLength) {
        return new GenerationSettings(10, SamplingSettings.greedy(), 1, 1.0, penalty, minLength, List.of(), List.of(), false);
    }

    @Test
    void penaltyDividesPositiveAndMultipliesNegativeScoresOfSeenIdsOnce() {
        LogitsProcessors p = new LogitsProcessors(settings(2f, 1), new int[] {2}, 6);
        float[] scores = {4f, -3f, 1f, 6f, -1f, 8f};
        // ids: the BOS 1, then 3, 4, 3 (3 repeated: penalised once), an id past the row is ignored
        p.apply(scores, 0, new int[] {1, 3, 4, 3, 9}, 5);
        assertArrayEquals(new float[] {4f, -6f, 1f, 3f, -2f, 8f}, scores);
    }

    @Test
    void penaltyBelowOneRewardsSeenIdsAndWorksOnARowAtAnOffset() {
        LogitsProcessors p = new LogitsProcessors(settings(0.5f, 1), new int[] {2}, 3);
        float[] scores = {9f, 9f, 9f, 2f, -4f, 1f};
        p.apply(scores, 3, new int[] {0, 1}, 2);
        assertArrayEquals(new float[] {9f, 9f, 9f, 4f, -2f, 1f}, scores);
    }

    @Test
    void minLengthBlocksEosWhileTheIdsWithTheBosAreFewer() {
        LogitsProcessors p = new LogitsProcessors(settings(1f, 4), new int[] {2, 5}, 6);
        float[] scores = {1f, 1f, 1f, 1f, 1f, 1f};
        p.apply(scores, 0, new int[] {1, 7, 8}, 3); // BOS + 2 generated: 3 < 4
        assertArrayEquals(new float[] {1f, 1f, NEG, 1f, 1f, NEG}, scores);
        float[] later = {1f, 1f, 1f, 1f, 1f, 1f};
        p.apply(later, 0, new int[] {1, 7, 8, 9}, 4);
        assertArrayEquals(new float[] {1f, 1f, 1f, 1f, 1f, 1f}, later);
    }

    @Test
    void settingsRefuseWhatTransformersRefuses() {
        assertThrows(IllegalArgumentException.class, () -> settings(0f, 1));
        assertThrows(IllegalArgumentException.class, () -> settings(1f, -1));
        assertThrows(IllegalArgumentException.class, () -> settings(1f, 12)); // > max_new_tokens + 1
        assertThrows(IllegalArgumentException.class, () -> new GenerationSettings(10, SamplingSettings.greedy(), 0, 1.0, 1f, 1,
                List.of(), List.of(), false));
        assertThrows(IllegalArgumentException.class, () -> new GenerationSettings(10, SamplingSettings.greedy(), 2, Double.NaN, 1f, 1,
                List.of(), List.of(), false));
    }
}
