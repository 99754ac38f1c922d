package videollama.model.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import videollama.model.chat.ChatTemplate.Turn;

/** The prompt strings of docs/model.md section 6.1, written out by hand from the reference {@code get_prompt()}. */
class ChatTemplateTest {
    /** Each template with a system message and one question, then with an empty system message and two turns. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "VICUNA | SYS###Human: hi###Assistant: | ###Human: q1###Assistant: a1###Human: q2###Assistant:",
        "LLAMA2 | '[INST] <<SYS>>\nSYS\n<</SYS>>\n\nhi [/INST]' | '[INST] <<SYS>>\n\n<</SYS>>\n\nq1 [/INST] a1 </s><s>[INST] q2 [/INST]'",
    })
    void singleAndMultiTurn(ChatTemplate template, String singleTurn, String twoTurns) {
        assertEquals(singleTurn, template.render("SYS", List.of(new Turn("hi", null))));
        assertEquals(twoTurns, template.render("", List.of(new Turn("q1", "a1"), new Turn("q2", null))));
    }

    @Test
    void defaultsStopsAndChoice() {
        assertEquals("", ChatTemplate.VICUNA.defaultSystem());
        assertEquals(List.of("###"), ChatTemplate.VICUNA.stopStrings());
        assertEquals(List.of(), ChatTemplate.LLAMA2.stopStrings());
        assertEquals(ChatTemplate.VICUNA, ChatTemplate.forVocabulary(32001));
        assertEquals(ChatTemplate.LLAMA2, ChatTemplate.forVocabulary(32000));
        assertEquals(ChatTemplate.LLAMA2, ChatTemplate.byId("llama2"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.byId("chatml"));
        assertThrows(IllegalArgumentException.class, () -> ChatTemplate.LLAMA2.render("", List.of(new Turn("q", "a"))));
    }

    @Test
    void answerCleanUp() {
        assertEquals("A dog runs.", ChatTemplate.VICUNA.cleanAnswer(" A dog runs.###Human: more"));
        assertEquals("yes", ChatTemplate.VICUNA.cleanAnswer("Assistant: yes"));
        assertEquals("A cat.", ChatTemplate.LLAMA2.cleanAnswer("  A cat. </s>junk"));
    }
}
