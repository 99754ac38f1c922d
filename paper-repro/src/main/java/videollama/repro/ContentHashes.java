package videollama.repro;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 of files' contents, remembered on disk by the file's real path, size and modification time: a model's
 * gigabytes of weights are read once, and again only when the file changes. Each remembered hash is one small file
 * (named by the hash of path, size and time) written whole and renamed into place, so concurrent runs (a cluster's
 * shards sharing a cache folder) never see half of one.
 */
final class ContentHashes {
    private static final int BUFFER = 1 << 20;

    private final Path memo;

    /** @param memo the folder of remembered hashes, created when needed; null: remember nothing */
    ContentHashes(Path memo) {
        this.memo = memo;
    }

    /** The file's SHA-256 in hex; read only when no hash is remembered for its path, size and modification time. */
    String of(Path file) throws IOException {
        Path real = file.toRealPath();
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class);
        String identity = real + "\n" + attributes.size() + "\n" + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS);
        Path remembered = memo == null ? null : memo.resolve(sha256(identity.getBytes(StandardCharsets.UTF_8)));
        if (remembered != null && Files.isRegularFile(remembered)) {
            String hash = Files.readString(remembered, StandardCharsets.UTF_8).strip();
            if (hash.matches("[0-9a-f]{64}")) {
                return hash;
            }
        }
        String hash = read(real);
        if (remembered != null) {
            Files.createDirectories(memo);
            Path partial = Files.createTempFile(memo, "hash", ".partial");
            Files.writeString(partial, hash + "\n", StandardCharsets.UTF_8);
            Files.move(partial, remembered, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return hash;
    }

    private static String read(Path file) throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                digest.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }

    static String sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** {@link #of}, with an I/O failure unchecked. */
    String ofUnchecked(Path file) {
        try {
            return of(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
