package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.kernels.Backend;
import videollama.model.llama.SyntheticLlama;
import videollama.weights.DType;
import videollama.weights.SafetensorsFile;
import videollama.weights.SafetensorsWriter;
import videollama.weights.Tensor;

/**
 * What a command needs is checked before it loads or encodes anything (issue 12, "check before working"), each
 * refusal one line naming the flag or file, in a child JVM with a small heap: a model without the branch the upload
 * needs, a {@code --dump} place that cannot be written, an answer budget larger than the context, a huge line on
 * stdin; an out-of-memory names what was being read and how to get further; the default backend says which and why.
 */
class CheckBeforeWorkCliTest {
    @TempDir
    Path tmp;

    private static final Path DEMO = TestFiles.root().resolve("models/videollama-demo");
    private static final String VIDEO = DEMO.resolve("stream-of-water.mp4").toString();
    private static final String IMAGE = TestFiles.root().resolve("testdata/image/gradient.jpg").toString();

    /** The demo model with its branch tensors whose names start with {@code dropPrefix} left out. */
    private Path demoWithout(String dropPrefix) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("demo-without-" + dropPrefix));
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.model", "videollama.json")) {
            Files.copy(DEMO.resolve(f), dir.resolve(f));
        }
        try (SafetensorsFile branches = SafetensorsFile.open(DEMO.resolve("branches.safetensors"))) {
            List<Tensor> kept = new ArrayList<>();
            for (String n : branches.names()) {
                if (!n.startsWith(dropPrefix)) {
                    kept.add(branches.get(n));
                }
            }
            SafetensorsWriter.write(dir.resolve("branches.safetensors"), kept, Map.of());
        }
        return dir;
    }

    /** No media file was read nor encoded before the refusal. */
    private static void assertNothingReadOrEncoded(ChildCli run) {
        assertFalse(run.err().contains("decoding ") || run.err().contains("reading ") || run.err().contains("encoding "),
                "no media read or encoded first: " + run);
    }

    @Test
    void audioOnAModelWithoutTheAudioBranchIsRefusedBeforeAnyFrameIsDecoded() throws IOException {
        Path model = demoWithout("audio_");
        ChildCli run = ChildCli.run("chat", "--model", model.toString(), "--video", VIDEO, "--audio", "--question", "q",
                "--backend", "reference").assertRefusedAfterProgress(1, model.toString(), "audio");
        assertNothingReadOrEncoded(run);
        ChildCli soundOnly = ChildCli.run("chat", "--model", model.toString(), "--audio-only",
                TestFiles.root().resolve("testdata/audio/jfk.wav").toString(), "--question", "q", "--backend", "reference")
                .assertRefusedAfterProgress(1, model.toString(), "audio");
        assertNothingReadOrEncoded(soundOnly);
    }

    @Test
    void aVideoOnAModelWithoutTheVisionBranchIsRefusedBeforeItIsDecoded() {
        ChildCli run = ChildCli.run("chat", "--model", TestFiles.bundledModel().toString(), "--video", VIDEO, "--question", "q",
                "--backend", "reference").assertRefusedAfterProgress(1, "no vision branch");
        assertNothingReadOrEncoded(run);
    }

    @Test
    void aDumpPlaceThatCannotBeWrittenIsRefusedFirst() throws IOException {
        Path file = Files.writeString(tmp.resolve("notes.txt"), "a file");
        ChildCli.run("chat", "--model", DEMO.toString(), "--image", IMAGE, "--question", "q", "--backend", "reference",
                "--dump", file.toString()).assertRefused(1, "--dump", file.toString(), "not a folder");
        Path underAFile = file.resolve("dump");
        ChildCli.run("chat", "--model", DEMO.toString(), "--video", VIDEO, "--question", "q", "--backend", "reference",
                "--dump", underAFile.toString()).assertRefused(1, "--dump", underAFile.toString(), "cannot create");
        ChildCli.run("generate", "--prompt", "Once", "--max-new-tokens", "4", "--backend", "reference",
                "--dump", underAFile.toString()).assertRefused(1, "--dump", underAFile.toString());
        Path taken = Files.createDirectories(tmp.resolve("taken/dump.safetensors"));
        ChildCli.run("generate", "--prompt", "Once", "--max-new-tokens", "4", "--backend", "reference",
                "--dump", taken.getParent().toString()).assertRefused(1, "--dump", "dump.safetensors");
    }

    @Test
    void chatRefusesAnAnswerBudgetThatLeavesNoRoomForThePrompt() {
        // the demo's context is 512 positions: the reference would drop the whole prompt to make room
        ChildCli.run("chat", "--model", DEMO.toString(), "--video", VIDEO, "--question", "q", "--max-new-tokens", "1000000000")
                .assertRefused(2, "--max-new-tokens 1000000000", "512", DEMO.resolve("config.json").toString(), "at most 511");
        ChildCli.run("chat", "--model", DEMO.toString(), "--video", VIDEO, "--question", "q", "--max-new-tokens", "512")
                .assertRefused(2, "--max-new-tokens 512");
    }

    @Test
    void generateStopsAtTheContextAndSaysSoUpFront() {
        ChildCli run = ChildCli.run("generate", "--raw", "--prompt", "Once upon a time", "--temperature", "0",
                "--max-new-tokens", "2147483647", "--backend", "reference");
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("note: --max-new-tokens 2147483647 is more than the "), run.toString());
        assertTrue(run.err().contains("stop: context"), run.toString());
        assertTrue(run.peakRssMiB() <= ChildCli.DEFAULT_RSS_LIMIT_MIB, run.toString());
    }

    @Test
    void aHugeLineOnStdinIsRefusedWithoutReadingItAll() {
        byte[] line = new byte[5_000_000];
        Arrays.fill(line, (byte) 'a');
        ChildCli run = ChildCli.run("96m", line, "chat", "--model", DEMO.toString(), "--image", IMAGE, "--temperature", "0",
                "--max-new-tokens", "4", "--backend", "reference");
        run.assertRefusedAfterProgress(1, "stdin", "question 1", "65536 characters");
        assertFalse(run.err().contains("prompt: "), "nothing generated: " + run);

        String longQuestion = "a".repeat(65_537);
        ChildCli.run("chat", "--model", DEMO.toString(), "--image", IMAGE, "--question", longQuestion)
                .assertRefused(2, "--question", "65537 characters");
    }

    @Test
    void anOrdinaryInteractiveLineStillWorks() {
        ChildCli run = ChildCli.run("96m", "What is it?\r\n\n".getBytes(StandardCharsets.UTF_8), "chat", "--model", DEMO.toString(),
                "--image", IMAGE, "--temperature", "0", "--max-new-tokens", "4", "--backend", "reference");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(1, run.err().lines().filter(l -> l.contains("prompt: ")).count(), "one question answered: " + run);
        assertFalse(run.out().isBlank(), run.toString());
    }

    /** A grey PNG of w × h pixels, written row by row (small on disk, w·h bytes once decoded). */
    private Path greyPng(String name, int w, int h) throws IOException {
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION))) {
            byte[] row = new byte[w + 1]; // filter type 0, then w zero pixels
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(png);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream header = new DataOutputStream(ihdr);
        header.writeInt(w);
        header.writeInt(h);
        header.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grey, deflate, no filter method extras, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return Files.write(tmp.resolve(name), png.toByteArray());
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void outOfMemoryEndsTheProgressLineAndNamesTheFileWithAHint() throws IOException {
        // 100 M pixels: under Pillow's decompression-bomb limit, so it is decoded, and 300 MB as RGB
        Path big = greyPng("big.png", 10_000, 10_000);
        assertTrue(Files.size(big) < 200_000, "a small file: " + Files.size(big));
        ChildCli run = ChildCli.runWith(List.of("-Xmx96m"), null, "chat", "--model", DEMO.toString(), "--image", big.toString(),
                "--question", "q", "--backend", "reference");
        assertEquals(1, run.exitCode(), run.toString());
        assertEquals("", run.out(), run.toString());
        String line = run.lastErrLine();
        assertTrue(line.startsWith("videollama: out of memory while reading " + big + " ("), run.toString());
        assertTrue(line.contains("heap at most ") && line.contains("-Xmx") && line.contains("smaller model"), line);
        assertTrue(run.err().contains("reading " + big + " ... out of memory\n"), "the progress line ended: " + run);
        assertTrue(run.err().lines().allMatch(l -> !l.contains("videollama:") || l.startsWith("videollama: ")),
                "the message on a line of its own: " + run);
        assertFalse(run.err().contains("\tat "), run.toString());
    }

    @Test
    void progressOfEncodingAndPrefillGoesToStderrInPlainLines() {
        Cli run = Cli.run("chat", "--model", DEMO.toString(), "--video", VIDEO, "--question", "What is it?", "--temperature", "0",
                "--max-new-tokens", "4", "--backend", "reference");
        assertEquals(0, run.exitCode(), run.toString());
        assertFalse(run.out().contains("encoding") || run.out().contains("prefill") || run.out().contains("elapsed"),
                "only the answer on stdout: " + run.out());
        assertTrue(run.err().contains("encoding 8 frames of " + VIDEO + " on reference ...\n"), run.err());
        assertTrue(run.err().contains("encoding 8 frames of " + VIDEO + " on reference: 32 soft tokens ("), run.err());
        assertTrue(run.err().contains("prefill on reference ...\n") && run.err().contains("prefill on reference: done ("), run.err());
        assertFalse(run.err().contains("\r"), "no carriage return off a terminal: " + run.err());
    }

    @Test
    void theDefaultBackendSaysWhichAndWhy() {
        Cli run = Cli.run("generate", "--raw", "--prompt", "Once", "--temperature", "0", "--max-new-tokens", "4");
        assertEquals(0, run.exitCode(), run.toString());
        List<String> lines = run.err().lines().filter(l -> l.startsWith("backend: ")).toList();
        assertEquals(1, lines.size(), run.err());
        // 1.2 MB of weights: on a machine without a GPU the plain-Java path, and the line says why
        assertTrue(lines.getFirst().contains(", the default: "), lines.getFirst());
        Cli named = Cli.run("generate", "--raw", "--prompt", "Once", "--temperature", "0", "--max-new-tokens", "4",
                "--backend", "reference");
        assertTrue(named.err().contains("backend: reference (") && !named.err().contains("the default"), named.err());
    }

    @Test
    void aModelAboveTheCrossoverRunsOnOpenCLOnTheCpuByDefault() {
        try (Backend openCl = TestFiles.openClOrSkip()) {
            if (!((videollama.kernels.DeviceBackend) openCl).info().isCpu()) {
                org.junit.jupiter.api.Assumptions.abort("OpenCL here is a GPU, which is the default at any size: " + openCl.device());
            }
        }
        // stories15M in float32: 97 MB of weights, above the 64 MB crossover
        Path model = SyntheticLlama.write(tmp.resolve("stories15M"), SyntheticLlama.shape("stories15M"), DType.F32,
                TestFiles.root().resolve("testdata/tokenizer/tokenizer.model"));
        Cli run = Cli.run("generate", "--model", model.toString(), "--raw", "--prompt", "Once", "--temperature", "0",
                "--max-new-tokens", "2");
        assertEquals(0, run.exitCode(), run.toString());
        String line = run.err().lines().filter(l -> l.startsWith("backend: ")).findFirst().orElseThrow();
        assertTrue(line.startsWith("backend: opencl (") && line.contains("the default: no GPU here, and the model's 97.")
                && line.contains("above the 64.0 MB") && line.contains("--backend reference"), line);
        Cli small = Cli.run("generate", "--raw", "--prompt", "Once", "--temperature", "0", "--max-new-tokens", "2");
        assertTrue(small.err().contains("backend: reference (") && small.err().contains("below the 64.0 MB")
                && small.err().contains("--backend opencl"), small.err());
    }
}
