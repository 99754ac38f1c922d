package videollama.app;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import videollama.app.serve.ChatServer;
import videollama.loader.MediaDecoder;

/** {@code videollama serve}: the model behind OpenAI's chat completions API, until the process is stopped. */
@Command(name = "serve",
        description = {"Serve Video-LLaMA over HTTP with OpenAI's chat completions API: POST /v1/chat/completions (a video_url, "
                + "image_url or input_audio data URL and questions; stream: true for server-sent events), GET /v1/models, GET /health, "
                + "GET /metrics (Prometheus).",
                "The model is loaded once; requests take turns on it in arrival order."})
final class ServeCommand extends AppCommand {

    @Option(names = "--model", paramLabel = "DIR",
            description = "Video-LLaMA folder (default: the bundled demo model, whose answers are not meaningful).")
    Path model;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}); any but a loopback address needs --api-key.")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080", description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Mixin
    BackendOption backend;

    @Option(names = "--decoder", paramLabel = "NAME", description = "ffmpeg or java, as chat's --decoder (default: ffmpeg where its natives load).")
    String decoder;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Require the header Authorization: Bearer KEY on every request but /health.")
    String apiKey;

    @Option(names = "--max-upload-mb", paramLabel = "N", defaultValue = "64",
            description = "Largest video, image or sound taken, in MiB (default: ${DEFAULT-VALUE}).")
    int maxUploadMb;

    @Option(names = "--media-root", paramLabel = "DIR",
            description = "Let requests name files in DIR (video_url or image_url file:///... or a path relative to DIR) "
                    + "instead of uploading them; paths leading outside DIR are refused (default: uploads only).")
    Path mediaRoot;

    @Option(names = "--queue", paramLabel = "N", defaultValue = "8",
            description = "Requests that may wait while one is answered; more are refused with 429 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Override
    public Integer call() throws InterruptedException {
        CommandLine cli = common.cli();
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cli, "--port must be 0 to 65535, got " + port);
        }
        if (maxUploadMb < 1 || maxUploadMb > 4096) {
            throw new CommandLine.ParameterException(cli, "--max-upload-mb must be 1 to 4096, got " + maxUploadMb);
        }
        if (queue < 0) {
            throw new CommandLine.ParameterException(cli, "--queue must not be negative, got " + queue);
        }
        if (apiKey != null && apiKey.isBlank()) {
            throw new CommandLine.ParameterException(cli, "--api-key must not be empty");
        }
        if (mediaRoot != null && !Files.isDirectory(mediaRoot)) {
            throw new CommandLine.ParameterException(cli, "--media-root " + mediaRoot + ": not a folder");
        }
        if (apiKey == null && !loopback(cli)) {
            throw new CommandLine.ParameterException(cli, "--host " + host + " is reachable from other machines: give --api-key "
                    + "KEY too, or listen on 127.0.0.1");
        }
        MediaDecoder mediaDecoder = OptionValues.decoder(cli, decoder);
        Path dir = model != null ? model : CommonOptions.bundledVideoLlama();
        PrintWriter err = cli.getErr();
        ChatSession session = ChatSession.open(dir, backend.open(cli, dir), mediaDecoder, null, false, err);
        ChatServer server;
        try {
            server = ChatServer.start(session, mediaDecoder, dir.toAbsolutePath().normalize().getFileName().toString(),
                    new ChatServer.Options(host, port, apiKey, maxUploadMb * 1024L * 1024L, queue, mediaRoot), err);
        } catch (RuntimeException e) {
            session.close();
            // Jetty's bind failure (the port taken, an address not this machine's) under Javalin's wrapper
            throw new Errors.UsageFailure("--host " + host + " --port " + port + ": cannot listen there: "
                    + Main.oneLine(e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
        } catch (Error e) {
            session.close();
            throw e;
        }
        err.println("serving on http://" + host + ":" + server.port() + "/v1 (stop with Ctrl-C)");
        CountDownLatch stopping = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        // Ctrl-C or SIGTERM: the hook lets this thread close the server (its upload folder) and the model first
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            try {
                closed.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        try {
            stopping.await();
        } finally {
            try {
                server.close();
            } finally {
                session.close();
                closed.countDown();
            }
        }
        return 0;
    }

    private boolean loopback(CommandLine cli) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(cli, "--host " + host + ": unknown host");
        }
    }
}
