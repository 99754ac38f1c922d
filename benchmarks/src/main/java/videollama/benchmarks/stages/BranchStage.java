package videollama.benchmarks.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import videollama.kernels.Backend;
import videollama.model.videollama.MediaBranch;

/**
 * {@code videollama bench --stage vision} ({@link VisionBench}) or {@code --stage audio} ({@link AudioBench}), as the
 * command runs either: the folder of the branch to load, then the run on the loaded branch.
 *
 * @param <B> the branch it times
 */
public sealed interface BranchStage<B extends MediaBranch<?>> permits AudioBench, VisionBench {

    /** {@code demo} (the bundled demo's folder) for the shape demo, else a random branch written into the cache folder (once). */
    Path modelDir(Path demo, StepTimer steps);

    /** Times, prints the report on {@code out} and returns every figure; {@code command} is the command line, for the report. */
    BenchReport run(B branch, Backend compute, PrintWriter out, StepTimer steps, String command);
}
