package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.SafetensorsFile;

/**
 * docs/reading-order.md names each stage's {@code --dump} tensor as the code writes it: the walk's own command (a video
 * with its sound, a question, the reference backend, {@code --dump}) run on the bundled demo model writes exactly the
 * tensors the walk names, each with as many dimensions as the walk gives it. (That the files it names exist is
 * {@link RepositoryTextTest}'s check.)
 */
class ReadingOrderTest {
    private static final String DOC = "docs/reading-order.md";
    /** "Dump: `vit.out` [8, 257, 1408]." or "Dumps: `audio_qformer.out` [8, 768], `audio.tokens` [8, 4096]". */
    private static final Pattern DUMP_LINE = Pattern.compile("Dumps?: (.*)");
    private static final Pattern NAMED_SHAPE = Pattern.compile("`([^`/]+)` \\[([^\\]]+)\\]");

    @TempDir
    Path tmp;

    @Test
    void theDumpNamesOfTheWalkAreTheTensorsChatDumps() throws IOException {
        Map<String, Integer> named = dumpNames(Files.readString(RepositoryTextTest.root().resolve(DOC)));
        assertTrue(named.keySet().containsAll(java.util.Set.of("frames", "vit.out", "audio.fbank", "logits")), DOC + ": " + named);

        Path demo = TestFiles.root().resolve("models/videollama-demo");
        Path dump = tmp.resolve("out");
        Cli run = Cli.run("chat", "--model", demo.toString(), "--video", demo.resolve("stream-of-water.mp4").toString(), "--audio",
                "--question", "What is happening?", "--backend", "reference", "--temperature", "0", "--max-new-tokens", "2",
                "--dump", dump.toString());
        assertEquals(0, run.exitCode(), run.toString());
        Map<String, Integer> dumped = new TreeMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(dump.resolve("dump.safetensors"))) {
            for (String name : file.names()) {
                dumped.put(name, file.find(name).orElseThrow().shape().length);
            }
        }
        assertEquals(dumped, named, "tensor -> dimensions: chat --dump wrote (left), " + DOC + " names (right)");
        assertTrue(Files.exists(dump.resolve("prompt.json")), DOC + " names DIR/prompt.json");
    }

    @Test
    void readsNamesAndDimensionsFromDumpLines() {
        String text = "   Dump: `frames` [8, 3, 224, 224].\n"
                + "    Dumps: `a.out` [8, 768], `b.tokens` [L, 4096]\n"
                + "    (`model/src/X.java` names them). `not.a.dump` [1]\n";
        assertEquals(Map.of("frames", 4, "a.out", 2, "b.tokens", 2), dumpNames(text));
    }

    /** Each tensor a "Dump:" or "Dumps:" line names, with its number of dimensions. */
    static Map<String, Integer> dumpNames(String markdown) {
        Map<String, Integer> names = new TreeMap<>();
        for (String line : markdown.split("\n")) {
            Matcher dump = DUMP_LINE.matcher(line);
            if (dump.find()) {
                Matcher m = NAMED_SHAPE.matcher(dump.group(1));
                while (m.find()) {
                    names.put(m.group(1), m.group(2).split(",").length);
                }
            }
        }
        return names;
    }
}
