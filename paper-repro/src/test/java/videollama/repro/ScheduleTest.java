package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {
    private static Question q(String id, String video) {
        return new Question(id, VideoRef.of(video, List.of(video), ".mp4", "test"), "what?", null, "a", null);
    }

    private static List<String> ids(List<VideoGroup> groups) {
        List<String> ids = new ArrayList<>();
        groups.forEach(g -> g.questions().forEach(q -> ids.add(q.id())));
        return ids;
    }

    @Test
    void questionsAreGroupedByVideoInTheOrderOfEachVideosFirstQuestion() {
        List<VideoGroup> groups = Schedule.byVideo(List.of(q("1", "b"), q("2", "a"), q("3", "b"), q("4", "c"), q("5", "a")));
        assertEquals(List.of("b", "a", "c"), groups.stream().map(g -> g.video().name()).toList());
        assertEquals(List.of("1", "3", "2", "5", "4"), ids(groups));
    }

    @Test
    void shardsSplitByVideoAndJoinedInOrderAreTheWholeRun() {
        for (int videos = 0; videos <= 13; videos++) {
            List<Question> questions = new ArrayList<>();
            for (int v = 0; v < videos; v++) {
                for (int k = 0; k <= v % 3; k++) {
                    questions.add(q(v + "_" + k, "video" + v));
                }
            }
            List<VideoGroup> all = Schedule.byVideo(questions);
            for (int n = 1; n <= 5; n++) {
                List<VideoGroup> joined = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    List<VideoGroup> part = Schedule.shard(all, new Schedule.Shard(i, n));
                    assertTrue(Math.abs(part.size() - videos / (double) n) < 1, videos + " videos, shard " + i + "/" + n);
                    joined.addAll(part);
                }
                assertEquals(all, joined, videos + " videos in " + n + " shards");
            }
        }
    }

    @Test
    void aLimitKeepsTheFirstQuestionsEvenWithinAVideo() {
        List<VideoGroup> all = Schedule.byVideo(List.of(q("1", "a"), q("2", "a"), q("3", "b"), q("4", "b"), q("5", "c")));
        assertEquals(List.of("1", "2", "3"), ids(Schedule.limit(all, 3)));
        assertEquals(List.of("1", "2", "3", "4", "5"), ids(Schedule.limit(all, 50)));
    }

    @Test
    void shardsAreParsedAsIOfN() {
        assertEquals(new Schedule.Shard(3, 8), Schedule.Shard.parse("3/8"));
        assertEquals("a shard is i/n with 1 <= i <= n, got 0/8",
                assertThrows(IllegalArgumentException.class, () -> Schedule.Shard.parse("0/8")).getMessage());
        assertEquals("a shard is i/n with 1 <= i <= n, got 9/8",
                assertThrows(IllegalArgumentException.class, () -> Schedule.Shard.parse("9/8")).getMessage());
        assertEquals("expected i/n (e.g. 3/8), got 'three'",
                assertThrows(IllegalArgumentException.class, () -> Schedule.Shard.parse("three")).getMessage());
    }
}
