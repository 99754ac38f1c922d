package videollama.testing;

import java.nio.file.Path;

/** Where the repository's test material lies, for the tests of every module (this test jar is shared). */
public final class RepositoryFiles {
    private RepositoryFiles() {}

    /** The repository root (surefire passes it as {@code videollama.root}). */
    public static Path root() {
        String root = System.getProperty("videollama.root");
        if (root == null) {
            throw new IllegalStateException("system property videollama.root is not set (run the tests through Maven)");
        }
        return Path.of(root);
    }
}
