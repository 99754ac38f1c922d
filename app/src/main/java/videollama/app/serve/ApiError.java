package videollama.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A refused request, answered as OpenAI's API answers one: its HTTP status and
 * {@code {"error":{"message","type","param","code"}}}. Thrown anywhere below a route; the server turns it into the
 * response, so no bad request ever becomes a 500 or shows a stack trace.
 *
 * @param status HTTP status (4xx for the client's mistakes)
 * @param type   OpenAI's error type: invalid_request_error, authentication_error, ...
 * @param param  the request field at fault ("messages[1].content[0].image_url.url"), or null
 * @param code   a short machine-readable name ("invalid_json", "queue_full"), or null
 */
public final class ApiError extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    public ApiError(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** A 400 invalid_request_error about {@code param}. */
    static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, "invalid_request_error", param, code, message);
    }

    public int status() {
        return status;
    }

    /** The response body. */
    ObjectNode body(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
