package videollama.tests;

import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import videollama.app.BackendChoice;
import videollama.app.ChatSession;
import videollama.app.serve.ChatServer;
import videollama.kernels.reference.ReferenceBackend;
import videollama.loader.MediaDecoder;

/** {@code videollama serve} as the web tests start it: the bundled demo model on the reference path, a free loopback port. */
record DemoServer(ChatSession session, ChatServer server) implements AutoCloseable {

    static Path model() {
        return TestFiles.root().resolve("models/videollama-demo");
    }

    /** The bundled video, with a sound track. */
    static Path video() {
        return model().resolve("stream-of-water.mp4");
    }

    /** A session over the demo model, its messages to {@code log}. */
    static ChatSession session(Writer log) {
        return ChatSession.open(model(), new BackendChoice(new ReferenceBackend(), "backend: reference (test)"), null, null,
                false, new PrintWriter(log, true));
    }

    static DemoServer start(Writer log) {
        return start(log, null);
    }

    /** A server whose every request but the page and /health must carry {@code key} (null: none). */
    static DemoServer start(Writer log, String key) {
        return start(log, key, 64 << 20);
    }

    /** A server that also refuses uploads larger than {@code maxUpload} bytes. */
    static DemoServer start(Writer log, String key, long maxUpload) {
        ChatSession session = session(log);
        try {
            return new DemoServer(session, ChatServer.start(session, MediaDecoder.preferred(), "videollama-demo",
                    new ChatServer.Options("127.0.0.1", 0, key, maxUpload, 2), new PrintWriter(log, true)));
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.port() + path;
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            session.close();
        }
    }
}
