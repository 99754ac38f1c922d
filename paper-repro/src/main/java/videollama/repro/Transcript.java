package videollama.repro;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import videollama.model.generate.GenerationSettings;
import videollama.model.generate.SamplingSettings;

/**
 * The Markdown of {@code eval conversations}: what ran where, then each conversation as its settings, the questions
 * and answers in order, and a table of the time each stage took.
 */
final class Transcript {
    private Transcript() {}

    static String header(String tool, String date, Path model, String modelSummary, String backend, String decoder) {
        return "# Conversations\n\nReplayed by " + tool + " on " + date + ".\n\n| | |\n|---|---|\n"
                + "| Model | `" + model + "`: " + modelSummary + " |\n"
                + "| Backend | " + backend + " |\n"
                + (decoder == null ? "" : "| Media decoder | " + decoder + " |\n") + "\n";
    }

    static String markdown(String header, List<ConversationsCommand.Conversation> conversations) {
        StringBuilder md = new StringBuilder(header);
        int n = 0;
        for (ConversationsCommand.Conversation c : conversations) {
            ConversationCase.Checked source = c.source();
            md.append("## ").append(++n).append(". ").append(oneLine(source.title())).append("\n\n| | |\n|---|---|\n");
            md.append("| Media | ").append(media(source)).append(" |\n");
            md.append("| Template | ").append(c.template().id()).append(" |\n");
            md.append("| System message | ").append(c.system().isEmpty() ? "(empty)" : oneLine(c.system())).append(" |\n");
            if (source.image() == null && source.audioOnly() == null) {
                md.append("| Frames | ").append(c.frames()).append(" |\n");
            }
            SamplingSettings s = c.settings().sampling();
            md.append("| Sampling | ").append(s.isGreedy() ? "greedy" : String.format(Locale.ROOT, "temperature %s, top-k %d, top-p %s",
                    s.temperature(), s.topK(), s.topP())).append(", at most ").append(c.settings().maxNewTokens()).append(" new tokens");
            GenerationSettings g = c.settings();
            if (g.numBeams() > 1) {
                md.append(String.format(Locale.ROOT, ", %d beams (length penalty %s)", g.numBeams(), g.lengthPenalty()));
            }
            if (g.repetitionPenalty() != 1f) {
                md.append(", repetition penalty ").append(g.repetitionPenalty());
            }
            if (g.minLength() > 1) {
                md.append(", min length ").append(g.minLength());
            }
            md.append(" |\n");
            md.append("| Seed | ").append(s.seed()).append(c.seedGiven() ? "" : " (drawn for this run: put it in the case to repeat it)").append(" |\n\n");
            for (ConversationsCommand.Turn t : c.turns()) {
                md.append("**User:** ").append(paragraph(t.question())).append("\n\n");
                md.append("**Video-LLaMA:** ").append(paragraph(t.answer())).append("\n\n");
                if (t.droppedPositions() > 0) {
                    md.append("(The conversation outgrew the context: its first ").append(t.droppedPositions())
                            .append(" positions were dropped, as the reference does.)\n\n");
                }
            }
            md.append(Double.isNaN(c.mediaMs()) ? "Media encoded for an earlier conversation, reused.\n\n"
                    : String.format(Locale.ROOT, "Media decoded and encoded in %.0f ms.%n%n", c.mediaMs()));
            md.append("| Turn | Prompt positions | Prefill ms | Answer tokens | Decode ms | Decode tokens/s | Stop |\n");
            md.append("|---:|---:|---:|---:|---:|---:|---|\n");
            int turn = 0;
            for (ConversationsCommand.Turn t : c.turns()) {
                md.append(String.format(Locale.ROOT, "| %d | %d | %.1f | %d | %.1f | %.1f | %s |%n", ++turn, t.promptPositions(),
                        t.prefillMs(), t.tokens(), t.decodeMs(), t.decodeTokensPerSecond(), t.stop()));
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static String media(ConversationCase.Checked c) {
        if (c.video() != null) {
            return "video `" + c.source().video() + "`" + (c.audio() ? " with its sound track" : "");
        }
        return c.image() != null ? "image `" + c.source().image() + "`" : "sound `" + c.source().audioOnly() + "`";
    }

    private static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").replace("|", "\\|").strip();
    }

    /** Text as one Markdown paragraph: its line breaks kept as hard breaks. */
    private static String paragraph(String s) {
        return s.strip().replace("\r", "").replaceAll("\n+", "  \n");
    }
}
