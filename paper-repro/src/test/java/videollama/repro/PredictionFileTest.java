package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.Errors;

class PredictionFileTest {
    @TempDir
    Path dir;

    private static Prediction answered(String id) {
        return new Prediction("msvd", id, "vid" + id + ".avi", "what is the man doing?", null, "cook", "what",
                "The man is cooking.", null, null, new Prediction.Timings(120.5, 30.25, 400, 260, 12));
    }

    @Test
    void predictionsRoundTripInSnakeCase() throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        Prediction failed = new Prediction("msvd", "2", "vid2.avi", "who?", null, "man", null, null, null,
                "vid2.avi: truncated file", null);
        try (PredictionFile out = PredictionFile.append(file)) {
            out.write(answered("1"));
            out.write(failed);
        }
        try (PredictionFile out = PredictionFile.append(file)) { // appending, as a resumed run does
            out.write(answered("3"));
        }
        assertEquals(List.of(answered("1"), failed, answered("3")), PredictionFile.read(file));
        String first = Files.readAllLines(file).getFirst();
        assertTrue(first.contains("\"type\":\"what\"") && first.contains("\"prediction2\":null"), first);
        assertTrue(first.contains("\"vision_ms\":120.5") && first.contains("\"generated_tokens\":12"), first);
    }

    @Test
    void aLineCutShortByAKillIsIgnored() throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        try (PredictionFile out = PredictionFile.append(file)) {
            out.write(answered("1"));
        }
        Files.writeString(file, "{\"dataset\":\"msvd\",\"id\":\"2\",\"vid", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(List.of(answered("1")), PredictionFile.read(file));
    }

    @Test
    void resumingCutsOffTheLineAKillLeftUnfinished() throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        try (PredictionFile out = PredictionFile.append(file)) {
            out.write(answered("1"));
            out.write(answered("2"));
        }
        String whole = Files.readString(file);
        Files.writeString(file, "{\"dataset\":\"msvd\",\"id\":\"3\",\"vid", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        assertEquals(List.of(answered("1"), answered("2")), PredictionFile.resume(file));
        assertEquals(whole, Files.readString(file), "the cut line is gone, the complete ones untouched");
        try (PredictionFile out = PredictionFile.append(file)) {
            out.write(answered("3"));
        }
        assertEquals(List.of(answered("1"), answered("2"), answered("3")), PredictionFile.read(file));

        Path cutFirst = Files.writeString(dir.resolve("cut-first.jsonl"), "{\"dataset\"", StandardCharsets.UTF_8);
        assertEquals(List.of(), PredictionFile.resume(cutFirst));
        assertEquals(0, Files.size(cutFirst));
        assertEquals(List.of(), PredictionFile.resume(dir.resolve("none.jsonl")));
    }

    @Test
    void aBrokenCompleteLineIsAnErrorNamingFileAndLine() throws IOException {
        Path file = dir.resolve("predictions.jsonl");
        Files.writeString(file, "{\"dataset\":\"msvd\"}\nnot json\n", StandardCharsets.UTF_8);
        Errors.UsageFailure e = assertThrows(Errors.UsageFailure.class, () -> PredictionFile.read(file));
        assertTrue(e.getMessage().startsWith(file + ": line 2 is not a prediction"), e.getMessage());
    }

    @Test
    void aMissingFileHoldsNoPredictions() {
        assertEquals(List.of(), PredictionFile.read(dir.resolve("none.jsonl")));
    }
}
