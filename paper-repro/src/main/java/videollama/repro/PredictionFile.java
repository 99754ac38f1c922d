package videollama.repro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import videollama.app.Errors;

/**
 * A {@code predictions.jsonl} file: one {@link Prediction} a line, appended as each question is answered, so that a
 * run that is killed loses at most the line it was writing. {@link #read} takes the complete lines and ignores a last
 * line cut short by such a kill; any other line that is not a prediction is an error naming the file and line.
 */
public final class PredictionFile implements AutoCloseable {
    /** How eval's files are read and written: snake-case field names, unknown fields ignored (a later version's). */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final BufferedWriter writer;

    private PredictionFile(BufferedWriter writer) {
        this.writer = writer;
    }

    /** Opens {@code file} for appending, creating it if needed. */
    public static PredictionFile append(Path file) throws IOException {
        return new PredictionFile(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /** Writes one prediction as a line and flushes it to the file. */
    public void write(Prediction p) throws IOException {
        writer.write(JSON.writeValueAsString(p));
        writer.write('\n');
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /**
     * Prepares {@code file} for a resumed run: cuts off a last line that a kill left unfinished, so that appending
     * continues the file cleanly, and returns the complete predictions (an empty list when there is no file).
     */
    public static List<Prediction> resume(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new ArrayList<>();
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = channel.size();
            long end = size;
            ByteBuffer one = ByteBuffer.allocate(1);
            while (end > 0) {
                one.clear();
                channel.read(one, end - 1);
                if (one.get(0) == '\n') {
                    break;
                }
                end--;
            }
            if (end < size) {
                channel.truncate(end);
            }
        }
        return read(file);
    }

    /** The predictions of {@code file} in order; an empty list when it does not exist. */
    public static List<Prediction> read(Path file) {
        List<Prediction> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String[] lines = text.split("\n", -1);
        // The last element is "" after a final newline, or a line a kill cut short: neither is a prediction.
        for (int i = 0; i < lines.length - 1; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(JSON.readValue(lines[i], Prediction.class));
            } catch (JsonProcessingException e) {
                throw new Errors.UsageFailure(file + ": line " + (i + 1) + " is not a prediction ("
                        + e.getOriginalMessage() + ")");
            }
        }
        return out;
    }
}
