package videollama.benchmarks.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import videollama.kernels.Backend;
import videollama.kernels.DeviceBackend;
import videollama.kernels.Profile;
import videollama.kernels.opencl.OpenCLBackend;
import videollama.model.videollama.StageTimes;

/**
 * Every figure of one {@code videollama bench} run, for {@code --json FILE}: the stage, the command and the machine,
 * peak memory and the per-kernel table; for the decode stage the model and its weight type, the llama-bench-style tests
 * (tg, pp), the decode step's times and bandwidth and the roofline measured in the same run; for the vision and audio
 * stages the branch's times and their split into stages ({@link Branch}). The layout is
 * {@code videollama/benchmarks/stages/bench-report.schema.json} (JSON Schema 2020-12), which a test validates
 * real output against. Sizes are bytes, times milliseconds or microseconds as named, rates per second; a field that
 * was not measured is null.
 */
public record BenchReport(int schemaVersion, String stage, String command, String date, Machine machine, BackendInfo backend,
                          ModelInfo model, List<TestResult> tests, Decode decode, Memory memory, Roofline roofline, List<Kernel> kernels,
                          Beams beams, Prefill prefill, Branch branch) {

    /** Bumped when a field changes meaning or goes away (2: the stage, and the vision and audio stages' branch figures). */
    public static final int SCHEMA_VERSION = 2;

    /** Where the schema is, as a class-path resource. */
    public static final String SCHEMA_RESOURCE = "/videollama/benchmarks/stages/bench-report.schema.json";

    public record BackendInfo(String name, String device) {}

    /**
     * @param weightType  the dtype of the layers' matrices as stored (whatever the folder holds)
     * @param weightBytes all tensors' bytes
     */
    public record ModelInfo(String shape, String weightType, long parameters, long weightBytes, int layers, int dim, int vocab) {}

    /**
     * One line of the llama-bench-style table: {@code tg64} (64 decode steps) or {@code pp512} (a 512-token prompt, batched).
     *
     * @param samples how many timings the mean and sd are over (decode steps, or prefill runs)
     */
    public record TestResult(String name, String what, int tokens, int samples, double meanTokensPerSecond, double sdTokensPerSecond) {}

    /**
     * @param msMean              the timed steps' total over their number (what a program that divides its tokens by its
     *                            time reports, llama2.c's "achieved tok/s")
     * @param bytesPerToken       the weights a step streams (every matrix and norm but the embedding table)
     * @param bandwidthGBs        what the share is of: the --bandwidth-gbs given, else the roofline's measured read bandwidth
     * @param bytesFrom           "dram", "cache" (the weights fit in the last-level cache) or "above measured" (faster than
     *                            that bandwidth, with more bytes than the cache: the bandwidth measured was low)
     * @param shareOfBandwidth    achieved GB/s over that bandwidth, as a fraction; null where not from DRAM
     */
    public record Decode(int tokens, int warmup, double msMedian, double msP10, double msP90, double msMean, double tokensPerSecond,
                         long bytesPerToken, double gigabytesPerSecond, double bandwidthGBs, String bandwidthSource,
                         String bytesFrom, Double shareOfBandwidth) {}

    /**
     * @param peakRssBytes       the process's peak resident memory ({@code VmHWM}) after loading and decoding, -1 where unknown
     * @param weightBytesInPlace weights the device used in their file mapping (one copy)
     * @param weightBytesCopied  weights copied into device memory
     */
    public record Memory(long peakRssBytes, long weightBytesInPlace, long weightBytesCopied) {}

    /**
     * One op of the profile, over the profiled steps.
     *
     * @param bytesFrom         "dram", "cache" or "above measured", as {@link videollama.kernels.Profile#source} tells
     * @param shareOfBandwidth  achieved GB/s over the decode's bandwidth, null where not from DRAM
     */
    public record Kernel(String op, long callsPerStep, double microsecondsPerStep, double shareOfTime, long bytesPerStep,
                         long flopsPerStep, double gigabytesPerSecond, double gigaflopsPerSecond, String bytesFrom,
                         Double shareOfBandwidth) {
        public boolean fromDram() {
            return bytesFrom.equals(from(Profile.Source.DRAM));
        }
    }

    /** "dram", "cache", "above measured": a {@link Profile.Source} as the JSON names it. */
    public static String from(Profile.Source source) {
        return source.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }

    /** {@code --num-beams}: a beam step against a greedy step with logits back, and one beam's cache copy. */
    public record Beams(int beams, int steps, double msPerStep, double greedyMsWithLogits, double cacheCopyMs) {}

    /** {@code --prompt-tokens}: the median prefill, batched and (on a device) one position at a time. */
    public record Prefill(int promptTokens, int runs, double batchedMs, Double positionsMs) {}

    /**
     * {@code --stage vision} or {@code audio}: one input of {@code items} frames or clips through the branch's encoder.
     *
     * @param encoder           "ViT" or "ImageBind"
     * @param itemsName         "frames" or "clips"
     * @param blocks            the encoder's blocks in this run; {@code releasedBlocks} the released model's
     * @param msMedian          the median of the timed runs, per input (msMin, msMax: the fastest and slowest)
     * @param splitSource       where the stage times come from: the kernel profile of one more run (a device) or the
     *                          timed runs cut at the encoder's progress lines (the reference path)
     * @param blockMillis       one encoder block's time
     * @param releasedMsEstimate the median extrapolated to the released number of blocks, for a {@code released-N}
     *                          shape; null otherwise
     */
    public record Branch(String encoder, String shape, String itemsName, int items, int blocks, int releasedBlocks, int warmup, int runs,
                         double msMedian, double msMin, double msMax, double itemsPerSecond, String splitSource,
                         List<StageTimes.Stage> stages, double blockMillis, Double releasedMsEstimate) {}

    /**
     * The profile's ops over its replays; with a bandwidth ({@code bandwidthGBs > 0}) each op's share of it where its
     * bytes came from DRAM, else no share.
     */
    public static List<Kernel> kernels(Profile p, double bandwidthGBs, Machine machine) {
        int steps = p.replays();
        long total = Math.max(1, p.totalNanos());
        return p.ops().stream().map(op -> {
            Profile.Source source = p.source(op, bandwidthGBs, machine.lastLevelCacheBytes());
            Double share = source == Profile.Source.DRAM && bandwidthGBs > 0 ? op.gigabytesPerSecond() / bandwidthGBs : null;
            return new Kernel(op.op(), op.calls() / steps, op.nanos() / 1e3 / steps, op.nanos() / (double) total,
                    op.bytes() / steps, op.flops() / steps, op.gigabytesPerSecond(), op.gigaflopsPerSecond(), from(source), share);
        }).toList();
    }

    /**
     * The peak resident memory and where the weights went: OpenCL counts what it used in place and copied; another
     * device (CUDA) copies every weight ({@code weightBytes}) into its own memory; the reference path reads them in the
     * mapping.
     */
    public static Memory memory(Backend compute, long weightBytes) {
        long peak = PeakMemory.peakRssBytes();
        if (compute instanceof OpenCLBackend openCL) {
            OpenCLBackend.WeightMemory m = openCL.weightMemory();
            return new Memory(peak, m.wrappedBytes(), m.copiedBytes());
        }
        return new Memory(peak, 0, compute instanceof DeviceBackend ? weightBytes : 0);
    }

    /** The end of a run, as the report's date: now, UTC, to the second. */
    public static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** Writes the report as indented JSON. */
    public void write(Path file) {
        try {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
