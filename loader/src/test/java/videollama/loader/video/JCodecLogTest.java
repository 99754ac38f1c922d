package videollama.loader.video;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.jcodec.common.logging.Logger;
import org.junit.jupiter.api.Test;

/** JCodec's log, whose default sink is {@code System.out}, prints nothing once silenced. */
class JCodecLogTest {
    @Test
    void nothingReachesStdout() {
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JCodecLog.silence();
            Logger.error("Broken atom of size 3");
            Logger.warn("IPCM macroblock found. Not tested, may cause unpredictable behavior.");
            Logger.info("info");
        } finally {
            System.setOut(stdout);
        }
        assertEquals("", captured.toString(StandardCharsets.UTF_8));
    }
}
