package videollama.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.concurrent.locks.ReentrantLock;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.model.chat.MediaChat;

/**
 * The lab view's endpoints over the server's last answer: {@code GET /v1/lab/frames}, the frames of the conversation's
 * upload with their timestamps (the chat page shows them), and {@code GET /v1/lab}, everything {@link LabReport} says
 * about the last answer. The server tells it what it encoded and answered; the reports are made when first asked
 * for, under the server's model lock (they run the model's parts again), and kept until the next answer.
 */
final class LabView {
    private final ChatSession session;
    private final ReentrantLock model;
    private final ObjectMapper json;
    private final LabReport reports;
    // guarded by the model lock, as the session is
    private LabReport.Encoded upload;
    private MediaChat.Answer answer;
    private String report;
    private ArrayNode frames;

    LabView(ChatSession session, ReentrantLock model, ObjectMapper json) {
        this.session = session;
        this.model = model;
        this.json = json;
        this.reports = new LabReport(json);
    }

    void routes(RoutesConfig routes) {
        routes.get("/v1/lab/frames", ctx -> respond(ctx, true));
        routes.get("/v1/lab", ctx -> respond(ctx, false));
    }

    /** The conversation's upload, as the session encoded it (or kept it); call under the model lock. */
    void uploaded(MediaEncoder.Request request, MediaEncoder.Upload encoded) {
        upload = new LabReport.Encoded(request, encoded);
        answer = null;
        report = null;
        frames = null;
    }

    /** The answer the server just gave in the conversation about the last upload; call under the model lock. */
    void answered(MediaChat.Answer given) {
        answer = given;
        report = null;
    }

    private void respond(Context ctx, boolean framesOnly) throws InterruptedException {
        model.lockInterruptibly();
        String body;
        try {
            if (upload == null || !framesOnly && answer == null) {
                throw new ApiError(404, "invalid_request_error", null, "nothing_to_show", framesOnly
                        ? "no upload yet: the lab shows the conversation's video, image or sound after its first question"
                        : "no answer yet: the lab shows the last answer, after a question");
            }
            if (frames == null) {
                frames = reports.frames(upload.request()); // the file is read again: once per upload
            }
            if (framesOnly) {
                body = json.createObjectNode().set("frames", frames).toString();
            } else {
                if (report == null) {
                    report = reports.report(session, upload, frames, answer).toString();
                }
                body = report;
            }
        } finally {
            model.unlock();
        }
        ctx.contentType("application/json").result(body);
    }
}
