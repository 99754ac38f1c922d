package videollama.model.videollama;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.stream.Collectors;
import videollama.model.ModelException;
import videollama.model.audio.AudioEncoderSettings;
import videollama.model.qformer.QFormerSettings;
import videollama.model.vision.EvaVitSettings;
import videollama.weights.SmallFile;

/**
 * What a Video-LLaMA model folder's weights cannot tell: heads, LayerNorm eps, the number of frames and the chat
 * template, from the optional {@code videollama.json} beside the weights (README, {@code chat}). Every field is
 * optional and defaults to the released model's value (the reference's eval configs), so the released weights need no such
 * file and a small test model sets only what differs:
 *
 * <pre>
 * {"vision":        {"heads": 16, "layer_norm_eps": 1e-6, "image_size": 224, "patch_size": 14,
 *                    "ln_vision_eps": 1e-5, "max_blocks": 39},
 *  "qformer":       {"heads": 12, "layer_norm_eps": 1e-12},
 *  "video_qformer": {"heads": 12, "layer_norm_eps": 1e-12},
 *  "audio_encoder": {"heads": 12, "layer_norm_eps": 1e-6, "stem_layer_norm_eps": 1e-5, "logit_scale": 20.0},
 *  "audio_qformer": {"heads": 12, "layer_norm_eps": 1e-12},
 *  "frames": 8,
 *  "template": "llama2"}
 * </pre>
 *
 * An unknown field is an error (a misspelt {@code "haeds"} must not silently leave the default in force).
 * {@code vision.image_size} and {@code vision.patch_size}, when given, are checked against the weights, which
 * define them otherwise; {@code vision.max_blocks} caps the ViT's depth (see {@link EvaVitSettings}).
 *
 * @param lnVisionEps eps of {@code ln_vision} (1e-5)
 * @param frames      frames sampled from a video (8); the command line may override it
 * @param template    {@code "llama2"} or {@code "vicuna"}; null: chosen from the vocabulary (32001 → vicuna)
 */
public record VideoLlamaConfig(
        EvaVitSettings vision,
        float lnVisionEps,
        QFormerSettings qformer,
        QFormerSettings videoQformer,
        AudioEncoderSettings audioEncoder,
        QFormerSettings audioQformer,
        int frames,
        String template) {

    /** Most frames a video may give: the released {@code video_frame_position_embedding} has 32 rows. */
    public static final int MAX_FRAMES = 32;

    /** The file name looked for in a model folder. */
    public static final String FILE_NAME = "videollama.json";

    /** The released Video-LLaMA: what a folder without {@code videollama.json} gets. */
    public static final VideoLlamaConfig RELEASED = new VideoLlamaConfig(EvaVitSettings.RELEASED, 1e-5f,
            QFormerSettings.RELEASED, QFormerSettings.RELEASED, AudioEncoderSettings.RELEASED, QFormerSettings.RELEASED, 8, null);

    public VideoLlamaConfig {
        Objects.requireNonNull(vision, "vision");
        Objects.requireNonNull(qformer, "qformer");
        Objects.requireNonNull(videoQformer, "videoQformer");
        Objects.requireNonNull(audioEncoder, "audioEncoder");
        Objects.requireNonNull(audioQformer, "audioQformer");
        if (template != null && !TEMPLATES.contains(template)) {
            throw new IllegalArgumentException("template '" + template + "'");
        }
    }

    private static final List<String> TEMPLATES = List.of("llama2", "vicuna");

    /** {@code DIR/videollama.json} if the folder has one, else {@link #RELEASED}. */
    public static VideoLlamaConfig load(Path modelDir) {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return RELEASED;
        }
        return parse(SmallFile.readText(file, SmallFile.CONFIG_BYTES, "a videollama.json"), file.toString());
    }

    /** Parses the text of a {@code videollama.json}; {@code file} names it in every error. */
    public static VideoLlamaConfig parse(String json, String file) {
        FileRoot root;
        try {
            root = MAPPER.readValue(json, FileRoot.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new ModelException(file + ": unknown field '" + path(e) + "' (known here: " + known + ")");
        } catch (MismatchedInputException e) {
            String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            if (message.startsWith("No content")) {
                throw new ModelException(file + ": empty (expected a JSON object)");
            }
            if (message.startsWith("Trailing token")) {
                throw new ModelException(file + ": more content after the JSON object");
            }
            String where = path(e);
            throw new ModelException(file + ": " + (where.isEmpty() ? "expected a JSON object"
                    : "field '" + where + "' must be " + typeName(e.getTargetType())));
        } catch (JsonMappingException e) {
            throw new ModelException(file + ": " + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ModelException(file + ": not valid JSON" + position + ": " + firstLine(e.getOriginalMessage()));
        }
        if (root == null) {
            throw new ModelException(file + ": empty (expected a JSON object)");
        }
        return root.resolve(new Checks(file));
    }

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class) {
            return "an integer";
        }
        if (type == Double.class) {
            return "a number";
        }
        return type == String.class ? "a string" : "a JSON object";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // ---- the file as written: every field optional (null = the released value) ---------------------------------

    private record FileRoot(
            FileVision vision,
            FileQFormer qformer,
            @JsonProperty("video_qformer") FileQFormer videoQformer,
            @JsonProperty("audio_encoder") FileAudioEncoder audioEncoder,
            @JsonProperty("audio_qformer") FileQFormer audioQformer,
            Integer frames,
            String template) {

        VideoLlamaConfig resolve(Checks c) {
            VideoLlamaConfig d = RELEASED;
            FileVision v = vision != null ? vision : new FileVision(null, null, null, null, null, null);
            EvaVitSettings vit = new EvaVitSettings(
                    c.positive("vision.heads", v.heads, d.vision.heads()),
                    c.number("vision.layer_norm_eps", v.layerNormEps, d.vision.layerNormEps()),
                    v.imageSize == null ? OptionalInt.empty() : OptionalInt.of(c.positive("vision.image_size", v.imageSize, 0)),
                    v.patchSize == null ? OptionalInt.empty() : OptionalInt.of(c.positive("vision.patch_size", v.patchSize, 0)),
                    c.positive("vision.max_blocks", v.maxBlocks, d.vision.maxBlocks()));
            float lnVisionEps = c.number("vision.ln_vision_eps", v.lnVisionEps, d.lnVisionEps);
            FileAudioEncoder a = audioEncoder != null ? audioEncoder : new FileAudioEncoder(null, null, null, null);
            AudioEncoderSettings audio = new AudioEncoderSettings(
                    c.positive("audio_encoder.heads", a.heads, d.audioEncoder.heads()),
                    c.number("audio_encoder.layer_norm_eps", a.layerNormEps, d.audioEncoder.layerNormEps()),
                    c.number("audio_encoder.stem_layer_norm_eps", a.stemLayerNormEps, d.audioEncoder.stemLayerNormEps()),
                    c.number("audio_encoder.logit_scale", a.logitScale, d.audioEncoder.logitScale()));
            if (template != null && !TEMPLATES.contains(template)) {
                throw new ModelException(c.file + ": template '" + template + "' is not one of " + String.join(", ", TEMPLATES));
            }
            return new VideoLlamaConfig(vit, lnVisionEps,
                    qformer("qformer", qformer, c), qformer("video_qformer", videoQformer, c), audio,
                    qformer("audio_qformer", audioQformer, c),
                    c.frames(frames, d.frames), template);
        }

        private static QFormerSettings qformer(String section, FileQFormer q, Checks c) {
            QFormerSettings d = QFormerSettings.RELEASED;
            if (q == null) {
                return d;
            }
            return new QFormerSettings(c.positive(section + ".heads", q.heads, d.heads()),
                    c.number(section + ".layer_norm_eps", q.layerNormEps, d.layerNormEps()));
        }
    }

    private record FileVision(
            Integer heads,
            @JsonProperty("layer_norm_eps") Double layerNormEps,
            @JsonProperty("image_size") Integer imageSize,
            @JsonProperty("patch_size") Integer patchSize,
            @JsonProperty("ln_vision_eps") Double lnVisionEps,
            @JsonProperty("max_blocks") Integer maxBlocks) {}

    private record FileQFormer(Integer heads, @JsonProperty("layer_norm_eps") Double layerNormEps) {}

    private record FileAudioEncoder(
            Integer heads,
            @JsonProperty("layer_norm_eps") Double layerNormEps,
            @JsonProperty("stem_layer_norm_eps") Double stemLayerNormEps,
            @JsonProperty("logit_scale") Double logitScale) {}

    /** Range checks with messages naming the file and the field. */
    private record Checks(String file) {
        int positive(String field, Integer value, int fallback) {
            if (value == null) {
                return fallback;
            }
            if (value < 1) {
                throw new ModelException(file + ": " + field + " must be a positive integer, got " + value);
            }
            return value;
        }

        /** The file's frame count, checked here so that a bad one is blamed on the file, not on --frames. */
        int frames(Integer value, int fallback) {
            int n = positive("frames", value, fallback);
            if (n > MAX_FRAMES) {
                throw new ModelException(file + ": frames " + n + " must be between 1 and " + MAX_FRAMES
                        + " (the frame position embedding has " + MAX_FRAMES + " rows)");
            }
            return n;
        }

        float number(String field, Double value, float fallback) {
            if (value == null) {
                return fallback;
            }
            float f = value.floatValue();
            if (!(f > 0) || !Float.isFinite(f)) {
                throw new ModelException(file + ": " + field + " must be a positive number, got " + value);
            }
            return f;
        }
    }
}
