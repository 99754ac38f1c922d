package videollama.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import videollama.app.ChatSession;
import videollama.app.MediaEncoder;
import videollama.loader.PythonFloats;
import videollama.loader.SampledFrames;
import videollama.loader.audio.AudioInput;
import videollama.loader.image.ImageLoader;
import videollama.loader.video.VideoLoader;
import videollama.model.chat.MediaChat;
import videollama.model.videollama.QueryAttention;
import videollama.model.videollama.VideoBranch;
import videollama.weights.Tensor;

/**
 * The lab view's data for one answer, as JSON: every stage the {@code --dump} machinery keeps with its shape and the
 * times measured, the sampled frames with their timestamps, each video query's attention over the frames' patches
 * ({@link QueryAttention}), the sound clips' fbank as pictures, and each answer token's top-5 next-token probabilities
 * ({@link TokenScores}). What the encoders do not keep is computed here, when the lab asks, never on the normal path.
 */
final class LabReport {
    private final ObjectMapper json;

    LabReport(ObjectMapper json) {
        this.json = json;
    }

    /** An upload as the server encoded it: the request, and its soft tokens, stages and step times. */
    record Encoded(MediaEncoder.Request request, MediaEncoder.Upload upload) {}

    /** The frames an upload's vision branch saw (none for a sound), read again from its file: [{seconds, picture}]. */
    ArrayNode frames(MediaEncoder.Request request) {
        ArrayNode list = json.createArrayNode();
        SampledFrames frames = request.video() != null ? VideoLoader.load(request.video(), request.frames(), request.decoder())
                : request.image() != null ? ImageLoader.load(request.image()) : null;
        for (int f = 0; frames != null && f < frames.count(); f++) {
            ObjectNode frame = list.addObject();
            if (request.video() != null) {
                // the time as the prompt's timestamp sentence states it (docs/model.md section 5.1)
                frame.put("seconds", PythonFloats.repr(PythonFloats.round(frames.indices()[f] / frames.fps(), 1)));
                frame.put("index", frames.indices()[f]);
            }
            frame.put("picture", Pictures.frame(frames.rgb(), f, SampledFrames.SIZE));
        }
        return list;
    }

    /** Everything the lab view shows about {@code answer} to a question about {@code encoded}, whose {@link #frames} are given. */
    ObjectNode report(ChatSession session, Encoded encoded, ArrayNode frames, MediaChat.Answer answer) {
        ObjectNode report = json.createObjectNode();
        ArrayNode stages = report.putArray("stages");
        for (Tensor t : encoded.upload().dumps()) {
            stage(stages, t.name(), t.shape());
        }
        stage(stages, "prompt.embeds", answer.prompt().length(), session.llama().config().hiddenSize());
        ArrayNode times = report.putArray("times");
        for (MediaEncoder.Step step : encoded.upload().steps()) {
            time(times, step.name(), step.nanos());
        }
        time(times, "prefill: " + answer.prompt().length() + " positions", answer.generation().prefillNanos());
        time(times, "decoding " + answer.generation().tokens().length + " tokens", answer.generation().decodeNanos());
        report.set("frames", frames);
        Tensor vit = find(encoded.upload().dumps(), "vit.out");
        if (vit != null) {
            long start = System.nanoTime();
            try (VideoBranch branch = VideoBranch.open(session.llama().dir())) { // the model folder the session loaded
                report.set("attention", attention(QueryAttention.of(branch, vit.toFloatArray(), (int) vit.shape()[0])));
            }
            time(times, "lab: both Q-Formers again, with their attention weights (reference path)", System.nanoTime() - start);
        }
        Tensor fbank = find(encoded.upload().dumps(), "audio.fbank");
        if (fbank != null) {
            ArrayNode clips = report.putArray("fbank");
            float[] values = fbank.toFloatArray();
            for (int c = 0; c < AudioInput.CLIPS; c++) {
                clips.add(Pictures.fbank(values, c * AudioInput.MEL_BINS * AudioInput.TARGET_LENGTH, AudioInput.MEL_BINS,
                        AudioInput.TARGET_LENGTH));
            }
        }
        long start = System.nanoTime();
        List<TokenScores.Step> steps = TokenScores.of(session.llama(), session.backend(), answer.prompt(),
                answer.generation().tokens());
        time(times, "lab: scoring the answer's " + steps.size() + " tokens again", System.nanoTime() - start);
        report.set("tokens", json.valueToTree(steps));
        return report;
    }

    /**
     * Per video query: its share of attention per frame, and per frame its patch map scaled to the query's greatest
     * patch weight (so each query uses the whole colour scale), rounded to 3 digits.
     */
    private ObjectNode attention(QueryAttention a) {
        ObjectNode node = json.createObjectNode().put("patchSide", a.patchSide()).put("frames", a.frames());
        ArrayNode queries = node.putArray("queries");
        for (int q = 0; q < a.videoQueries(); q++) {
            float[][] maps = new float[a.frames()][];
            float max = 1e-12f;
            for (int f = 0; f < a.frames(); f++) {
                maps[f] = a.patches(q, f);
                for (float v : maps[f]) {
                    max = Math.max(max, v);
                }
            }
            ObjectNode query = queries.addObject();
            ArrayNode shares = query.putArray("frameShare");
            ArrayNode patchMaps = query.putArray("maps");
            for (int f = 0; f < a.frames(); f++) {
                shares.add(round(a.frameShare(q, f)));
                ArrayNode map = patchMaps.addArray();
                for (float v : maps[f]) {
                    map.add(round(v / max));
                }
            }
        }
        return node;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static void stage(ArrayNode stages, String name, long... shape) {
        ObjectNode stage = stages.addObject().put("name", name);
        ArrayNode dims = stage.putArray("shape");
        for (long d : shape) {
            dims.add(d);
        }
    }

    private static void time(ArrayNode times, String what, long nanos) {
        times.addObject().put("what", what).put("ms", Math.round(nanos / 1e4) / 100.0);
    }

    private static Tensor find(List<Tensor> tensors, String name) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
