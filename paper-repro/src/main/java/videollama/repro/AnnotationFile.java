package videollama.repro;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import videollama.app.Errors;

/**
 * An annotation file read as its dataset distributes it (a JSON list of objects, a tab-separated table, lines of
 * text), with every error naming the file and the entry at fault.
 */
final class AnnotationFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    AnnotationFile(Path file) {
        this.file = file;
    }

    Path path() {
        return file;
    }

    String name() {
        return file.getFileName().toString();
    }

    Errors.UsageFailure error(String message) {
        return new Errors.UsageFailure(file + ": " + message);
    }

    String text() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw error("not found");
        } catch (IOException e) {
            throw error("cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The entries of a JSON list of objects. */
    List<Entry> jsonObjects() {
        JsonNode root;
        try {
            root = JSON.readTree(text());
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw error("not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + " (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isArray()) {
            throw error("expected a JSON list of questions");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode node = root.get(i);
            if (!node.isObject()) {
                throw error("entry " + i + " is not a JSON object");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (var field : node.properties()) {
                JsonNode value = field.getValue();
                if (value.isTextual() || value.isNumber()) {
                    fields.put(field.getKey(), value.asText());
                }
            }
            entries.add(new Entry("entry " + i, fields));
        }
        return entries;
    }

    /** The rows of a tab-separated table whose first line names the columns. */
    List<Entry> tsvRows() {
        List<String> lines = text().lines().toList();
        if (lines.isEmpty()) {
            throw error("empty (expected a tab-separated table with a header line)");
        }
        String[] header = lines.getFirst().split("\t", -1);
        List<Entry> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] cells = lines.get(i).split("\t", -1);
            if (cells.length != header.length) {
                throw error("line " + (i + 1) + " has " + cells.length + " tab-separated cells, the header " + header.length);
            }
            Map<String, String> fields = new LinkedHashMap<>();
            for (int c = 0; c < header.length; c++) {
                fields.put(header[c].strip(), cells[c]);
            }
            rows.add(new Entry("line " + (i + 1), fields));
        }
        return rows;
    }

    /** One entry: its place in the file ("entry 3", "line 4") and its text and number fields as text. */
    final class Entry {
        private final String where;
        private final Map<String, String> fields;

        Entry(String where, Map<String, String> fields) {
            this.where = where;
            this.fields = fields;
        }

        String where() {
            return where;
        }

        boolean has(String field) {
            return fields.containsKey(field);
        }

        /** A required field: a string or a number. */
        String get(String field) {
            String value = fields.get(field);
            if (value == null) {
                throw error(where + " has no '" + field + "' (a string or number)");
            }
            return value;
        }

        /** An optional field, or null. */
        String optional(String field) {
            return fields.get(field);
        }
    }
}
