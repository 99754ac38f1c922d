package videollama.tests;

import java.nio.file.Path;

/** Where the repository's test material lies. */
final class TestFiles {
    private TestFiles() {}

    /** The repository root (surefire passes it as {@code videollama.root}). */
    static Path root() {
        String root = System.getProperty("videollama.root");
        if (root == null) {
            throw new IllegalStateException("system property videollama.root is not set (run the tests through Maven)");
        }
        return Path.of(root);
    }

    static Path bundledModel() {
        return root().resolve("models/stories260K");
    }

    static Path golden(String name) {
        return root().resolve("testdata/golden").resolve(name);
    }
}
