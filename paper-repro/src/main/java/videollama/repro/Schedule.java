package videollama.repro;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The order in which {@code eval qa} answers a dataset, and the part of it a run answers. Questions are grouped by
 * video, the videos in the order of their first question in the annotation files, each video's questions in file
 * order; this order is the order of {@code predictions.jsonl}. {@code --shard i/n} takes the i-th of n contiguous
 * runs of videos (a video's questions never split, so no video is encoded twice), so the shards' files, one after
 * the other, are the whole run's file; {@code --limit N} then keeps the first N questions.
 */
final class Schedule {
    private Schedule() {}

    static List<VideoGroup> byVideo(List<Question> questions) {
        Map<String, List<Question>> groups = new LinkedHashMap<>();
        Map<String, VideoRef> refs = new LinkedHashMap<>();
        for (Question q : questions) {
            groups.computeIfAbsent(q.video().name(), k -> new ArrayList<>()).add(q);
            refs.putIfAbsent(q.video().name(), q.video());
        }
        List<VideoGroup> out = new ArrayList<>();
        groups.forEach((name, qs) -> out.add(new VideoGroup(refs.get(name), qs)));
        return out;
    }

    /** Shard {@code i} (1-based) of {@code n}: videos {@code floor((i-1)·V/n)} up to {@code floor(i·V/n)}. */
    static List<VideoGroup> shard(List<VideoGroup> groups, Shard shard) {
        int v = groups.size();
        long from = (long) (shard.index() - 1) * v / shard.count();
        long to = (long) shard.index() * v / shard.count();
        return groups.subList((int) from, (int) to);
    }

    /** The first {@code limit} questions (a video's questions may be cut). */
    static List<VideoGroup> limit(List<VideoGroup> groups, int limit) {
        List<VideoGroup> out = new ArrayList<>();
        int left = limit;
        for (VideoGroup g : groups) {
            if (left == 0) {
                break;
            }
            List<Question> qs = g.questions().subList(0, Math.min(left, g.questions().size()));
            out.add(new VideoGroup(g.video(), qs));
            left -= qs.size();
        }
        return out;
    }

    static int questions(List<VideoGroup> groups) {
        return groups.stream().mapToInt(g -> g.questions().size()).sum();
    }

    /** {@code --shard i/n}: the i-th (1-based) of n parts. */
    record Shard(int index, int count) {
        Shard {
            if (count < 1 || index < 1 || index > count) {
                throw new IllegalArgumentException("a shard is i/n with 1 <= i <= n, got " + index + "/" + count);
            }
        }

        static Shard parse(String text) {
            String[] parts = text.split("/", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("expected i/n (e.g. 3/8), got '" + text + "'");
            }
            try {
                return new Shard(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected i/n (e.g. 3/8), got '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return index + "/" + count;
        }
    }
}
