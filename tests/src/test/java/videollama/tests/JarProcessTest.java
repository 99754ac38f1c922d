package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar in its own JVM, as the launcher runs it: real exit codes, stdout and stderr kept apart. */
class JarProcessTest {
    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {}

    static Result run(String... args) throws IOException, InterruptedException {
        Path jar = TestFiles.root().resolve("app/target/videollama.jar");
        assertTrue(Files.isRegularFile(jar), "the app module packages " + jar + " before this module's tests run");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dvideollama.home=" + TestFiles.root(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        p.getOutputStream().close();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void storyOnStdoutProgressOnStderr() throws Exception {
        Result r = run("generate", "--raw", "--prompt", "Once upon a time", "--temperature", "0", "--max-new-tokens", "40");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Once upon a time"), r.out());
        assertEquals(1, r.out().lines().count(), "the story and nothing else: " + r.out());
        assertTrue(r.err().contains("loading") && r.err().contains("tok/s"), r.err());
    }

    @Test
    void badFileExitsWith1AndOneLine() throws Exception {
        Path bad = tmp.resolve("bad.safetensors");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f, '{'});
        Result r = run("inspect", bad.toString());
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(bad.toString()), r.err());
    }

    @Test
    void usageErrorExitsWith2() throws Exception {
        Result r = run("generate", "--temperature", "hot");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--temperature"), r.err());
    }
}
