package videollama.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Progress} on a terminal and elsewhere, with a clock the test moves: counts, elapsed time, estimates, failures. */
class ProgressTest {
    private final StringWriter text = new StringWriter();
    private long now;

    private Progress progress(boolean terminal) {
        return new Progress(new PrintWriter(text, true), terminal, () -> now);
    }

    /** What was written so far, line by line, is {@code expected}. */
    private void assertLines(String... expected) {
        assertEquals(List.of(expected), text.toString().lines().toList());
    }

    /** Four parts of 10 s each, reported as the reference encoder reports frames. */
    private String encodeFourParts(Progress p) {
        return p.counted("encoding 4 frames of a.mp4 on reference", lines -> {
            for (int f = 1; f <= 4; f++) {
                now += 10_000_000_000L;
                lines.accept("vision: frame " + f + "/4");
            }
            lines.accept("vision: Q-Formers");
            return "32 soft tokens";
        }, r -> r);
    }

    @Test
    void plainLinesWithElapsedTimeAndEstimateAndNoCarriageReturn() {
        encodeFourParts(progress(false));
        assertLines("encoding 4 frames of a.mp4 on reference ...",
                "  vision: frame 1/4, 10 s elapsed, about 30 s left",
                "  vision: frame 2/4, 20 s elapsed, about 20 s left",
                "  vision: frame 3/4, 30 s elapsed, about 10 s left",
                "  vision: frame 4/4, 40 s elapsed",
                "encoding 4 frames of a.mp4 on reference: 32 soft tokens (40.00 s)");
        assertFalse(text.toString().contains("\r"), text.toString());
    }

    @Test
    void plainLinesComeAtMostOnceASecond() {
        progress(false).counted("encoding", lines -> {
            for (int f = 1; f <= 100; f++) {
                now += 100_000_000L; // 0.1 s a part: ten parts a line
                lines.accept("audio: clip " + f + "/100");
            }
            return "done";
        }, r -> r);
        long partLines = text.toString().lines().filter(l -> l.startsWith("  audio: clip ")).count();
        assertEquals(10, partLines, text.toString());
    }

    @Test
    void aTerminalGetsOneLineRewrittenThenTheSummary() {
        encodeFourParts(progress(true));
        String out = text.toString();
        // every update starts with a carriage return; only the summary ends a line
        assertEquals(1, out.chars().filter(c -> c == '\n').count(), out);
        assertTrue(out.contains("\rencoding 4 frames of a.mp4 on reference: vision: frame 2/4, 20 s elapsed, about 20 s left"), out);
        String shown = out.substring(out.lastIndexOf('\r') + 1);
        assertEquals("encoding 4 frames of a.mp4 on reference: 32 soft tokens (40.00 s)\n", shown);
    }

    @Test
    void outOfMemoryEndsTheLineAndNamesTheStep() {
        Progress p = progress(false);
        Errors.OutOfMemory e = assertThrows(Errors.OutOfMemory.class, () -> p.time("reading big.png", () -> {
            throw new OutOfMemoryError("Java heap space");
        }, r -> "never"));
        assertEquals("reading big.png ... out of memory\n", text.toString());
        assertTrue(e.getMessage().startsWith("out of memory while reading big.png (Java heap space, heap at most "), e.getMessage());
        assertTrue(e.getMessage().contains("-Xmx") && e.getMessage().contains("smaller model"), e.getMessage());
    }

    @Test
    void aFailedStepEndsItsLine() {
        Progress p = progress(false);
        assertThrows(IllegalStateException.class, () -> p.time("decoding v.mp4", () -> {
            throw new IllegalStateException("bad");
        }, r -> "never"));
        assertEquals("decoding v.mp4 ... failed\n", text.toString());
    }

    /** A backend's notice in the middle of a step (OpenCL copying a misaligned weight) is a line of its own. */
    @Test
    void aNoticeInsideAStepGetsALineOfItsOwnAndTheStepLineGoesOn() {
        Progress p = progress(false);
        videollama.kernels.Notices.sendTo(Progress::notice); // as Main routes them
        try {
            p.time("loading the vision branch of demo", () -> {
                videollama.kernels.Notices.tell("opencl: weight w lies at an address ...");
                return 3;
            }, blocks -> "ViT " + blocks + " blocks");
        } finally {
            videollama.kernels.Notices.sendTo(null);
        }
        assertEquals("loading the vision branch of demo ...\nopencl: weight w lies at an address ...\n"
                + "loading the vision branch of demo ... ViT 3 blocks (0.00 s)\n", text.toString());
    }

    @Test
    void clockReadsAsSecondsMinutesOrHours() {
        assertEquals("42 s", Progress.clock(42_000_000_000L));
        assertEquals("28 min 05 s", Progress.clock((28 * 60 + 5) * 1_000_000_000L));
        assertEquals("1 h 02 min", Progress.clock(3720 * 1_000_000_000L));
    }

    @Test
    void aStepInsideALongerCallOpensAtZeroAndClosesAtTheLastPart() {
        var prefill = progress(false).parts("prefill on reference");
        for (int turn = 0; turn < 2; turn++) {
            for (int l = 0; l <= 2; l++) {
                prefill.accept("prefill: layer " + l + "/2");
                now += 2_000_000_000L;
            }
        }
        assertLines("prefill on reference ...",
                "  prefill: layer 1/2, 2 s elapsed, about 2 s left",
                "  prefill: layer 2/2, 4 s elapsed",
                "prefill on reference: done (4.00 s)",
                "prefill on reference ...",
                "  prefill: layer 1/2, 2 s elapsed, about 2 s left",
                "  prefill: layer 2/2, 4 s elapsed",
                "prefill on reference: done (4.00 s)");
    }
}
