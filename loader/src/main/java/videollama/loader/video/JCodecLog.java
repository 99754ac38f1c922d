package videollama.loader.video;

import org.jcodec.common.logging.LogLevel;
import org.jcodec.common.logging.Logger;

/**
 * JCodec's log silenced. JCodec 0.2.5 prints through its own {@link Logger}, whose default sink writes to
 * {@code System.out}, the answer's channel: "Broken atom" for a damaged box, "IPCM macroblock found" for valid
 * H.264. What matters in those is told by the loader itself (a damaged file is refused naming it), so the lines are
 * dropped: a sink that discards them takes the default's place, and the level is set to {@code ERROR}, which that
 * Logger treats as "nothing" (it drops every message at or below its level) in case something logged first.
 */
public final class JCodecLog {
    static {
        Logger.setLevel(LogLevel.ERROR);
        try {
            Logger.addSink(message -> { });
        } catch (IllegalStateException alreadyStarted) {
            // a message went out before this class loaded; the level keeps the rest away
        }
    }

    private JCodecLog() {}

    /** Makes sure JCodec's log is silenced (the first call does it). */
    public static void silence() {
        // the static initializer has run
    }
}
