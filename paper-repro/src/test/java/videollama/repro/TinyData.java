package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static videollama.testing.RepositoryFiles.root;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import videollama.kernels.BackendUnavailableException;
import videollama.kernels.Backends;
import videollama.loader.ffmpeg.Ffmpeg;

/** The tiny datasets of testdata/eval, the bundled demo model, and the command line run in this JVM. */
final class TinyData {
    private TinyData() {}

    static Path eval() {
        return root().resolve("testdata/eval");
    }

    static Path videos() {
        return eval().resolve("videos");
    }

    static Path demoModel() {
        return root().resolve("models/videollama-demo");
    }

    /** The annotation files of a tiny dataset, as {@code --annotations} takes them. */
    static List<Path> annotations(Dataset dataset) {
        Path e = eval();
        return switch (dataset) {
            case MSVD -> List.of(e.resolve("msvd/test_qa.json"), e.resolve("msvd/youtube_mapping.txt"));
            case MSRVTT -> List.of(e.resolve("msrvtt/test_qa.json"));
            case ACTIVITYNET -> List.of(e.resolve("activitynet/test_q.json"), e.resolve("activitynet/test_a.json"));
            case TGIF -> List.of(e.resolve("tgif/Test_frameqa_question.csv"));
            case GENERIC -> List.of(e.resolve("generative/generic_qa.json"));
            case TEMPORAL -> List.of(e.resolve("generative/temporal_qa.json"));
            case CONSISTENCY -> List.of(e.resolve("generative/consistency_qa.json"));
        };
    }

    /**
     * {@code eval qa} on a tiny dataset with the demo model on the reference backend, with the given {@code --out} and
     * {@code --cache}, then {@code more} options; greedy unless they set {@code --temperature}.
     */
    static List<String> qaArgs(Dataset dataset, Path out, Path cache, String... more) {
        List<String> args = new ArrayList<>(List.of("eval", "qa", "--dataset", dataset.id(), "--annotations"));
        annotations(dataset).forEach(p -> args.add(p.toString()));
        args.addAll(List.of("--videos", videos().toString(), "--model", demoModel().toString(), "--out", out.toString(),
                "--cache", cache.toString(), "--backend", "reference"));
        if (!List.of(more).contains("--temperature")) {
            args.addAll(List.of("--temperature", "0"));
        }
        args.addAll(List.of(more));
        return args;
    }

    record Run(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }

        /** Asserts exit 0. */
        Run ok() {
            assertEquals(0, exitCode, toString());
            return this;
        }

        /** Asserts a failure: exit {@code code}, nothing on stdout, one last line on stderr naming each of {@code mentions}. */
        void fails(int code, String... mentions) {
            assertEquals(code, exitCode, toString());
            assertEquals("", out, "nothing on stdout");
            String[] lines = err.strip().split("\n");
            String line = lines[lines.length - 1];
            assertTrue(line.startsWith("videollama: "), toString());
            for (String m : mentions) {
                assertTrue(line.contains(m), "'" + m + "' in: " + line);
            }
            assertFalse(err.contains("\tat "), "no stack trace: " + err);
        }
    }

    static Run run(List<String> args) {
        Cli run = Cli.run(args.toArray(String[]::new));
        return new Run(run.code(), run.out(), run.err());
    }

    static Run run(String... args) {
        return run(List.of(args));
    }

    private static final Pattern TIMES = Pattern.compile("\"(vision_ms|prefill_ms|decode_ms)\":[-0-9.Ee+]+");

    /**
     * The lines of a predictions file with the three times of each line's timings (vision_ms, prefill_ms, decode_ms)
     * set to 0: what two runs of the same questions must agree on byte for byte.
     */
    static List<String> withoutTimes(Path predictions) throws IOException {
        return Files.readAllLines(predictions, StandardCharsets.UTF_8).stream()
                .map(line -> TIMES.matcher(line).replaceAll("\"$1\":0")).toList();
    }

    /** Skips the calling test where there is no OpenCL, unless CI requires it (VIDEOLLAMA_REQUIRE_OPENCL=1). */
    static void openClOrSkip() {
        try {
            Backends.open("opencl").close();
        } catch (BackendUnavailableException e) {
            if ("1".equals(System.getenv("VIDEOLLAMA_REQUIRE_OPENCL"))) {
                throw e;
            }
            Assumptions.abort("no OpenCL on this machine: " + e.getMessage());
        }
    }

    /** Skips the calling test where FFmpeg's natives do not load, unless CI requires them (VIDEOLLAMA_REQUIRE_FFMPEG=1). */
    static void ffmpegOrSkip() {
        Ffmpeg.Status status = Ffmpeg.status();
        if (!status.available() && "1".equals(System.getenv("VIDEOLLAMA_REQUIRE_FFMPEG"))) {
            throw new AssertionError("VIDEOLLAMA_REQUIRE_FFMPEG=1, but " + status.describe());
        }
        Assumptions.assumeTrue(status.available(), status::describe);
    }
}
