package videollama.app.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Uploaded media bytes kept as files named by their SHA-256, so the same bytes sent again (every request of an OpenAI
 * conversation repeats its media) name the same file, hence the same {@link videollama.app.MediaEncoder.Request}, whose
 * soft tokens {@link videollama.app.ChatSession} keeps: a follow-up question costs only the LLaMA. The loaders read
 * files, which is why the bytes go to disk at all.
 */
final class MediaCache implements AutoCloseable {
    private final Path dir;
    private final long maxBytes;
    /** The files kept, least recently sent first; past {@code kept} the eldest is deleted, so the disk use is bounded. */
    private final LinkedHashMap<Path, Boolean> files;

    /**
     * @param maxBytes the largest upload taken (--max-upload-mb), decoded
     * @param kept     how many files to keep: the session's kept uploads plus every request that may be waiting with its
     *                 own, so no waiting request loses its file
     */
    MediaCache(long maxBytes, int kept) {
        this.maxBytes = maxBytes;
        this.files = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Path, Boolean> eldest) {
                if (size() <= kept) {
                    return false;
                }
                try {
                    Files.deleteIfExists(eldest.getKey());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return true;
            }
        };
        try {
            this.dir = Files.createTempDirectory("videollama-serve-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The file holding a {@code data:MIME;base64,DATA} URL's bytes.
     *
     * @param param the request field, named in a refusal
     */
    Path dataUrl(String url, String param) {
        if (!url.startsWith("data:")) {
            throw ApiError.invalid(param, "invalid_url", param + ": only data: URLs are taken (data:MIME;base64,...), or local "
                    + "files where the server was started with --media-root; got '" + abbreviated(url) + "'");
        }
        int comma = url.indexOf(',');
        String header = comma < 0 ? "" : url.substring(5, comma);
        if (comma < 0 || !header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw ApiError.invalid(param, "invalid_url", param + ": a data URL must be base64 (data:MIME;base64,...)");
        }
        String mime = header.substring(0, header.length() - ";base64".length()).toLowerCase(Locale.ROOT);
        return base64(url.substring(comma + 1), extension(mime), param);
    }

    /** The file holding base64 {@code data} ({@code input_audio}: its format is the file's extension). */
    Path base64(String data, String extension, String param) {
        // base64 gives 3 bytes per 4 characters: refuse an oversize upload before decoding it
        if (data.length() / 4 * 3 > maxBytes + 2) {
            throw tooLarge(param);
        }
        byte[] bytes;
        try {
            bytes = Base64.getMimeDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw ApiError.invalid(param, "invalid_base64", param + ": not base64: " + e.getMessage());
        }
        if (bytes.length == 0) {
            throw ApiError.invalid(param, "empty_media", param + ": no bytes");
        }
        if (bytes.length > maxBytes) {
            throw tooLarge(param);
        }
        Path file = dir.resolve(sha256(bytes) + (extension.isEmpty() ? "" : "." + extension));
        synchronized (files) {
            try {
                if (!Files.exists(file)) {
                    Files.write(file, bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            files.put(file, true);
        }
        return file;
    }

    private ApiError tooLarge(String param) {
        return new ApiError(413, "invalid_request_error", param, "upload_too_large",
                param + ": the upload is larger than the server's --max-upload-mb " + maxBytes / (1024 * 1024));
    }

    /** A file extension for the loaders' sake ("video/mp4" -> "mp4"); empty for an unknown type. */
    private static String extension(String mime) {
        int slash = mime.indexOf('/');
        String sub = slash < 0 ? "" : mime.substring(slash + 1);
        return switch (sub) {
            case "jpeg", "jpg" -> "jpg";
            case "quicktime" -> "mov";
            case "x-matroska" -> "mkv";
            case "mpeg" -> mime.startsWith("audio") ? "mp3" : "mpg";
            case "x-wav", "wave", "wav" -> "wav";
            default -> sub.matches("[a-z0-9]{1,8}") ? sub : "";
        };
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every Java platform has SHA-256
        }
    }

    static String abbreviated(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    @Override
    public void close() {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary folder left behind costs nothing worth failing a shutdown for
        }
    }
}
