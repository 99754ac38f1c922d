package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import videollama.model.llama.ReferenceLlamaSession;

/**
 * The model's plain-Java reference reads as a textbook: each {@code Reference<Part>} class has its {@code Device<Part>}
 * twin beside it (one naming rule), and calls the ops in their plain forms, {@code gelu(linear(x, W, b))} and
 * {@code layerNorm(add(x, y))}; the device's fused forms ({@code biasGelu}, {@code linearGelu}, {@code addLayerNorm},
 * a {@code linear} with an output array and a residual, {@code AttentionShape.cross}) are for the kernels' contracts
 * only. The LLaMA forward pass is public. Each failure names the file and line.
 */
class ReferencePathTest {
    private static final String MODEL = "model/src/main/java";
    private static final Pattern FUSED = Pattern.compile("\\b(biasGelu|linearGelu|addLayerNorm|AttentionShape\\.cross)\\b");
    private static final Pattern LINEAR_CALL = Pattern.compile("\\blinear\\(");

    @Test
    void everyReferencePartHasItsDeviceTwinAndCallsThePlainOps() throws IOException {
        List<Path> references;
        try (Stream<Path> files = Files.walk(RepositoryTextTest.root().resolve(MODEL))) {
            references = files.filter(f -> f.getFileName().toString().matches("Reference\\w+\\.java")).sorted().toList();
        }
        assertTrue(references.size() >= 6, "Reference classes in " + MODEL + ": " + references);
        List<String> problems = new ArrayList<>();
        for (Path file : references) {
            String name = file.getFileName().toString();
            String where = RepositoryTextTest.root().relativize(file).toString();
            if (!Files.exists(file.resolveSibling(name.replaceFirst("^Reference", "Device")))) {
                problems.add(where + ": no " + name.replaceFirst("^Reference", "Device") + " beside it");
            }
            problems.addAll(fusedCalls(where, Files.readString(file)));
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void theLlamaForwardPassIsPublic() throws NoSuchMethodException {
        assertTrue(Modifier.isPublic(ReferenceLlamaSession.class.getModifiers()), "ReferenceLlamaSession is public");
        assertTrue(Modifier.isPublic(ReferenceLlamaSession.class.getMethod("forward", float[].class, int.class, boolean.class)
                .getModifiers()), "ReferenceLlamaSession.forward is public");
        assertTrue(ReferenceLlamaSession.class.getConstructors().length > 0, "ReferenceLlamaSession has a public constructor");
    }

    @Test
    void findsPlantedFusedCalls() {
        String planted = String.join("\n",
                "float[] h = gelu(linear(x, w.fc1(), w.fc1Bias()));",
                "Gelu.biasGelu(h, h, b, rows);",
                "Linear.linearGelu(h, w, x, b, rows);",
                "Linear.linear(out, w, x, null, residual, rows);",
                "x = layerNorm(add(f, x), nw, nb, eps);",
                "var s = AttentionShape.cross(1, 32, 257, 12, 64);");
        assertEquals(List.of("A.java:2", "A.java:3", "A.java:4", "A.java:6"),
                LineFindings.places(fusedCalls("A.java", planted)));
    }

    /** Calls of the device's fused forms in {@code text}, as "file:line: what". */
    static List<String> fusedCalls(String file, String text) {
        return LineFindings.of(file, text, line -> {
            List<String> found = new ArrayList<>();
            Matcher fused = FUSED.matcher(line);
            if (fused.find()) {
                found.add(fused.group() + " (the fused form)");
            }
            Matcher linear = LINEAR_CALL.matcher(line);
            while (linear.find()) {
                if (arguments(line, linear.end()) > 3) {
                    found.add("linear with an output array (the fused form; use linear(x, W, b))");
                }
            }
            return found;
        });
    }

    /** The number of top-level arguments of the call whose "(" ends just before {@code from}, within one line. */
    static int arguments(String line, int from) {
        int depth = 0;
        int count = 1;
        for (int i = from; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                if (depth-- == 0) {
                    return count;
                }
            } else if (c == ',' && depth == 0) {
                count++;
            }
        }
        return count; // the call goes on past this line: at least this many
    }
}
