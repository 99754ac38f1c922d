package videollama.app.serve;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The folder ({@code --media-root}) whose files a request may name instead of uploading them: {@code file:///...} URLs
 * and plain paths, relative ones resolved inside it. A file is taken only when its real path (every symbolic link
 * followed) lies inside the folder's real path, so neither {@code ..} (spelled out or percent-encoded) nor a link
 * leads out of it; a refusal names the field and the path as the request gave it, never the server's own paths.
 */
final class MediaRoot {
    private final Path root;

    /** @param root an existing folder (checked by the command line) */
    MediaRoot(Path root) {
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("--media-root " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The regular file {@code url} names inside the folder.
     *
     * @param param the request field, named in a refusal
     * @throws ApiError 403 for a path that leads outside the folder, 400 for a malformed or missing one
     */
    Path resolve(String url, String param) {
        Path named;
        try {
            named = url.regionMatches(true, 0, "file:", 0, 5) ? fileUrl(url, param) : root.resolve(url);
        } catch (InvalidPathException e) {
            throw ApiError.invalid(param, "invalid_url", param + ": not a path: '" + MediaCache.abbreviated(url) + "'");
        }
        Path file = named.normalize();
        if (!file.startsWith(root)) {
            throw outside(url, param);
        }
        Path real;
        try {
            real = file.toRealPath();
        } catch (NoSuchFileException e) {
            throw ApiError.invalid(param, "file_not_found", param + ": no file '" + MediaCache.abbreviated(url)
                    + "' in the server's --media-root");
        } catch (IOException e) {
            throw ApiError.invalid(param, "file_not_readable", param + ": '" + MediaCache.abbreviated(url)
                    + "' cannot be read");
        }
        if (!real.startsWith(root)) {
            throw outside(url, param); // a symbolic link out of the folder
        }
        if (!Files.isRegularFile(real) || !Files.isReadable(real)) {
            throw ApiError.invalid(param, "file_not_readable", param + ": '" + MediaCache.abbreviated(url)
                    + "' is not a readable file");
        }
        return real;
    }

    /** {@code file:///path} (or {@code file:/path}, {@code file://localhost/path}) as a path; other hosts refused. */
    private Path fileUrl(String url, String param) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw ApiError.invalid(param, "invalid_url", param + ": not a file URL: " + e.getMessage());
        }
        String host = uri.getHost();
        if (host != null && !host.toLowerCase(Locale.ROOT).equals("localhost") || uri.getPath() == null
                || !uri.getPath().startsWith("/")) {
            throw ApiError.invalid(param, "invalid_url", param + ": a file URL names a path on this machine: file:///PATH");
        }
        return Path.of(uri.getPath()); // decoded: %2e%2e is '..', caught by the check after normalizing
    }

    private static ApiError outside(String url, String param) {
        return new ApiError(403, "invalid_request_error", param, "path_outside_media_root", param + ": '"
                + MediaCache.abbreviated(url) + "' is outside the server's --media-root");
    }
}
