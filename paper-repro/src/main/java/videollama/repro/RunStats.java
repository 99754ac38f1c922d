package videollama.repro;

import java.util.Locale;

/**
 * Where a run's time goes, for the progress line after each video (with the time left at the pace so far) and the
 * summary at the end: questions and videos done, and the time spent in the vision stage (reading the video, or its
 * cached tokens, and encoding it), in prefill and in decode.
 */
final class RunStats {
    private final int totalQuestions;
    private final int totalVideos;
    private final long start = System.nanoTime();
    int questions;
    int videos;
    int errors;
    int fromCache;
    int unreadable;
    int contextCut;
    long visionNanos;
    long prefillNanos;
    long decodeNanos;

    /** @param totalQuestions, totalVideos what this run answers (not what an earlier run in the folder already did) */
    RunStats(int totalQuestions, int totalVideos) {
        this.totalQuestions = totalQuestions;
        this.totalVideos = totalVideos;
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    /** "video 3/10, question 12/40, 1.52 questions/s, 0:00:18 left" */
    String progress() {
        double s = seconds();
        double rate = questions / s;
        String left = questions == 0 ? "?" : clock((totalQuestions - questions) / rate);
        return String.format(Locale.ROOT, "video %d/%d, question %d/%d, %.2f questions/s, %s left", videos, totalVideos,
                questions, totalQuestions, rate, left);
    }

    /** The summary line(s) at the end. */
    String summary(int skipped) {
        double s = seconds();
        double busy = Math.max(s, 1e-9);
        String earlier = skipped == 0 ? "" : "; " + skipped + " already answered by an earlier run into this folder";
        return String.format(Locale.ROOT, "eval qa: %d questions (%d answered, %d errors%s), %d videos (%d from the cache, %d"
                        + " unreadable or missing) in %.1f s: %.3f videos/s, %.3f questions/s%n"
                        + "time: vision %.1f%%, prefill %.1f%%, decode %.1f%%, other %.1f%% (%.1f / %.1f / %.1f s)",
                questions, questions - errors, errors, earlier, videos, fromCache, unreadable, s, videos / busy, questions / busy,
                100 * visionNanos / 1e9 / busy, 100 * prefillNanos / 1e9 / busy, 100 * decodeNanos / 1e9 / busy,
                100 * Math.max(0, s - (visionNanos + prefillNanos + decodeNanos) / 1e9) / busy,
                visionNanos / 1e9, prefillNanos / 1e9, decodeNanos / 1e9)
                + (contextCut == 0 ? "" : String.format(Locale.ROOT, "%n%d prompts exceeded the context: their first positions"
                        + " were dropped, as the reference does", contextCut));
    }

    private static String clock(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
