package videollama.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.model.chat.MediaChat;

/**
 * The lab view's endpoints over the server's last answer: {@code GET /v1/lab/frames}, the frames of the conversation's
 * upload with their timestamps (the chat page shows them), and {@code GET /v1/lab}, everything {@link LabReport} says
 * about the last answer. The server tells it what it encoded and answered. What the lab computes is made when first
 * asked for and kept: per upload the frames (read again from the file), the attention maps and the fbank pictures,
 * made without the model (the attention maps take minutes on a small CPU at the released sizes, and questions go on
 * meanwhile); per answer its tokens' scores, in the model's turn (they run the LLaMA again).
 */
final class LabView {
    private final ChatSession session;
    private final ReentrantLock model;
    private final ObjectMapper json;
    private final LabReport reports;
    /** One lab computation at a time: a second request waits, then finds the first one's result. */
    private final Object computing = new Object();
    // guarded by the model lock, as the session is
    private LabReport.Encoded upload;
    private MediaChat.Answer answer;
    // guarded by computing: what was made, and for which upload or answer
    private LabReport.Encoded framesFor;
    private ArrayNode frames;
    private LabReport.Media media;
    private MediaChat.Answer reported;
    private String report;

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
        upload = new LabReport.Encoded(request, encoded, session.llama().dir()); // the model folder the session loaded
        answer = null;
    }

    /** The answer the server just gave in the conversation about the last upload; call under the model lock. */
    void answered(MediaChat.Answer given) {
        answer = given;
    }

    private void respond(Context ctx, boolean framesOnly) throws InterruptedException {
        String body;
        synchronized (computing) {
            LabReport.Encoded heldUpload;
            MediaChat.Answer heldAnswer;
            model.lockInterruptibly();
            try {
                heldUpload = upload;
                heldAnswer = answer;
            } finally {
                model.unlock();
            }
            if (heldUpload == null || !framesOnly && heldAnswer == null) {
                throw new ApiError(404, "invalid_request_error", null, "nothing_to_show", framesOnly
                        ? "no upload yet: the lab shows the conversation's video, image or sound after its first question"
                        : "no answer yet: the lab shows the last answer, after a question");
            }
            if (framesFor != heldUpload) {
                frames = reports.frames(heldUpload.request()); // the file read again: once per upload
                framesFor = heldUpload;
            }
            if (framesOnly) {
                body = json.createObjectNode().set("frames", frames).toString();
            } else {
                if (media == null || media.encoded() != heldUpload) {
                    media = reports.media(heldUpload);
                }
                if (reported != heldAnswer) {
                    report = report(heldAnswer);
                    reported = heldAnswer;
                }
                body = report;
            }
        }
        ctx.contentType("application/json").result(body);
    }

    /** The report on {@code given}, its tokens scored in the model's turn. */
    private String report(MediaChat.Answer given) throws InterruptedException {
        List<TokenScores.Step> tokens;
        long start;
        model.lockInterruptibly();
        try {
            start = System.nanoTime();
            tokens = TokenScores.of(session.llama(), session.backend(), given.prompt(), given.generation().tokens());
        } finally {
            model.unlock();
        }
        long nanos = System.nanoTime() - start;
        return reports.report(frames, media, given, session.llama().config().hiddenSize(), tokens, nanos).toString();
    }
}
