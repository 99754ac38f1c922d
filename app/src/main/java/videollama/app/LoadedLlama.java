package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import videollama.kernels.Backend;
import videollama.model.llama.Llama;

/**
 * A model folder's LLaMA loaded for a backend, as {@code chat}, {@code generate} and a {@link ChatSession} start: the
 * load timed on the log ("loading DIR ... 32 layers, ..."), then the backend's line. Closing closes both, the backend
 * last.
 */
public record LoadedLlama(Backend backend, Llama llama) implements AutoCloseable {

    /** Loads the LLaMA of {@code dir}; owns {@code choice}'s backend from here, closing it if the load fails. */
    public static LoadedLlama open(Path dir, BackendChoice choice, PrintWriter log) {
        try {
            Llama llama = new Progress(log).time("loading " + dir, () -> Llama.load(dir), ModelSummary::of);
            log.println(choice.line());
            return new LoadedLlama(choice.backend(), llama);
        } catch (RuntimeException | Error e) {
            choice.backend().close();
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            llama.close();
        } finally {
            backend.close();
        }
    }
}
