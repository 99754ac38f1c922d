package videollama.benchmarks.stages;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How a stage benchmark announces a long step (writing a random model, the first encode): the command line passes
 * its progress lines on stderr ({@code Progress::time}), so that nothing but the report reaches stdout.
 */
@FunctionalInterface
public interface StepTimer {
    /** Runs {@code step}, announcing {@code what} before and {@code summary} of its result after. */
    <T> T time(String what, Supplier<T> step, Function<T, String> summary);

    /** Runs the steps without a word: a benchmark run outside the command line. */
    StepTimer SILENT = new StepTimer() {
        @Override
        public <T> T time(String what, Supplier<T> step, Function<T, String> summary) {
            return step.get();
        }
    };
}
