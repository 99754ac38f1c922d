package videollama.kernels;

import java.util.List;

/** A built {@link TaskGraph}: replayed as often as wanted, with or without per-task timing. */
public interface GraphPlan extends AutoCloseable {

    /** Enqueues one replay; returns when the host transfers (if any) are done. */
    void execute();

    /** One replay, waiting for it, with each task's device time. */
    List<TaskTiming> executeProfiled();

    @Override
    void close();
}
