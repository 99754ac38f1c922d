package videollama.repro.judge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import videollama.app.Errors;

/**
 * An OpenAI-compatible chat-completions endpoint ({@code POST .../chat/completions}), asked with the JDK's HTTP
 * client: OpenAI, a llama.cpp or vLLM server, anything speaking that protocol. A request is tried again, at most
 * {@code retries} more times, when the endpoint is busy or failing (429, 408, 5xx), the answer does not come within
 * the timeout, or the connection drops: after the delay a {@code Retry-After} header asks for, else after an
 * exponential backoff (base·2^attempt, at most {@code maxBackoff}) with full jitter in its upper half, so that
 * concurrent requests do not come back together. Answers that no retry can fix (401, 403, 404) stop the whole run;
 * any other 4xx fails that request only.
 *
 * <p>The JDK client is enough here: one POST with a JSON body and a bearer key, HTTP/1.1 and 2, timeouts, no extra
 * dependency; an OpenAI SDK would add its own retry policy we could not make match this one.
 */
public final class ChatEndpoint {
    /** The largest response body read: a judge's reply is a few kilobytes; more is not one, and memory stays bounded. */
    static final int LARGEST_RESPONSE = 1 << 20;

    /** How long a Retry-After may ask us to wait before the request counts as failed instead. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);

    /** The outcome of one request after its retries: a response body (HTTP 200), or why there is none. */
    public record Answer(String body, String failure, int attempts) {}

    public record Settings(URI url, String apiKey, Duration timeout, int retries, Duration backoffBase, Duration maxBackoff) {}

    private final Settings settings;
    private final HttpClient client;

    public ChatEndpoint(Settings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder().connectTimeout(settings.timeout()).build();
    }

    /** {@code url} as given, or with {@code /chat/completions} added to a base URL ({@code http://host:8080/v1}). */
    public static URI completionsUrl(String url) {
        String u = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return URI.create(u.endsWith("/chat/completions") ? u : u + "/chat/completions");
    }

    /** Posts {@code requestBody} until it is answered with 200, fails for good, or the retries are used up. */
    public Answer post(String requestBody) throws InterruptedException {
        String lastFailure = null;
        for (int attempt = 0; attempt <= settings.retries(); attempt++) {
            Duration wait;
            try {
                HttpResponse<String> response = send(requestBody);
                int status = response.statusCode();
                if (status == 200) {
                    return new Answer(response.body(), null, attempt + 1);
                }
                lastFailure = "HTTP " + status + describeBody(response.body());
                if (status == 401 || status == 403 || status == 404) {
                    // no retry fixes a wrong key or URL: the run stops with this message
                    throw new Errors.UsageFailure("the judge endpoint " + settings.url() + " answered " + lastFailure
                            + (status == 404 ? " (is the URL an OpenAI-compatible base such as http://host:8080/v1?)" : " (check the key in --judge-key-env)"));
                }
                if (status != 429 && status != 408 && status < 500) {
                    return new Answer(null, lastFailure, attempt + 1);
                }
                Optional<Duration> asked = retryAfter(response);
                if (asked.isPresent() && asked.get().compareTo(LONGEST_RETRY_AFTER) > 0) {
                    return new Answer(null, lastFailure + ", Retry-After asks for " + asked.get().toSeconds() + " s", attempt + 1);
                }
                wait = asked.orElse(null);
            } catch (TimeoutException e) {
                lastFailure = "no answer within " + BigDecimal.valueOf(settings.timeout().toMillis(), 3).stripTrailingZeros().toPlainString() + " s";
                wait = null;
            } catch (IOException e) {
                lastFailure = "connection failed: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
                wait = null;
            }
            if (attempt < settings.retries()) {
                Thread.sleep((wait != null ? wait : backoff(attempt)).toMillis());
            }
        }
        return new Answer(null, lastFailure + " (after " + (settings.retries() + 1) + " attempts)", settings.retries() + 1);
    }

    private HttpResponse<String> send(String body) throws IOException, TimeoutException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (settings.apiKey() != null) {
            request.header("Authorization", "Bearer " + settings.apiKey());
        }
        // The request timeout covers the wait for the headers only; the whole exchange, body included, is bounded here.
        CompletableFuture<HttpResponse<String>> pending = client.sendAsync(request.build(), info -> new LimitedBody(LARGEST_RESPONSE));
        try {
            return pending.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (CancellationException e) {
            throw new IOException("request cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException t) {
                throw new TimeoutException(t.getMessage());
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        }
    }

    /** Exponential backoff with jitter: a uniform pick from the upper half of min(base·2^attempt, max). */
    Duration backoff(int attempt) {
        long full = Math.min(settings.maxBackoff().toMillis(), settings.backoffBase().toMillis() << Math.min(attempt, 30));
        return Duration.ofMillis(full / 2 + ThreadLocalRandom.current().nextLong(full / 2 + 1));
    }

    /** RFC 9110 10.2.3: delay-seconds or an HTTP-date. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(value -> {
            String v = value.strip();
            if (v.matches("\\d+")) {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
            }
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e) {
                return Optional.empty();
            }
        });
    }

    private static String describeBody(String body) {
        String one = body == null ? "" : body.replaceAll("\\s+", " ").strip();
        return one.isEmpty() ? "" : ": " + (one.length() > 200 ? one.substring(0, 200) + "..." : one);
    }

    /** A response body as UTF-8 text, refused (the exchange cancelled) once it passes {@code limit} bytes. */
    private static final class LimitedBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<String> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                if (bytes.size() + b.remaining() > limit) {
                    subscription.cancel();
                    body.completeExceptionally(new IOException("the response is larger than " + (limit >> 20) + " MiB"));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                bytes.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toString(StandardCharsets.UTF_8));
        }
    }
}
