package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * JCodec carries an AAC decoder (net.sourceforge.jaad) that decodes wrongly: no class of the loader may refer to it.
 * Checked on the compiled classes, whose constant pools name every class they use.
 */
class NoJaadTest {
    @Test
    void noLoaderClassUsesJCodecsAacDecoder() throws Exception {
        Path classes = Path.of(AudioLoader.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        assertTrue(files.size() > 40, "loader classes found: " + files.size() + " under " + classes);
        List<Path> users = files.stream().filter(NoJaadTest::mentionsJaad).toList();
        assertEquals(List.of(), users);
    }

    private static boolean mentionsJaad(Path classFile) {
        try {
            return new String(Files.readAllBytes(classFile), StandardCharsets.ISO_8859_1).contains("net/sourceforge/jaad");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
