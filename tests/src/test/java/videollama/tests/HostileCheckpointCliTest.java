package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.weights.pth.Archives;

/**
 * Checkpoints whose pickle would run code under Python's own unpickler ({@code os.system}, {@code eval},
 * {@code subprocess.Popen}, named and called through every opcode that can), and values that are not tensors where
 * tensors belong: {@code convert} and {@code inspect} refuse each in one line naming the file and the global or
 * tensor, in a child JVM with a small heap, and write nothing.
 */
class HostileCheckpointCliTest {
    private static final Path CASES = TestFiles.root().resolve("testdata/pth/convert");

    @TempDir
    Path tmp;

    /**
     * A torch.save-style archive whose {@code data.pkl} is {@code pickle}, given as protocol-2 opcodes in ISO-8859-1
     * text (each char one byte), after the PROTO header and before STOP.
     */
    private Path checkpoint(String name, int protocol, String opcodes) throws IOException {
        byte[] pickle = ("\u0080" + (char) protocol + opcodes + ".").getBytes(StandardCharsets.ISO_8859_1);
        return Files.write(tmp.resolve(name), Archives.zip(Map.of("archive/data.pkl", pickle), (entry, data) -> data));
    }

    /** BINUNICODE of a short ASCII text. */
    private static String str(String text) {
        return "X" + (char) text.length() + "\0\0\0" + text;
    }

    /** SHORT_BINUNICODE (protocol 4). */
    private static String shortStr(String text) {
        return "\u008c" + (char) text.length() + text;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            os-system   | GLOBAL + REDUCE            | os.system
            eval        | GLOBAL + REDUCE            | builtins.eval
            popen       | STACK_GLOBAL + REDUCE      | subprocess.Popen
            inst        | INST                       | subprocess.Popen
            obj         | GLOBAL + OBJ               | builtins.eval
            newobj      | GLOBAL + NEWOBJ            | argparse.Namespace
            build       | GLOBAL in BUILD's state    | os.system
            in-optimizer| os.system under optimizer  | os.system
            """)
    void hostilePickleIsRefusedNamingTheGlobal(String name, String how, String global) throws IOException {
        String opcodes = switch (name) {
            case "os-system" -> "cos\nsystem\n" + str("touch pwned") + "\u0085R";
            case "eval" -> "c__builtin__\neval\n" + str("__import__('os')") + "\u0085R";
            case "popen" -> shortStr("subprocess") + shortStr("Popen") + "\u0093" + shortStr("id") + "\u0085R";
            case "inst" -> "(" + str("id") + "isubprocess\nPopen\n";
            case "obj" -> "(cbuiltins\neval\n" + str("1") + "o";
            case "newobj" -> "cargparse\nNamespace\n)\u0081";
            case "build" -> "}cos\nsystem\nb";
            case "in-optimizer" -> "}" + str("model") + "}s" + str("optimizer") + "cos\nsystem\n" + str("id") + "\u0085Rs";
            default -> throw new AssertionError(name);
        };
        Path file = checkpoint(name + ".pth", name.equals("popen") ? 4 : 2, opcodes);
        Path out = tmp.resolve("out-" + name);
        ChildCli.run("convert", "--out", out.toString(), file.toString())
                .assertRefusedAfterProgress(1, file.toString(), global);
        assertFalse(Files.exists(out), how + ": nothing written, not even the folder");
        ChildCli.run("inspect", file.toString()).assertRefused(1, file.toString(), global);
        assertFalse(Files.exists(Path.of("pwned")) || Files.exists(tmp.resolve("pwned")), "nothing ran");
    }

    @Test
    void quantizedWeightIsRefusedNotDropped() {
        Path file = CASES.resolve("bad/qint8.pth");
        ChildCli.run("convert", "--out", tmp.resolve("out").toString(), file.toString())
                .assertRefusedAfterProgress(1, file.toString(), "'llama_proj.weight'", "quantized tensor of torch.qint8");
    }

    @Test
    void inspectListsACheckpointWithoutRunningIt() {
        Path file = CASES.resolve("VL_tiny.pth");
        ChildCli run = ChildCli.run("inspect", file.toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("llama_proj\\.weight\\s+F32\\s+\\[16, 8]")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("video_query_tokens\\s+F32\\s+\\[1, 4, 8]")), run.out());
        // A type videollama does not read is listed under torch's name rather than refused: nothing is read.
        ChildCli float64 = ChildCli.run("inspect", CASES.resolve("bad/float64.pth").toString());
        assertEquals(0, float64.exitCode(), float64.toString());
        assertTrue(float64.out().lines().anyMatch(l -> l.matches("llama_proj\\.weight\\s+torch\\.float64\\s+\\[4, 2]")),
                float64.out());
        assertTrue(float64.out().contains("1 tensors, 8 elements, 64 bytes"), float64.out());
    }
}
