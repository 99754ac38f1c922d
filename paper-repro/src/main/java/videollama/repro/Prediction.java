package videollama.repro;

/**
 * One question of a dataset and the model's answer to it: a line of {@code predictions.jsonl} ({@link PredictionFile}),
 * what {@code eval qa} writes and {@code eval judge} reads. Field names in the file are these in snake case.
 *
 * @param dataset     msvd, msrvtt, activitynet, tgif, or the generative benchmark's generic, temporal, consistency
 * @param id          the dataset's own question id, unique within the dataset
 * @param video       the video file, relative to the {@code --videos} folder
 * @param question    the question as the dataset words it
 * @param question2   the second question of a consistency pair (the same fact asked twice), else null
 * @param answer      the dataset's reference answer
 * @param type        the dataset's question type where it has one (e.g. ActivityNet-QA's), else null
 * @param prediction  the model's answer, cleaned as the reference demo cleans it; null when {@code error} is set
 * @param prediction2 the answer to {@code question2}, else null
 * @param error       why there is no answer, one line (the video could not be read, ...); null when answered
 * @param timings     where the time went; null when {@code error} is set
 */
public record Prediction(String dataset, String id, String video, String question, String question2, String answer,
                         String type, String prediction, String prediction2, String error, Timings timings) {

    /**
     * @param visionMs        encoding the video (decode, vision branch), shared by its questions: its whole time on the
     *                        first question answered from it, 0 on the others (the soft tokens come from the cache)
     * @param prefillMs       the prompt through the LLaMA
     * @param decodeMs        generating the answer
     * @param promptTokens    positions of the prompt, soft tokens included
     * @param generatedTokens tokens generated
     *                        (for a consistency pair, prefill, decode and both counts are the sums over its two answers)
     */
    public record Timings(double visionMs, double prefillMs, double decodeMs, int promptTokens, int generatedTokens) {}

    public boolean answered() {
        return error == null;
    }
}
