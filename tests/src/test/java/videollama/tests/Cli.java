package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import videollama.app.Main;

/** Runs the command line in this JVM and captures what it printed. */
record Cli(int exitCode, String out, String err) {

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.execute(args, o, e);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * Asserts a failed run: exit {@code code}, nothing on stdout, and one line on stderr starting "videollama: " that
     * names each of {@code mentions} (the file, tensor or flag at fault), with no stack trace.
     */
    static void assertFailure(Cli run, int code, String... mentions) {
        assertEquals(code, run.exitCode(), run.toString());
        assertEquals("", run.out(), "nothing on stdout");
        String line = run.lastErrLine();
        assertTrue(line.startsWith("videollama: "), run.toString());
        for (String m : mentions) {
            assertTrue(line.contains(m), "'" + m + "' in: " + line);
        }
        assertFalse(run.err().contains("\tat "), "no stack trace: " + run.err());
    }

    /** The last line of stderr: where an error message goes. */
    String lastErrLine() {
        String[] lines = err.strip().split("\n");
        return lines[lines.length - 1];
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
}
