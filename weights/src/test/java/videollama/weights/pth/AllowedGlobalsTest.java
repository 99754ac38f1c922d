package videollama.weights.pth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static videollama.weights.pth.PthFileTest.assertMessage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.weights.WeightsException;

/**
 * The reader is as strict as {@code torch.load(weights_only=True)}: the same globals, and a hostile pickle (one
 * that would run {@code os.system}, {@code eval} or {@code subprocess.Popen} under Python's own unpickler) is
 * refused through every opcode that names or calls a global, naming the global and the file.
 */
class AllowedGlobalsTest {
    @TempDir
    Path dir;

    @Test
    void allowlistIsTorchs() throws IOException {
        Set<String> torch = new TreeSet<>(Files.readAllLines(PthFileTest.DIR.resolve("weights_only_globals.txt")));
        assertEquals(torch, new TreeSet<>(AllowedGlobals.names()));
    }

    /** Protocol-2 pickle text, opcode by opcode. */
    static final class Pickle {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Pickle(int protocol) {
            op(0x80).op(protocol);
        }

        Pickle op(int opcode) {
            bytes.write(opcode);
            return this;
        }

        Pickle global(String module, String name) {
            op('c');
            bytes.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle inst(String module, String name) {
            op('i');
            bytes.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Pickle string(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            op('X');
            bytes.writeBytes(new byte[] {(byte) utf8.length, (byte) (utf8.length >> 8), 0, 0});
            bytes.writeBytes(utf8);
            return this;
        }

        Pickle shortString(String text) {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            op(0x8c).op(utf8.length);
            bytes.writeBytes(utf8);
            return this;
        }

        byte[] stop() {
            op('.');
            return bytes.toByteArray();
        }
    }

    private Path checkpoint(String name, byte[] pickle) throws IOException {
        return Files.write(dir.resolve(name), Archives.zip(Map.of("archive/data.pkl", pickle), (n, data) -> data));
    }

    private void refused(String name, byte[] pickle, String... fragments) throws IOException {
        Path file = checkpoint(name, pickle);
        assertMessage(assertThrows(WeightsException.class, () -> PthFile.open(file).close()), file, fragments);
    }

    @Test
    void globalThenReduce() throws IOException {
        refused("os-system.pth", new Pickle(2).global("os", "system").string("touch /tmp/pwned").op(0x85).op('R')
                .stop(), "global os.system", "weights_only");
        refused("posix-system.pth", new Pickle(2).global("posix", "system").string("id").op(0x85).op('R').stop(),
                "global posix.system");
        refused("eval.pth", new Pickle(2).global("builtins", "eval").string("1+1").op(0x85).op('R').stop(),
                "global builtins.eval");
        // Python 2's module name is read as Python 3's, as torch reads it.
        refused("eval2.pth", new Pickle(2).global("__builtin__", "eval").string("1+1").op(0x85).op('R').stop(),
                "global builtins.eval");
    }

    @Test
    void stackGlobal() throws IOException {
        refused("popen.pth", new Pickle(4).shortString("subprocess").shortString("Popen").op(0x93)
                .shortString("id").op(0x85).op('R').stop(), "global subprocess.Popen");
    }

    @Test
    void instAndObj() throws IOException {
        refused("inst.pth", new Pickle(2).op('(').string("id").inst("subprocess", "Popen").stop(),
                "global subprocess.Popen");
        refused("obj.pth", new Pickle(2).op('(').global("builtins", "eval").string("1").op('o').stop(),
                "global builtins.eval");
        // Even an allowed class may not be made by protocol 1's OBJ: torch.save never writes it.
        refused("obj-allowed.pth", new Pickle(2).op('(').global("collections", "OrderedDict").op('o').stop(),
                "OBJ of global collections.OrderedDict");
        refused("inst-allowed.pth", new Pickle(2).op('(').inst("collections", "OrderedDict").stop(),
                "INST of collections.OrderedDict");
    }

    @Test
    void newObjAndBuild() throws IOException {
        refused("newobj.pth", new Pickle(2).global("argparse", "Namespace").op(')').op(0x81).stop(),
                "global argparse.Namespace");
        refused("newobj-ex.pth", new Pickle(4).shortString("subprocess").shortString("Popen").op(0x93).op(')').op('}')
                .op(0x92).stop(), "global subprocess.Popen");
        // BUILD on a list would call its __setstate__ or update its __dict__ in Python.
        refused("build.pth", new Pickle(2).op(']').op('}').op('b').stop(), "BUILD", "list");
        // A global hidden in BUILD's state is refused where it is named.
        refused("build-state.pth", new Pickle(2).op('}').global("os", "system").op('b').stop(), "global os.system");
    }

    @Test
    void reduceCallsOnlyGlobals() throws IOException {
        refused("reduce-str.pth", new Pickle(2).string("os.system").string("id").op(0x85).op('R').stop(),
                "REDUCE calls a str");
        refused("copyreg.pth", new Pickle(2).global("copy_reg", "_reconstructor").op(')').op('R').stop(),
                "global copyreg._reconstructor");
    }

    @Test
    void allowedContainersStillRead() throws IOException {
        // OrderedDict([("a", 1)]) and Counter({"b": 2}), as protocol 2 writes them.
        Path file = checkpoint("containers.pth", new Pickle(2).op('}')
                .string("o").global("collections", "OrderedDict").op(']').string("a").op('K').op(1).op(0x86)
                .op('a').op(0x85).op('R').op('s')
                .string("c").global("collections", "Counter").op('}').string("b").op('K').op(2).op('s').op(0x85)
                .op('R').op('s').stop());
        try (PthFile pth = PthFile.open(file)) {
            Map<?, ?> root = assertInstanceOf(Map.class, pth.root());
            assertEquals(Map.of("a", 1L), root.get("o"));
            assertEquals(Map.of("b", 2L), root.get("c"));
        }
    }

    @Test
    void quantizedTensorIsRefusedNotDropped() {
        Path file = PthFileTest.DIR.resolveSibling("convert/bad/qint8.pth");
        try (PthFile pth = PthFile.open(file)) {
            assertMessage(assertThrows(WeightsException.class, () -> pth.stateDict("model")), file,
                    "[\"model\"]", "'llama_proj.weight'", "quantized tensor of torch.qint8", "_rebuild_qtensor");
        }
    }

    @Test
    void anythingButATensorInAStateDictIsRefused() throws IOException {
        Path file = checkpoint("int.pth", new Pickle(2).op('}').string("w").op('K').op(3).op('s').stop());
        try (PthFile pth = PthFile.open(file)) {
            assertMessage(assertThrows(WeightsException.class, pth::stateDict), file, "'w' is an int", "not a tensor");
        }
    }
}
