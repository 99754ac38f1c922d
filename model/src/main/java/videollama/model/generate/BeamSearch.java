package videollama.model.generate;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import videollama.model.llama.LlamaConfig;
import videollama.model.llama.LlamaSession;
import videollama.model.tokenizer.SentencePieceTokenizer;
import videollama.model.tokenizer.TokenPrinter;

/**
 * Beam search and beam sampling as transformers 4.28 runs them for the reference's {@code answer()}: its
 * {@code beam_search} / {@code beam_sample} loops with {@code BeamSearchScorer} and {@code BeamHypotheses}
 * ({@code early_stopping=False}, one returned sequence), written out here because nothing in the JDK does beams and
 * the reference's numbers (scores, the order of candidates, when it stops) are the specification. Per step, for each
 * beam: log-softmax of the logits, the {@link LogitsProcessors}, plus the beam's running score; when sampling, the
 * warpers on that sum (temperature, top-k, top-p, each keeping at least 2). Then the 2·beams best (or, sampling, drawn
 * without replacement from the softmax over all beams' rows, then sorted) candidates: an EOS among the first
 * {@code beams} of them finishes that beam's sequence as a hypothesis, the first {@code beams} others continue.
 *
 * <p>Every beam has its own {@link LlamaSession}: the prompt is prefilled once and forked, and after each step a beam
 * that continues another beam's sequence gets that beam's cache rows past the prompt copied into its session (the
 * first child of a beam keeps its parent's session, so a step copies only for beams that split).
 */
public final class BeamSearch {
    private final SentencePieceTokenizer tokenizer;

    /** One step: the tokens the beams continue with, the beam each continues, and the beams' running scores. */
    public record Step(int[] tokens, int[] parents, float[] scores) {}

    public BeamSearch(SentencePieceTokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    /**
     * Generates with {@code settings.numBeams()} beams after {@code promptLength} prompt rows; {@code first} must be
     * empty, later beams' sessions are forked from it and closed here. The text reaches {@code onText} at the end, in
     * one piece; {@code onStep} (may be null) sees every step.
     */
    public Generation generate(LlamaSession first, float[] promptEmbeddings, int promptLength, GenerationSettings settings,
                               boolean continuesText, Consumer<String> onText, Consumer<Step> onStep) {
        int beams = settings.numBeams();
        LlamaConfig config = first.config();
        int vocab = config.vocabSize();
        // 4.28: max_length = max_new_tokens + input_ids.shape[-1], and input_ids is that one BOS
        int maxLength = settings.maxNewTokens() + 1;
        boolean sampling = !settings.sampling().isGreedy();
        Sampler sampler = new Sampler(settings.sampling());
        LogitsProcessors processors = new LogitsProcessors(settings, config.eosTokenIds(), vocab);
        if (promptLength == 0 || settings.maxNewTokens() == 0) {
            return new Generation(new int[0], "", StopReason.LENGTH, promptLength, 0, 0, 0, beams, Float.NaN, List.of());
        }
        long start = System.nanoTime();
        float[] promptLogits = first.forward(promptEmbeddings, promptLength, false);
        long prefillEnd = System.nanoTime();

        LlamaSession[] sessions = new LlamaSession[beams];
        sessions[0] = first;
        try {
            for (int b = 1; b < beams; b++) {
                sessions[b] = first.fork();
            }
            int[][] ids = new int[beams][maxLength];
            for (int[] row : ids) {
                row[0] = config.bosTokenId();
            }
            int length = 1;
            // only the first beam is live at the start, so the first step's candidates are distinct
            float[] beamScores = new float[beams];
            Arrays.fill(beamScores, 1, beams, -1e9f);
            float[][] logits = new float[beams][];
            Arrays.fill(logits, promptLogits);
            float[][] scores = new float[beams][vocab];
            Hypotheses finished = new Hypotheses(beams, settings.lengthPenalty());
            boolean done = false;
            StopReason ended;
            int steps = 0;
            while (true) {
                for (int b = 0; b < beams; b++) {
                    NonFiniteLogitsException.check(logits[b]);
                    logSoftmax(logits[b], scores[b]);
                    processors.apply(scores[b], 0, ids[b], length);
                    for (int i = 0; i < vocab; i++) {
                        scores[b][i] += beamScores[b];
                    }
                    if (sampling) {
                        // warpers after adding the running score (4.28's beam_sample): temperature compounds over steps
                        sampler.warp(scores[b], 2);
                    }
                }
                int[] candidates = sampling ? sortedByScore(scores, sampler.drawDistinct(scores, 2 * beams))
                        : top(scores, 2 * beams);

                // BeamSearchScorer.process
                int[] nextTokens = new int[beams];
                int[] parents = new int[beams];
                float[] nextScores = new float[beams];
                int kept = 0;
                for (int rank = 0; rank < candidates.length && kept < beams; rank++) {
                    int token = candidates[rank] % vocab;
                    int parent = candidates[rank] / vocab;
                    float score = scores[parent][token];
                    if (config.isEos(token)) {
                        // an EOS outside the top `beams` candidates is not a hypothesis
                        if (rank < beams) {
                            finished.add(ids[parent], length, score, true);
                        }
                    } else {
                        nextTokens[kept] = token;
                        parents[kept] = parent;
                        nextScores[kept] = score;
                        kept++;
                    }
                }
                if (kept < beams) {
                    throw new IllegalStateException("fewer than " + beams + " candidates that are not EOS");
                }
                done = done || finished.isDone(scores[candidates[0] / vocab][candidates[0] % vocab], length);

                int[][] nextIds = new int[beams][];
                for (int b = 0; b < beams; b++) {
                    nextIds[b] = ids[parents[b]].clone();
                    nextIds[b][length] = nextTokens[b];
                }
                sessions = reorder(sessions, parents, promptLength);
                ids = nextIds;
                length++;
                beamScores = nextScores;
                if (onStep != null) {
                    onStep.accept(new Step(nextTokens.clone(), parents.clone(), nextScores.clone()));
                }
                if (done) {
                    ended = StopReason.EOS;
                    break;
                }
                if (length >= maxLength) {
                    ended = StopReason.LENGTH;
                    break;
                }
                // the reference's StoppingCriteriaSub reads input_ids[0]: the best running beam
                if (Generator.endsWithStop(ids[0], length, settings.stopTokenIds())) {
                    ended = StopReason.STOP_TOKENS;
                    break;
                }
                if (sessions[0].position() == sessions[0].capacity()) {
                    ended = StopReason.CONTEXT;
                    break;
                }
                for (int b = 0; b < beams; b++) {
                    logits[b] = sessions[b].forwardTokens(new int[] {nextTokens[b]}, false);
                }
                steps++;
            }

            // BeamSearchScorer.finalize: unless done, the running beams join the hypotheses
            if (!done) {
                for (int b = 0; b < beams; b++) {
                    finished.add(ids[b], length, beamScores[b], false);
                }
            }
            Hypothesis best = finished.best();
            // the best sequence gets an EOS when it is shorter than max_length, however it ended
            int[] tokens = Arrays.copyOfRange(best.ids(), 1, best.ids().length + (best.ids().length < maxLength ? 1 : 0));
            if (best.ids().length < maxLength) {
                tokens[tokens.length - 1] = config.eosTokenIds()[0];
            }
            String text = text(tokens, config, settings, continuesText, onText);
            long end = System.nanoTime();
            List<float[]> kept = settings.keepLogits() ? List.of(promptLogits.clone()) : List.of();
            return new Generation(tokens, text, best.eos() ? StopReason.EOS : ended, promptLength, prefillEnd - start,
                    end - prefillEnd, steps, beams, (float) best.score(), kept);
        } finally {
            for (int b = 0; b < beams; b++) {
                if (sessions[b] != null && sessions[b] != first) {
                    sessions[b].close();
                }
            }
        }
    }

    /** The answer's text: its pieces up to the first EOS, cut at the first stop string. */
    private String text(int[] tokens, LlamaConfig config, GenerationSettings settings, boolean continuesText,
                        Consumer<String> onText) {
        TokenPrinter printer = tokenizer.printer(!continuesText);
        StopStringFilter text = new StopStringFilter(settings.stopStrings(), onText);
        for (int token : tokens) {
            if (config.isEos(token)) {
                break;
            }
            if (text.append(token < tokenizer.vocabSize() ? printer.next(token) : "")) {
                return text.text();
            }
        }
        text.append(printer.flush());
        text.finish();
        return text.text();
    }

    /** {@code out = log_softmax(logits)} in float32, as torch computes it: x − max − log Σ exp(x − max). */
    static void logSoftmax(float[] logits, float[] out) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        float logSum = (float) Math.log(sum);
        for (int i = 0; i < logits.length; i++) {
            out[i] = (logits[i] - max) - logSum;
        }
    }

    /** The flat indices (beam · vocab + token) of the {@code k} largest scores, largest first; on ties the lower index. */
    static int[] top(float[][] scores, int k) {
        int vocab = scores[0].length;
        int[] index = new int[k];
        float[] value = new float[k];
        int size = 0;
        for (int b = 0; b < scores.length; b++) {
            for (int i = 0; i < vocab; i++) {
                float v = scores[b][i];
                if (size == k && !(v > value[k - 1])) {
                    continue;
                }
                int at = size == k ? k - 1 : size++;
                while (at > 0 && v > value[at - 1]) {
                    value[at] = value[at - 1];
                    index[at] = index[at - 1];
                    at--;
                }
                value[at] = v;
                index[at] = b * vocab + i;
            }
        }
        return Arrays.copyOf(index, size);
    }

    /** The drawn flat indices sorted by score, largest first (4.28 sorts the drawn candidates descending). */
    private static int[] sortedByScore(float[][] scores, int[] drawn) {
        int vocab = scores[0].length;
        return Arrays.stream(drawn).boxed()
                .sorted((a, b) -> Float.compare(scores[b / vocab][b % vocab], scores[a / vocab][a % vocab]))
                .mapToInt(Integer::intValue).toArray();
    }

    /**
     * Gives beam {@code j} the session of its parent: a parent's first child takes the parent's session as it is,
     * any other child a session no beam continues, into which the parent's rows from {@code from} on are copied.
     */
    private static LlamaSession[] reorder(LlamaSession[] sessions, int[] parents, int from) {
        int beams = sessions.length;
        LlamaSession[] next = new LlamaSession[beams];
        boolean[] isParent = new boolean[beams];
        for (int p : parents) {
            isParent[p] = true;
        }
        boolean[] claimed = new boolean[beams];
        for (int j = 0; j < beams; j++) {
            if (!claimed[parents[j]]) {
                claimed[parents[j]] = true;
                next[j] = sessions[parents[j]];
            }
        }
        Deque<LlamaSession> free = new ArrayDeque<>();
        for (int i = 0; i < beams; i++) {
            if (!isParent[i]) {
                free.add(sessions[i]);
            }
        }
        for (int j = 0; j < beams; j++) {
            if (next[j] == null) {
                LlamaSession s = free.pop();
                s.copyCacheFrom(sessions[parents[j]], from);
                next[j] = s;
            }
        }
        return next;
    }

    /** A sequence kept by the scorer: its ids (with the leading BOS), its length-normalised score, whether EOS ended it. */
    private record Hypothesis(int[] ids, double score, boolean eos) {}

    /** 4.28's {@code BeamHypotheses}: the best {@code beams} finished sequences and the worst score among them. */
    private static final class Hypotheses {
        private final int beams;
        private final double lengthPenalty;
        private final List<Hypothesis> kept = new ArrayList<>();
        private double worst = 1e9;

        Hypotheses(int beams, double lengthPenalty) {
            this.beams = beams;
            this.lengthPenalty = lengthPenalty;
        }

        /** {@code ids[0, length)} with summed log-probability {@code sum}: kept when among the best {@code beams}. */
        void add(int[] ids, int length, float sum, boolean eos) {
            double score = sum / Math.pow(length, lengthPenalty);
            if (kept.size() < beams || score > worst) {
                kept.add(new Hypothesis(Arrays.copyOf(ids, length), score, eos));
                if (kept.size() > beams) {
                    // drop the worst (the earliest of equal ones, as Python's sort of (score, index) pairs does)
                    int drop = 0;
                    for (int i = 1; i < kept.size(); i++) {
                        if (kept.get(i).score() < kept.get(drop).score()) {
                            drop = i;
                        }
                    }
                    kept.remove(drop);
                    worst = kept.stream().mapToDouble(Hypothesis::score).min().orElseThrow();
                } else {
                    worst = Math.min(score, worst);
                }
            }
        }

        /** 4.28's heuristic with early_stopping=False: full, and the best candidate's score over cur_len is no better. */
        boolean isDone(float bestSum, int length) {
            return kept.size() >= beams && worst >= bestSum / Math.pow(length, lengthPenalty);
        }

        /** The highest score; of equal ones the last added (Python's stable sort, then pop()). */
        Hypothesis best() {
            Hypothesis best = kept.getFirst();
            for (Hypothesis h : kept) {
                if (h.score() >= best.score()) {
                    best = h;
                }
            }
            return best;
        }
    }
}
