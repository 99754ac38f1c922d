package videollama.repro.judge;

/**
 * The judge's word on one answer for one {@link JudgeKind}: a line of {@code judged.jsonl}, in the order of the
 * predictions (and of the kinds within a dataset), whatever order the requests were answered in.
 *
 * @param status  {@link Status#JUDGED}, {@link Status#UNPARSEABLE} (the reply or the response is not what was asked
 *                for: {@code problem} says how), {@link Status#FAILED} (no response after the retries), {@link
 *                Status#NOT_ANSWERED} ({@code eval qa} recorded an error for this question; nothing was asked)
 * @param verdict "yes", "no" or "neither" for QA when judged, else null
 * @param score   0..5 when judged, else null
 * @param reply   what the judge wrote (the message's content, or the response body when that is malformed), else null
 * @param problem why it is not judged, else null
 * @param judgeModel the model the endpoint says answered (OpenAI names the dated snapshot behind an alias)
 * @param extracted  the dict was found inside other text ({@code --extract-dict})
 */
public record Judgement(String dataset, String id, String type, String kind, Status status, String verdict, Integer score,
                        String reply, String problem, String judgeModel, boolean extracted) {

    public enum Status {
        JUDGED, UNPARSEABLE, FAILED, NOT_ANSWERED;

        @com.fasterxml.jackson.annotation.JsonValue
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
