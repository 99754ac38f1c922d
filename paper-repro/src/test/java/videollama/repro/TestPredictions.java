package videollama.repro;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Small hand-written predictions for the judge's and the report's tests. */
public final class TestPredictions {
    private TestPredictions() {}

    public static Prediction qa(String dataset, String id, String type, String question, String answer, String prediction) {
        return new Prediction(dataset, id, "v" + id + ".avi", question, null, answer, type, prediction, null, null,
                new Prediction.Timings(id.hashCode() % 2 == 0 ? 800 : 0, 120, 900, 180, 12));
    }

    public static Prediction failed(String dataset, String id, String question, String answer) {
        return new Prediction(dataset, id, "v" + id + ".avi", question, null, answer, null, null, null,
                "v" + id + ".avi: cannot read the video", null);
    }

    public static Prediction pair(String id, String q1, String q2, String answer, String p1, String p2) {
        return new Prediction("consistency", id, "bench/" + id + ".mp4", q1, q2, answer, null, p1, p2, null,
                new Prediction.Timings(700, 100, 1500, 170, 40));
    }

    /** MSVD-QA with question types and an unanswered question, ActivityNet-QA, the benchmark's three sets. */
    public static List<Prediction> mixed() {
        return List.of(
                qa("msvd", "1", "what", "what is the man doing?", "cooking", "The man is cooking."),
                qa("msvd", "2", "what", "what is on the table?", "apple", "A banana."),
                qa("msvd", "3", "who", "who is singing?", "woman", "A woman sings on a stage."),
                failed("msvd", "4", "who is running?", "man"),
                qa("msvd", "5", "what", "what does the dog chase?", "ball", "It chases a red ball"),
                qa("msvd", "6", "who", "who rides a bike?", "boy", "nobody"),
                qa("activitynet", "v_a1", "color", "what color is the car?", "red", "The car is red."),
                qa("activitynet", "v_a2", "motion", "is the person jumping?", "yes", "No, walking."),
                qa("generic", "g1", null, "Describe the video.", "A man cooks pasta in a kitchen.", "A person is cooking food in a kitchen with pots."),
                qa("generic", "g2", null, "What happens in the video?", "Kids play football.", "Children."),
                qa("temporal", "t1", null, "What happens after the goal?", "The team celebrates.", "They celebrate and then leave the field together."),
                pair("c1", "What is the woman holding?", "What does the woman have in her hand?", "A cup.", "A cup of tea.", "a cup of tea."),
                pair("c2", "Where is the man?", "In what place is the man?", "A beach.", "On a beach.", "In a forest."));
    }

    /** Writes {@code predictions} as a fresh file (eval qa's writer appends). */
    public static Path write(Path file, List<Prediction> predictions) throws IOException {
        java.nio.file.Files.deleteIfExists(file);
        try (PredictionFile out = PredictionFile.append(file)) {
            for (Prediction p : predictions) {
                out.write(p);
            }
        }
        return file;
    }
}
