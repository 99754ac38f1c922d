package videollama.repro;

import videollama.app.CommandExtension;

/** Adds {@code eval} to the {@code videollama} command line (found by {@link java.util.ServiceLoader}). */
public final class EvalExtension implements CommandExtension {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public Object command() {
        return new EvalCommand();
    }
}
