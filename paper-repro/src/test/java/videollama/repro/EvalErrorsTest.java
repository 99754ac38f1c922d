package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.testing.RepositoryFiles;

/**
 * Bad options and inputs of {@code eval qa} and {@code eval merge}: one line naming the flag, file or shard at fault,
 * exit 2 for usage and 1 otherwise, nothing on stdout, nothing written where the run could not start.
 */
class EvalErrorsTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private static Path shard1;
    private static Path shard2;

    @BeforeAll
    static void shards() {
        TinyData.ffmpegOrSkip();
        shard1 = shared.resolve("shard1");
        shard2 = shared.resolve("shard2");
        for (Path shard : List.of(shard1, shard2)) {
            TinyData.run(TinyData.qaArgs(Dataset.TEMPORAL, shard, shared.resolve("cache"), "--max-new-tokens", "8",
                    "--shard", (shard == shard1 ? 1 : 2) + "/2")).ok();
        }
    }

    private List<String> qa(Dataset dataset, String... more) {
        return TinyData.qaArgs(dataset, tmp.resolve("out"), tmp.resolve("cache"), more);
    }

    private static List<String> replaced(List<String> args, String option, String value) {
        List<String> copy = new ArrayList<>(args);
        copy.set(copy.indexOf(option) + 1, value);
        return copy;
    }

    @Test
    void badOptionsAreUsageErrors() {
        TinyData.run(replaced(qa(Dataset.MSVD), "--dataset", "msvdqa")).fails(2, "--dataset", "unknown dataset 'msvdqa'");
        TinyData.run(qa(Dataset.GENERIC, "--shard", "3/2")).fails(2, "--shard", "1 <= i <= n, got 3/2");
        TinyData.run(qa(Dataset.GENERIC, "--shard", "half")).fails(2, "--shard", "expected i/n");
        TinyData.run(qa(Dataset.GENERIC, "--limit", "0")).fails(2, "--limit must be positive");
        TinyData.run(qa(Dataset.GENERIC, "--frames", "40")).fails(2, "--frames");
        TinyData.run(qa(Dataset.GENERIC, "--template", "alpaca")).fails(2, "--template", "alpaca");
        TinyData.run(qa(Dataset.GENERIC, "--decoder", "vlc")).fails(2, "--decoder", "vlc");
        TinyData.run(qa(Dataset.GENERIC, "--temperature", "0.7", "--shard", "1/2")).fails(2, "--shard with sampling needs --seed");
        List<String> oneFile = new ArrayList<>(qa(Dataset.ACTIVITYNET));
        oneFile.remove(oneFile.indexOf("--annotations") + 2);
        TinyData.run(oneFile).fails(2, "--annotations", "activitynet takes test_q.json and test_a.json, got 1 file(s)");
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }

    @Test
    void missingInputsAreErrorsNamingThem() throws IOException {
        TinyData.run(replaced(qa(Dataset.MSRVTT), "--annotations", tmp.resolve("test_qa.json").toString()))
                .fails(1, tmp.resolve("test_qa.json") + ": not found");
        TinyData.run(replaced(qa(Dataset.MSRVTT), "--videos", tmp.resolve("videos").toString()))
                .fails(1, tmp.resolve("videos") + ": not found (--videos)");
        TinyData.run(replaced(qa(Dataset.MSRVTT), "--model", tmp.resolve("model").toString()))
                .fails(1, tmp.resolve("model") + ": not found (--model)");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        TinyData.run(replaced(qa(Dataset.MSRVTT), "--videos", empty.toString()))
                .fails(1, empty + ": none of the dataset's 4 videos is here", "expected " + empty.resolve("video9001.mp4"));
        // a model folder without the vision branch: checked before any question
        TinyData.run(replaced(qa(Dataset.MSRVTT), "--model", RepositoryFiles.root().resolve("models/stories260K").toString()))
                .fails(1, "no vision branch");
        assertFalse(Files.exists(tmp.resolve("out/predictions.jsonl")));
    }

    @Test
    void aFolderOfAnotherRunIsNotResumedWithOtherSettings() throws IOException {
        Path out = tmp.resolve("out");
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8")).ok();
        List<String> before = Files.readAllLines(out.resolve("predictions.jsonl"));
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "9"))
                .fails(1, out + " holds a run with other settings (generation.max_new_tokens: 9 now, 8 in " + out.resolve("run.json"));
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8", "--frames", "4")).fails(1, "frames: 4 now, 8 in");
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8", "--shard", "1/2")).fails(1, "shard: 1/2 now, null there");
        assertEquals(before, Files.readAllLines(out.resolve("predictions.jsonl")), "untouched");
    }

    @Test
    void predictionsThatAreNotThisRunsFirstOnesAreNotResumed() throws IOException {
        Path out = tmp.resolve("out");
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8", "--limit", "2")).ok();
        Path file = out.resolve("predictions.jsonl");
        List<String> lines = Files.readAllLines(file);
        Files.write(file, List.of(lines.get(1), lines.get(0)));
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8")).fails(1, file + ": line 1 holds question 30002, where this run has question 30001");
        Files.delete(out.resolve(RunInfo.FILE));
        TinyData.run(qa(Dataset.MSVD, "--max-new-tokens", "8")).fails(1, file + " exists without run.json");
    }

    @Test
    void aFolderAnotherRunIsWritingIsRefused() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));
        try (FileChannel channel = FileChannel.open(out.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock held = channel.lock();
            TinyData.run(qa(Dataset.MSVD)).fails(1, out + ": another eval qa is writing into this folder");
            held.release();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : List.of("predictions.jsonl", RunInfo.FILE)) {
            Files.copy(from.resolve(name), to.resolve(name));
        }
        return to;
    }

    @Test
    void mergeNeedsEveryShardOnceCompleteWithTheSameSettings() throws IOException {
        Path out = tmp.resolve("merged");
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString())
                .fails(1, "shard 2/2 is missing");
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), shard2.toString(), copy(shard2, tmp.resolve("again")).toString())
                .fails(1, "shard 2/2 given twice");

        Path cut = copy(shard2, tmp.resolve("cut"));
        List<String> lines = Files.readAllLines(cut.resolve("predictions.jsonl"));
        Files.write(cut.resolve("predictions.jsonl"), lines.subList(0, lines.size() - 1));
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), cut.toString())
                .fails(1, cut + ": shard 2/2 is not complete (" + (lines.size() - 1) + " of " + lines.size() + " questions)");

        Path other = copy(shard2, tmp.resolve("other"));
        String run = Files.readString(other.resolve(RunInfo.FILE), StandardCharsets.UTF_8);
        Files.writeString(other.resolve(RunInfo.FILE), run.replace("\"frames\" : 8", "\"frames\" : 6"), StandardCharsets.UTF_8);
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), other.toString())
                .fails(1, "the shards ran with other settings (frames: 6 in " + other);

        Path whole = tmp.resolve("whole");
        TinyData.run(TinyData.qaArgs(Dataset.TEMPORAL, whole, tmp.resolve("cache"), "--max-new-tokens", "8", "--limit", "1")).ok();
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), whole.toString()).fails(1, whole + ": not a shard");
        TinyData.run("eval", "merge", "--out", out.toString(), tmp.toString()).fails(1, tmp + ": no run.json");
        assertFalse(Files.exists(out.resolve("predictions.jsonl")));

        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), shard2.toString()).ok();
        TinyData.run("eval", "merge", "--out", out.toString(), shard1.toString(), shard2.toString())
                .fails(1, out.resolve("predictions.jsonl") + " exists");
    }
}
