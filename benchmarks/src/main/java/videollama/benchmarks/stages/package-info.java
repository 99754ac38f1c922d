/**
 * The stage benchmarks that {@code videollama bench} runs (the LLaMA's decode and prefill, a beam search, the
 * vision and audio branches, media decoding): plain classes that time a whole stage as medians after warm-up and
 * print a report, where the JMH classes of {@code videollama.benchmarks} time one op or one stage per call. The
 * command line only parses the options, loads the model and passes its progress lines ({@link
 * videollama.benchmarks.stages.StepTimer}).
 */
package videollama.benchmarks.stages;
