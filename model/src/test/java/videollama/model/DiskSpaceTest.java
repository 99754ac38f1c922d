package videollama.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check before a large write: one line naming the folder, the bytes needed and free; nothing created. */
class DiskSpaceTest {
    @TempDir
    Path dir;

    @Test
    void moreThanTheDiskHasIsRefusedNamingTheFolderAndBoth() throws Exception {
        Path target = dir.resolve("not/yet/there");
        long free = Files.getFileStore(dir).getUsableSpace();
        ModelException e = assertThrows(ModelException.class, () -> DiskSpace.check(target, free + (1L << 40), "writing random weights"));
        assertTrue(e.getMessage().startsWith(target + ": writing random weights needs "), e.getMessage());
        assertTrue(e.getMessage().contains((free + (1L << 40)) + " bytes") && e.getMessage().contains(" free"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(target), "nothing created");
        assertDoesNotThrow(() -> DiskSpace.check(target, 1024, "a small write"));
    }
}
