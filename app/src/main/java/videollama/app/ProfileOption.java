package videollama.app;

import picocli.CommandLine.Option;

/** {@code --profile}, as the commands that run a model on a device backend take it ({@code @Mixin}). */
final class ProfileOption {
    @Option(names = "--profile", description = "Print each kernel's device time, share, GB/s and GFLOP/s on stderr (device backends).")
    boolean on;
}
