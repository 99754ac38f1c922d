package videollama.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
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

    /** An upload as the server encoded it: the request, its soft tokens, stages and step times, the model folder. */
    record Encoded(MediaEncoder.Request request, MediaEncoder.Upload upload, Path modelDir) {}

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

    /**
     * What the lab shows about an upload beside its frames, the same for every answer about it, made without the model
     * (run again on the plain-Java path from the kept stages).
     *
     * @param attention the video queries' maps (null for a sound)
     * @param fbank     a picture per sound clip (null for no sound)
     * @param nanos     how long the attention maps took
     */
    record Media(Encoded encoded, ObjectNode attention, ArrayNode fbank, long nanos) {}

    Media media(Encoded encoded) {
        List<Tensor> dumps = encoded.upload().dumps();
        long start = System.nanoTime();
        ObjectNode attention = null;
        Tensor vit = find(dumps, "vit.out");
        if (vit != null) {
            try (VideoBranch branch = VideoBranch.open(encoded.modelDir())) {
                attention = attention(QueryAttention.of(branch, vit.toFloatArray(), (int) vit.shape()[0]));
            }
        }
        long nanos = System.nanoTime() - start;
        ArrayNode clips = null;
        Tensor fbank = find(dumps, "audio.fbank");
        if (fbank != null) {
            clips = json.createArrayNode();
            float[] values = fbank.toFloatArray();
            for (int c = 0; c < AudioInput.CLIPS; c++) {
                clips.add(Pictures.fbank(values, c * AudioInput.MEL_BINS * AudioInput.TARGET_LENGTH, AudioInput.MEL_BINS,
                        AudioInput.TARGET_LENGTH));
            }
        }
        return new Media(encoded, attention, clips, nanos);
    }

    /**
     * Everything the lab view shows about {@code answer}, a question about {@code media}'s upload whose {@link #frames}
     * are given, with its tokens scored ({@link TokenScores}, in {@code tokenNanos}).
     */
    ObjectNode report(ArrayNode frames, Media media, MediaChat.Answer answer, int hidden, List<TokenScores.Step> tokens,
                      long tokenNanos) {
        MediaEncoder.Upload upload = media.encoded().upload();
        ObjectNode report = json.createObjectNode();
        ArrayNode stages = report.putArray("stages");
        for (Tensor t : upload.dumps()) {
            stage(stages, t.name(), t.shape());
        }
        stage(stages, "prompt.embeds", answer.prompt().length(), hidden);
        ArrayNode times = report.putArray("times");
        for (MediaEncoder.Step step : upload.steps()) {
            time(times, step.name(), step.nanos());
        }
        time(times, "prefill: " + answer.prompt().length() + " positions", answer.generation().prefillNanos());
        time(times, "decoding " + answer.generation().tokens().length + " tokens", answer.generation().decodeNanos());
        if (media.attention() != null) {
            time(times, "lab: both Q-Formers again, with their attention weights (reference path)", media.nanos());
        }
        time(times, "lab: scoring the answer's " + tokens.size() + " tokens again", tokenNanos);
        report.set("frames", frames);
        report.set("attention", media.attention());
        report.set("fbank", media.fbank());
        report.set("tokens", json.valueToTree(tokens));
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
