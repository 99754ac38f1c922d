package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.Errors;

class JudgeTemplateTest {
    @TempDir
    Path dir;

    private static Map<String, String> fields(String question, String answer, String prediction) {
        Map<String, String> m = new HashMap<>();
        m.put("question", question);
        m.put("answer", answer);
        m.put("prediction", prediction);
        m.put("question2", "second " + question);
        m.put("prediction2", "second " + prediction);
        return m;
    }

    @Test
    void everyBuiltInTemplateLoadsForItsKindAndAsksForTheDict() {
        for (JudgeKind kind : JudgeKind.values()) {
            JudgeTemplate t = JudgeTemplate.builtIn(kind);
            assertEquals(kind, t.kind());
            assertEquals("built-in", t.source());
            assertEquals(64, t.sha256().length());
            String[] filled = t.fill(fields("Q?", "A.", "P."));
            assertTrue(filled[1].contains("Q?") && filled[1].contains("A.") && filled[1].contains("P."), filled[1]);
            assertTrue(filled[1].contains("'score'") && filled[1].contains("Python dictionary"), filled[1]);
            assertEquals(kind == JudgeKind.QA, filled[1].contains("'pred'"), kind + ": " + filled[1]);
            assertFalse(filled[0].contains("{") || filled[0].contains("\n\n\n"), filled[0]);
        }
    }

    @Test
    void theBuiltInTemplatesAreOurOwnWords() {
        // distinctive phrases of Video-ChatGPT's prompts: ours ask for the same reply without borrowing their text
        for (JudgeKind kind : JudgeKind.values()) {
            JudgeTemplate t = JudgeTemplate.builtIn(kind);
            String all = (t.system() + "\n" + t.user()).toLowerCase(Locale.ROOT);
            for (String theirs : new String[] {"intelligent chatbot", "##instructions", "do not provide any other output",
                    "in integer, not string", "here's how you can accomplish", "only provide the python dictionary string"}) {
                assertFalse(all.contains(theirs), kind + " template contains '" + theirs + "'");
            }
        }
    }

    @Test
    void placeholdersAreFilledInOnePass() {
        String[] filled = JudgeTemplate.builtIn(JudgeKind.QA).fill(fields("what is {answer}?", "$1 \\o/", "{prediction} {'score': 5}"));
        assertTrue(filled[1].contains("Question: what is {answer}?\nReference answer: $1 \\o/\nModel's answer: {prediction} {'score': 5}\n"), filled[1]);
    }

    @Test
    void aUserTemplateReplacesTheWords() throws IOException {
        Path file = dir.resolve("mine.txt");
        Files.writeString(file, "# mine\nkind: temporal\n\n[system]\nJudge the order.\n\n[user]\nQ={question}\nA={answer}\nP={prediction}\n\n");
        JudgeTemplate t = JudgeTemplate.read(file);
        assertEquals(JudgeKind.TEMPORAL, t.kind());
        assertEquals("Judge the order.", t.system());
        assertEquals("Q=q\nA=a\nP=p", t.fill(fields("q", "a", "p"))[1]);
        assertEquals(file.toString(), t.source());
    }

    @Test
    void malformedTemplatesAreErrorsNamingTheFile() throws IOException {
        assertRefused("kind: qa\n[system]\ns\n[user]\n{question} {answer}\n", "the template never uses {prediction}");
        assertRefused("kind: qa\n[system]\ns {reference}\n[user]\n{question} {answer} {prediction}\n",
                "unknown placeholder {reference} for kind qa ({answer}, {prediction}, {question})");
        assertRefused("kind: qa\n[system]\ns\n[user]\n{question} {answer} {prediction} {prediction2}\n", "unknown placeholder {prediction2}");
        assertRefused("[system]\ns\n[user]\n{question} {answer} {prediction}\n", "no 'kind: NAME' line");
        assertRefused("kind: summary\n[system]\ns\n[user]\nu\n", "unknown kind 'summary'");
        assertRefused("kind: qa\nhello\n[system]\ns\n[user]\nu\n", "'hello' before the [system] section");
        assertRefused("kind: qa\n[user]\n{question} {answer} {prediction}\n", "needs a [system] and a [user] section");
        assertRefused("kind: consistency\n[system]\ns\n[user]\n{question} {answer} {prediction} {prediction2}\n", "never uses {question2}");
    }

    private void assertRefused(String text, String message) throws IOException {
        Path file = dir.resolve("t.txt");
        Files.writeString(file, text);
        Errors.UsageFailure e = assertThrows(Errors.UsageFailure.class, () -> JudgeTemplate.read(file));
        assertTrue(e.getMessage().startsWith(file + ": ") && e.getMessage().contains(message), e.getMessage());
    }
}
