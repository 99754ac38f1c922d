package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentHashesTest {
    @TempDir
    Path tmp;

    @Test
    void hashesAFilesContentsAsSha256() throws IOException {
        // FIPS 180-2 appendix B.1: SHA-256("abc")
        Path file = Files.writeString(tmp.resolve("abc"), "abc");
        assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", new ContentHashes(null).of(file));
        // larger than the read buffer, several reads: the same as hashing the bytes at once
        byte[] big = new byte[(1 << 20) * 2 + 12345];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >> 7));
        }
        Path bigFile = Files.write(tmp.resolve("big"), big);
        assertEquals(ContentHashes.sha256(big), new ContentHashes(null).of(bigFile));
    }

    @Test
    void aRememberedHashIsUsedUntilTheFileChanges() throws IOException {
        Path memo = tmp.resolve("memo");
        Path file = Files.writeString(tmp.resolve("weights"), "first contents");
        FileTime time = FileTime.fromMillis(1_700_000_000_000L);
        Files.setLastModifiedTime(file, time);
        String first = new ContentHashes(memo).of(file);
        assertEquals(ContentHashes.sha256("first contents"), first);

        // same size and time, other contents: the remembered hash answers without reading the file
        Files.writeString(file, "other contents");
        Files.setLastModifiedTime(file, time);
        assertEquals(first, new ContentHashes(memo).of(file));
        List<Path> remembered;
        try (var files = Files.list(memo)) {
            remembered = files.toList();
        }
        assertEquals(1, remembered.size());

        // a new modification time: read again
        Files.setLastModifiedTime(file, FileTime.fromMillis(1_700_000_001_000L));
        assertEquals(ContentHashes.sha256("other contents"), new ContentHashes(memo).of(file));
    }
}
