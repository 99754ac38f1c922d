package videollama.app.serve;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code POST /v1/chat/completions} body, checked: OpenAI's chat format with vLLM's {@code video_url} part, the
 * reference demo's sampling extensions ({@code top_k}, {@code num_beams}, {@code repetition_penalty}), and the one
 * upload a Video-LLaMA conversation is about. Everything a request can get wrong is refused here, before it waits for
 * the model, as an {@link ApiError} naming the field.
 *
 * @param system   the system message, or null for the one the reference demo sets for the upload's kind
 * @param media    the conversation's one video, image or sound
 * @param answered the earlier turns (question, answer), in order
 * @param question the last user message's text, to be answered
 * @param seed     null: a fresh one per request
 * @param stop      the request's own stop strings
 * @param minTokens no end of the answer before this many tokens (vLLM's {@code min_tokens})
 */
record ChatRequest(String model, String system, Media media, List<Turn> answered, String question, float temperature,
                   float topP, int topK, int maxTokens, Long seed, List<String> stop, int numBeams, float repetitionPenalty,
                   int minTokens, boolean stream, boolean includeUsage) {

    /** What the upload is: a video heard too ({@code use_audio_in_video}, the demo's Audio box) is VIDEO_WITH_AUDIO. */
    enum Kind { VIDEO, VIDEO_WITH_AUDIO, IMAGE, SOUND }

    record Media(Kind kind, Path file) {}

    record Turn(String question, String answer) {}

    /** Most beams, as the command line's --num-beams takes. */
    static final int MAX_BEAMS = videollama.app.SamplingOptions.MAX_BEAMS;

    /** @param root the folder whose files requests may name (--media-root), or null: uploads only */
    static ChatRequest parse(JsonNode body, MediaCache cache, MediaRoot root) {
        if (body == null || !body.isObject()) {
            throw ApiError.invalid(null, "invalid_json", "the request body must be a JSON object");
        }
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiError.invalid("messages", "missing_messages", "messages: a non-empty array of messages is required");
        }
        if (body.has("n") && body.get("n").asInt(-1) != 1) {
            throw ApiError.invalid("n", "unsupported", "n: one choice per request");
        }
        String system = null;
        Media media = null;
        List<Turn> answered = new ArrayList<>();
        String pending = null;
        for (int i = 0; i < messages.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode message = messages.get(i);
            if (!message.isObject()) {
                throw ApiError.invalid(at, "invalid_message", at + ": a message must be an object");
            }
            String role = text(message, "role", at + ".role", true);
            JsonNode content = message.get("content");
            switch (role) {
                case "system", "developer" -> {
                    if (i != 0) {
                        throw ApiError.invalid(at + ".role", "invalid_message", at + ": a system message comes first");
                    }
                    system = plainText(content, at + ".content");
                }
                case "user" -> {
                    if (pending != null) {
                        throw ApiError.invalid(at + ".role", "invalid_message", at + ": two user messages in a row (each "
                                + "question but the last needs the assistant's answer after it)");
                    }
                    StringBuilder question = new StringBuilder();
                    Media attached = userContent(content, at + ".content", question, cache, root);
                    if (attached != null) {
                        if (media != null || !answered.isEmpty()) {
                            throw ApiError.invalid(at + ".content", "one_upload", at + ": a conversation is about one video, "
                                    + "image or sound, in its first user message");
                        }
                        media = attached;
                    }
                    pending = question.toString();
                }
                case "assistant" -> {
                    if (pending == null) {
                        throw ApiError.invalid(at + ".role", "invalid_message", at + ": an assistant message answers a user message");
                    }
                    answered.add(new Turn(pending, plainText(content, at + ".content")));
                    pending = null;
                }
                default -> throw ApiError.invalid(at + ".role", "invalid_role", at + ".role: '" + role
                        + "' is not one of system, user, assistant");
            }
        }
        if (pending == null) {
            throw ApiError.invalid("messages", "invalid_message", "messages: the last message must be the user's question");
        }
        if (pending.isBlank()) {
            throw ApiError.invalid("messages", "missing_question", "messages: the last user message has no text to answer");
        }
        if (media == null) {
            throw ApiError.invalid("messages", "missing_media", "messages: Video-LLaMA answers about a video (video_url), an "
                    + "image (image_url) or a sound (input_audio) in the first user message; none was given");
        }
        if (bool(body, "use_audio_in_video")) { // vLLM's name for it; the reference demo's Audio box
            if (media.kind() != Kind.VIDEO) {
                throw ApiError.invalid("use_audio_in_video", "invalid_value", "use_audio_in_video: only a video_url has a sound track");
            }
            media = new Media(Kind.VIDEO_WITH_AUDIO, media.file());
        }
        float temperature = (float) number(body, "temperature", 1.0, 0, 100);
        float topP = (float) number(body, "top_p", 0.9, Double.MIN_VALUE, 1);
        int topK = (int) integer(body, "top_k", 50, 0, Integer.MAX_VALUE);
        int maxTokens = (int) integer(body, body.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens", 300, 0,
                Integer.MAX_VALUE);
        Long seed = body.hasNonNull("seed") ? integer(body, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE) : null;
        int numBeams = (int) integer(body, "num_beams", 1, 1, MAX_BEAMS);
        float repetitionPenalty = (float) number(body, "repetition_penalty", 1.0, Double.MIN_VALUE, 1e6);
        int minTokens = (int) integer(body, "min_tokens", 0, 0, maxTokens);
        boolean stream = bool(body, "stream");
        JsonNode options = body.get("stream_options");
        boolean includeUsage = options != null && options.isObject() && bool(options, "include_usage");
        return new ChatRequest(body.hasNonNull("model") ? text(body, "model", "model", true) : null, system, media,
                List.copyOf(answered), pending, temperature, topP, topK, maxTokens, seed, stop(body.get("stop")), numBeams,
                repetitionPenalty, minTokens, stream, includeUsage);
    }

    /** A user message's content: its text parts joined into {@code question}, its media part (or null). */
    private static Media userContent(JsonNode content, String at, StringBuilder question, MediaCache cache, MediaRoot root) {
        if (content != null && content.isTextual()) {
            question.append(content.textValue());
            return null;
        }
        if (content == null || !content.isArray()) {
            throw ApiError.invalid(at, "invalid_content", at + ": a string or an array of content parts");
        }
        Media media = null;
        for (int i = 0; i < content.size(); i++) {
            String pat = at + "[" + i + "]";
            JsonNode part = content.get(i);
            if (!part.isObject()) {
                throw ApiError.invalid(pat, "invalid_content", pat + ": a content part must be an object");
            }
            String type = text(part, "type", pat + ".type", true);
            Media found = switch (type) {
                case "text" -> {
                    question.append(question.isEmpty() ? "" : " ").append(text(part, "text", pat + ".text", true));
                    yield null;
                }
                case "image_url" -> new Media(Kind.IMAGE, file(url(part, "image_url", pat), pat + ".image_url.url", cache, root));
                case "video_url" -> new Media(Kind.VIDEO, file(url(part, "video_url", pat), pat + ".video_url.url", cache, root));
                case "input_audio" -> {
                    JsonNode audio = object(part, "input_audio", pat);
                    String format = text(audio, "format", pat + ".input_audio.format", true).toLowerCase(Locale.ROOT);
                    if (!format.matches("[a-z0-9]{1,8}")) {
                        throw ApiError.invalid(pat + ".input_audio.format", "invalid_format", pat
                                + ".input_audio.format: a file format such as wav or mp3");
                    }
                    yield new Media(Kind.SOUND, cache.base64(text(audio, "data", pat + ".input_audio.data", true), format,
                            pat + ".input_audio.data"));
                }
                default -> throw ApiError.invalid(pat + ".type", "invalid_content", pat + ".type: '" + type
                        + "' is not one of text, image_url, video_url, input_audio");
            };
            if (found != null) {
                if (media != null) {
                    throw ApiError.invalid(pat, "one_upload", pat + ": one video, image or sound per conversation");
                }
                media = found;
            }
        }
        return media;
    }

    /** The file a media URL names: a data URL's bytes, or (with a media root) a file inside the root. */
    private static Path file(String url, String param, MediaCache cache, MediaRoot root) {
        return root == null || url.regionMatches(true, 0, "data:", 0, 5) ? cache.dataUrl(url, param) : root.resolve(url, param);
    }

    /** A system or assistant message's text: a string or text parts. */
    private static String plainText(JsonNode content, String at) {
        if (content != null && content.isTextual()) {
            return content.textValue();
        }
        if (content == null || !content.isArray()) {
            throw ApiError.invalid(at, "invalid_content", at + ": a string or an array of text parts");
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String pat = at + "[" + i + "]";
            if (!part.isObject() || !"text".equals(part.path("type").textValue())) {
                throw ApiError.invalid(pat, "invalid_content", pat + ": only text parts here");
            }
            text.append(text.isEmpty() ? "" : " ").append(text(part, "text", pat + ".text", true));
        }
        return text.toString();
    }

    private static String url(JsonNode part, String field, String at) {
        JsonNode holder = part.get(field);
        if (holder != null && holder.isTextual()) {
            return holder.textValue(); // {"image_url": "data:..."}, as some clients send it
        }
        return text(object(part, field, at), "url", at + "." + field + ".url", true);
    }

    private static JsonNode object(JsonNode node, String field, String at) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw ApiError.invalid(at + "." + field, "invalid_content", at + "." + field + ": an object is required");
        }
        return value;
    }

    private static String text(JsonNode node, String field, String param, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (required) {
                throw ApiError.invalid(param, "missing_field", param + ": required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalid(param, "invalid_type", param + ": a string is required");
        }
        return value.textValue();
    }

    private static double number(JsonNode body, String field, double otherwise, double min, double max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isNumber() || !(value.asDouble() >= min && value.asDouble() <= max)) {
            throw ApiError.invalid(field, "invalid_value", field + ": a number from " + min + " to " + max + ", got " + value);
        }
        return value.asDouble();
    }

    private static long integer(JsonNode body, String field, long otherwise, long min, long max) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return otherwise;
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
            throw ApiError.invalid(field, "invalid_value", field + ": an integer from " + min + " to " + max + ", got " + value);
        }
        return value.asLong();
    }

    private static boolean bool(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiError.invalid(field, "invalid_type", field + ": true or false");
        }
        return value.asBoolean();
    }

    private static List<String> stop(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode s : stop.isArray() ? stop : List.of(stop)) {
            if (!s.isTextual() || s.textValue().isEmpty()) {
                throw ApiError.invalid("stop", "invalid_value", "stop: a non-empty string or an array of them");
            }
            strings.add(s.textValue());
        }
        return strings;
    }
}
