package videollama.repro.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reply's verdict and score as Video-ChatGPT's scripts compute them, or why it is left out. */
class JudgeReplyTest {
    private static List<Object> read(String reply, JudgeKind kind) {
        JudgeReply r = JudgeReply.read(reply, kind, false);
        return Arrays.asList(r.verdict(), r.score(), r.problem());
    }

    @Test
    void qaVerdictsAsTheScriptsReadThem() {
        assertEquals(Arrays.asList("yes", 4, null), read("{'pred': 'yes', 'score': 4}", JudgeKind.QA));
        assertEquals(Arrays.asList("yes", 4, null), read("{'pred': 'Yes', 'score': 4.8}", JudgeKind.QA), "int() truncates 4.8");
        assertEquals(Arrays.asList("no", 0, null), read("{'pred': 'NO', 'score': ' 0 '}", JudgeKind.QA), "int(' 0 ') is 0");
        // 'yes' in pred is tested first, then 'no': "yes, not fully" is a yes and "unknown" a no, as in the original
        assertEquals(Arrays.asList("yes", 3, null), read("{'pred': 'yes, not fully', 'score': 3}", JudgeKind.QA));
        assertEquals(Arrays.asList("no", 2, null), read("{'pred': 'unknown', 'score': 2}", JudgeKind.QA));
        assertEquals(Arrays.asList("neither", 2, null), read("{'pred': 'partly', 'score': 2}", JudgeKind.QA));
        assertEquals(Arrays.asList("yes", 5, null), read("{'score': 5, 'pred': 'yes', 'reason': 'same'}", JudgeKind.QA));
    }

    @Test
    void benchmarkScoresNeedNoVerdict() {
        assertEquals(Arrays.asList(null, 3, null), read("{'score': 3}", JudgeKind.TEMPORAL));
        assertEquals(Arrays.asList(null, 0, null), read("{'score': 0, 'pred': 'no'}", JudgeKind.CONSISTENCY));
    }

    @Test
    void unreadableRepliesSayWhy() {
        assertEquals(Arrays.asList(null, null, "no 'score' key"), read("{'pred': 'yes'}", JudgeKind.QA));
        assertEquals(Arrays.asList(null, null, "no 'pred' key"), read("{'score': 1}", JudgeKind.QA));
        assertEquals(Arrays.asList(null, null, "the score 6 is outside 0..5"), read("{'pred': 'yes', 'score': 6}", JudgeKind.QA));
        assertEquals(Arrays.asList(null, null, "the score -1 is outside 0..5"), read("{'score': -1}", JudgeKind.DETAIL));
        assertEquals(Arrays.asList(null, null, "the score 99999999999999999999 is outside 0..5".replace("99999999999999999999", String.valueOf(Integer.MAX_VALUE))),
                read("{'score': 99999999999999999999}", JudgeKind.DETAIL));
        assertEquals(Arrays.asList(null, null, "the score '4.5' is not an integer"), read("{'score': '4.5'}", JudgeKind.CONTEXT));
        assertEquals(Arrays.asList(null, null, "the score True is not an integer"), read("{'score': True}", JudgeKind.CONTEXT));
        assertEquals(Arrays.asList(null, null, "the score None is not an integer"), read("{'score': None}", JudgeKind.CONTEXT));
        assertEquals(Arrays.asList(null, null, "'pred' is True, not a string"), read("{'pred': True, 'score': 1}", JudgeKind.QA));
        assertEquals(Arrays.asList(null, null, "a Python list or tuple, not a dict"), read("['yes', 4]", JudgeKind.QA));
        assertEquals(Arrays.asList(null, null, "a Python int, not a dict"), read("4", JudgeKind.CORRECTNESS));
        assertEquals(Arrays.asList(null, null, "not a Python literal (not a literal at character 1)"), read("Score: 4", JudgeKind.CORRECTNESS));
    }

    @Test
    void extractDictFindsTheDictInProseAndSaysSo() {
        JudgeReply r = JudgeReply.read("Here is my evaluation:\n{'pred': 'no', 'score': 1}", JudgeKind.QA, true);
        assertEquals(Arrays.asList("no", 1, null, true), Arrays.asList(r.verdict(), r.score(), r.problem(), r.extracted()));
        JudgeReply whole = JudgeReply.read("{'pred': 'no', 'score': 1}", JudgeKind.QA, true);
        assertEquals(false, whole.extracted());
        assertEquals("no Python dict in the reply", JudgeReply.read("It matches.", JudgeKind.QA, true).problem());
    }
}
