package videollama.app.serve;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The chat page and its lab view at {@code /}: plain HTML, CSS and JavaScript from the jar's {@code web/} folder, no
 * build step and nothing fetched from elsewhere, so the page works offline. Only the files named here are served.
 */
final class WebPage {
    private WebPage() {}

    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "page.css", "text/css; charset=utf-8",
            "chat.js", "text/javascript; charset=utf-8",
            "lab.js", "text/javascript; charset=utf-8");

    static void routes(RoutesConfig routes) {
        routes.get("/", ctx -> send(ctx, "index.html"));
        for (String file : FILES.keySet()) {
            routes.get("/web/" + file, ctx -> send(ctx, file));
        }
    }

    /** Whether {@code path} is one of the page's files, which need no API key (the page asks for it). */
    static boolean isPage(String path) {
        return path.equals("/") || path.startsWith("/web/") && FILES.containsKey(path.substring("/web/".length()));
    }

    private static void send(Context ctx, String file) {
        try (InputStream in = WebPage.class.getResourceAsStream("/web/" + file)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks web/" + file);
            }
            ctx.contentType(FILES.get(file)).result(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
