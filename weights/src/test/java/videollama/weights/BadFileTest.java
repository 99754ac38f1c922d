package videollama.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static videollama.weights.Crafted.assertOpenFails;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Malformed files, crafted byte by byte: each must fail to open with a one-line {@link WeightsException}
 * naming the file and the tensor, before any tensor is touched.
 */
class BadFileTest {
    @TempDir
    Path dir;

    private Path crafted(String headerJson, int dataBytes) {
        return Crafted.file(dir, "bad.safetensors", headerJson, dataBytes);
    }

    private static String entry(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":" + offsets + "}";
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 7})
    void truncatedFile(int size) {
        Path file = Crafted.raw(dir, "short.safetensors", new byte[size]);
        var e = assertOpenFails(file);
        assertEquals(file + ": truncated: " + size + " bytes, a safetensors file starts with an 8-byte header length",
                e.getMessage());
    }

    @Test
    void headerLengthPastTheEnd() {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = Crafted.raw(dir, "bad.safetensors", Crafted.withLength(1000, header));
        assertOpenFails(file, "header length 1000 runs past the end of the file (10 bytes)");
    }

    @Test
    void absurdHeaderLength() {
        Path file = Crafted.raw(dir, "bad.safetensors", Crafted.withLength(-1, new byte[8]));
        assertOpenFails(file, "header length 18446744073709551615 is over the limit");
        Path big = Crafted.raw(dir, "big.safetensors", Crafted.withLength(200_000_000, new byte[8]));
        assertOpenFails(big, "header length 200000000 is over the limit");
    }

    @Test
    void badJson() {
        assertOpenFails(crafted("{\"w\":{\"dtype\":", 0), "header is not valid JSON");
        assertOpenFails(crafted("", 0), "header is not a JSON object");
        assertOpenFails(crafted("{} {}", 0), "header is not valid JSON");
    }

    @Test
    void headerNotUtf8() {
        byte[] json = {'{', '"', (byte) 0xC3, '(', '"', ':', '1', '}'};
        Path file = Crafted.raw(dir, "bad.safetensors", Crafted.withLength(json.length, json));
        assertOpenFails(file, "header is not valid UTF-8");
    }

    @Test
    void headerNotAnObject() {
        assertOpenFails(crafted("[1, 2]", 0), "header is not a JSON object (found array)");
    }

    @Test
    void duplicateTensorNameInHeader() {
        String w = entry("w", "F32", "[1]", "[0,4]");
        assertOpenFails(crafted("{" + w + "," + w + "}", 4), "not valid JSON", "Duplicate field 'w'");
    }

    @Test
    void entryNotAnObject() {
        assertOpenFails(crafted("{\"w\": 5}", 0), "tensor 'w' must be a JSON object, found number");
    }

    @Test
    void missingFields() {
        assertOpenFails(crafted("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "tensor 'w' has no \"dtype\"");
        assertOpenFails(crafted("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' has no \"shape\"");
        assertOpenFails(crafted("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w' has no \"data_offsets\"");
    }

    @Test
    void wrongJsonTypes() {
        assertOpenFails(crafted("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'w' has dtype 4, expected a string");
        assertOpenFails(crafted("{" + entry("w", "F32", "\"[1]\"", "[0,4]") + "}", 4),
                "tensor 'w' has shape \"[1]\", expected an array of non-negative integers");
        assertOpenFails(crafted("{" + entry("w", "F32", "[2,-1]", "[0,4]") + "}", 4),
                "tensor 'w' has shape [2,-1]: -1 is not a non-negative integer");
        assertOpenFails(crafted("{" + entry("w", "F32", "[1.0]", "[0,4]") + "}", 4), "tensor 'w'", "1.0 is not");
        assertOpenFails(crafted("{" + entry("w", "F32", "[99999999999999999999]", "[0,4]") + "}", 4),
                "tensor 'w'", "99999999999999999999 is not");
        assertOpenFails(crafted("{" + entry("w", "F32", "[1]", "[0,\"4\"]") + "}", 4), "tensor 'w' has data_offsets");
        assertOpenFails(crafted("{" + entry("w", "F32", "[1]", "[0]") + "}", 4),
                "tensor 'w' has data_offsets [0], expected two integers [begin, end]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q4_0", "F64", "bf16"})
    void unknownDtype(String dtype) {
        Path file = crafted("{" + entry("x", dtype, "[1]", "[0,4]") + "}", 4);
        var e = assertOpenFails(file);
        assertEquals(file + ": tensor 'x' has unsupported dtype '" + dtype + "'"
                + " (supported: F32, F16, BF16, I64, I32, U8, I8)", e.getMessage());
    }

    /** One tensor whose data_offsets do not fit the data section, or do not span its shape. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        offsets past the data section | F32  | [4]                     | [8,24] | 16 | tensor 'w' has data_offsets [8, 24] past the end of the data section (16 bytes)
        offsets reversed              | F32  | [1]                     | [8,4]  | 16 | tensor 'w' has data_offsets [8, 4] that end before they begin
        shape not the byte span       | F32  | [3,4]                   | [0,40] | 48 | tensor 'w' has shape [3, 4] of F32 (48 bytes) but data_offsets [0, 40] span 40 bytes
        shape overflow: a mismatch    | BF16 | [4611686018427387904,4] | [0,8]  | 8  | tensor 'w' has shape [4611686018427387904, 4] of BF16 (more than 9223372036854775807 bytes)
        """)
    void offsetsThatDoNotFit(String what, String dtype, String shape, String offsets, int dataBytes, String message) {
        assertOpenFails(crafted("{" + entry("w", dtype, shape, offsets) + "}", dataBytes), message);
    }

    @Test
    void overlappingTensors() {
        String header = "{" + entry("a", "F32", "[4]", "[0,16]") + "," + entry("b", "F32", "[4]", "[12,28]") + "}";
        assertOpenFails(crafted(header, 32), "tensors 'a' [0, 16] and 'b' [12, 28] overlap");
    }

    @Test
    void overlapIsFoundWhateverTheHeaderOrder() {
        String header = "{" + entry("late", "I32", "[1]", "[40,44]") + "," + entry("outer", "U8", "[48]", "[0,48]")
                + "," + entry("inner", "F32", "[1]", "[8,12]") + "}";
        assertOpenFails(crafted(header, 48), "tensors 'outer' [0, 48] and 'inner' [8, 12] overlap");
    }

    @Test
    void metadataNotStrings() {
        assertOpenFails(crafted("{\"__metadata__\":{\"format\":\"pt\",\"n\":1}}", 0),
                "__metadata__ must map strings to strings, but 'n' is a number");
        assertOpenFails(crafted("{\"__metadata__\":[\"pt\"]}", 0),
                "__metadata__ must be a JSON object of strings, found array");
    }

    @Test
    void tensorNamesWithLineBreaksStayOnOneLine() {
        assertOpenFails(crafted("{" + entry("a\\nb", "Q4_0", "[1]", "[0,4]") + "}", 4), "tensor 'a\\nb'");
    }

    @Test
    void missingFile() {
        assertOpenFails(dir.resolve("nothing.safetensors"), "no such file");
        assertOpenFails(dir, "not a regular file");
    }

    @Test
    void missingTensorViaGet() {
        Path file = crafted("{" + entry("w", "F32", "[1]", "[0,4]") + "}", 4);
        try (SafetensorsFile open = SafetensorsFile.open(file)) {
            var e = Crafted.assertWeightsError(() -> open.get("v"), file);
            assertEquals(file + ": missing tensor 'v'", e.getMessage());
        }
    }

    @Test
    void wrongShapeViaRequireShape() {
        Path file = crafted("{" + entry("w", "F32", "[3,4]", "[0,48]") + "}", 48);
        try (SafetensorsFile open = SafetensorsFile.open(file)) {
            var e = Crafted.assertWeightsError(() -> open.get("w").requireShape(open.describe(), 4, 4), file);
            assertEquals(file + ": tensor 'w' has shape [3, 4], expected [4, 4]", e.getMessage());
        }
    }

    @Test
    void gapsAndEmptyTensorsAreAllowed() {
        String header = "{" + entry("a", "U8", "[2]", "[0,2]") + "," + entry("b", "U8", "[3]", "[5,8]")
                + "," + entry("empty", "F32", "[0,3]", "[1,1]") + "}";
        try (SafetensorsFile open = SafetensorsFile.open(crafted(header, 10))) {
            assertEquals(5, open.get("b").getLong(0), "data bytes count 0, 1, 2, ...");
            assertEquals(0, open.get("empty").size());
        }
    }
}
