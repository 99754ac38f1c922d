package videollama.repro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import videollama.app.Errors;

/** Each dataset's annotation files, as distributed, to questions: ids, answers, types and where the videos are looked for. */
class DatasetTest {
    @TempDir
    Path tmp;

    private static Map<String, Question> byId(List<Question> questions) {
        return questions.stream().collect(Collectors.toMap(Question::id, Function.identity()));
    }

    @Test
    void msvdFindsClipsByTheirYouTubeNamesThroughTheMapping() {
        List<Question> qs = Dataset.MSVD.read(TinyData.annotations(Dataset.MSVD));
        assertEquals(List.of("30001", "30002", "30003", "30004", "30005", "30006"), qs.stream().map(Question::id).toList());
        Question q = byId(qs).get("30004");
        assertEquals("how does the pattern move?", q.question());
        assertEquals("slowly", q.answer());
        assertEquals("how", q.type());
        assertEquals("vid1", q.video().name());
        assertEquals("tinyClipA01_0_2.avi", q.video().expected());
        // the clip's YouTube name first, then the renamed vidN, each with .avi first
        List<String> names = q.video().fileNames();
        assertEquals("vid1.avi", names.get(VideoRef.EXTENSIONS.size()));
        assertTrue(q.video().origin().contains("tinyClipA01_0_2 in youtube_mapping.txt"), q.video().origin());
    }

    @Test
    void msvdWithoutTheMappingLooksForRenamedClips() {
        Question q = Dataset.MSVD.read(List.of(TinyData.eval().resolve("msvd/test_qa.json"))).getFirst();
        assertEquals(List.of("vid1"), q.video().stems());
        assertEquals("vid1.avi", q.video().expected());
    }

    @Test
    void msrvttNamesVideosByTheirNumber() {
        Map<String, Question> qs = byId(Dataset.MSRVTT.read(TinyData.annotations(Dataset.MSRVTT)));
        assertEquals(6, qs.size());
        assertEquals("video9002.mp4", qs.get("158006").video().expected());
        assertEquals("where", qs.get("158006").type());
        assertEquals("right", qs.get("158006").answer());
    }

    @Test
    void activityNetJoinsQuestionsAndAnswersByIdInEitherOrder() throws IOException {
        Path q = TinyData.eval().resolve("activitynet/test_q.json");
        // the answers shuffled, and the files given answers first: the join is by question_id, not by position
        List<String> answers = new ArrayList<>(List.of(Files.readString(TinyData.eval().resolve("activitynet/test_a.json"))
                .strip().replaceAll("^\\[|]$", "").split("(?<=}),\\s*")));
        Collections.reverse(answers);
        Path a = Files.writeString(tmp.resolve("test_a.json"), "[" + String.join(", ", answers) + "]", StandardCharsets.UTF_8);
        List<Question> qs = Dataset.ACTIVITYNET.read(List.of(a, q));
        assertEquals("v_tinyAnet001_0", qs.getFirst().id());
        Map<String, Question> byId = byId(qs);
        assertEquals("green", byId.get("v_tinyAnet002_1").answer());
        assertEquals("color", byId.get("v_tinyAnet002_1").type());
        assertEquals("yes/no", byId.get("v_tinyAnet001_0").type());
        assertEquals("temporal relation", byId.get("v_tinyAnet001_2").type());
        assertEquals("number", byId.get("v_tinyAnet004_4").type());
        // ActivityNet's files carry v_ before the YouTube id; copies without it are tried too
        assertEquals(List.of("v_tinyAnet002", "tinyAnet002"), byId.get("v_tinyAnet002_1").video().stems());
    }

    @Test
    void activityNetQuestionWithoutAnswerNamesTheAnswerFile() throws IOException {
        Path a = Files.writeString(tmp.resolve("test_a.json"), "[{\"answer\": \"no\", \"type\": 3, \"question_id\": \"v_tinyAnet001_0\"}]");
        Errors.UsageFailure e = assertThrows(Errors.UsageFailure.class,
                () -> Dataset.ACTIVITYNET.read(List.of(TinyData.eval().resolve("activitynet/test_q.json"), a)));
        assertTrue(e.getMessage().startsWith(a + ": no answer for question_id v_tinyAnet002_1"), e.getMessage());
    }

    @Test
    void tgifFrameQaReadsTheTabSeparatedTable() {
        Map<String, Question> qs = byId(Dataset.TGIF.read(TinyData.annotations(Dataset.TGIF)));
        Question q = qs.get("FRAMEQA90002");
        assertEquals("how many circles are in the picture ?", q.question());
        assertEquals("one", q.answer());
        assertEquals("number", q.type());
        assertEquals("tumblr_tinygif01o1_250.gif", q.video().expected());
        assertEquals("color", qs.get("FRAMEQA90001").type());
    }

    @Test
    void generativeBenchmarkNumbersEachVideosQuestionsAsItsJudgingScriptsDo() {
        List<Question> qs = Dataset.GENERIC.read(TinyData.annotations(Dataset.GENERIC));
        assertEquals(List.of("v_tinyBench01_0", "v_tinyBench02_0", "v_tinyBench01_1", "v_tinyBench03_0", "v_tinyBench02_1",
                "v_tinyBench04_0", "v_tinyBench01_2", "v_tinyBench02_2", "v_tinyBench01_3", "v_tinyBench02_3"),
                qs.stream().map(Question::id).toList());
        assertNull(qs.getFirst().question2());
        assertNull(qs.getFirst().type());
        assertEquals("v_tinyBench01.mp4", qs.getFirst().video().expected());
    }

    @Test
    void consistencyQuestionsComeInPairs() {
        Question q = Dataset.CONSISTENCY.read(TinyData.annotations(Dataset.CONSISTENCY)).get(1);
        assertEquals("v_tinyBench02_0", q.id());
        assertEquals("What object moves?", q.question());
        assertEquals("Which thing in the video is in motion?", q.question2());
        assertEquals("A box.", q.answer());
    }

    private Errors.UsageFailure failure(Dataset dataset, String name, String content) throws IOException {
        Path file = Files.writeString(tmp.resolve(name), content, StandardCharsets.UTF_8);
        return assertThrows(Errors.UsageFailure.class, () -> dataset.read(List.of(file)));
    }

    @Test
    void malformedFilesAreErrorsNamingFileAndEntry() throws IOException {
        Path file = tmp.resolve("generic_qa.json");
        assertEquals(file + ": not valid JSON at line 1, column 16 (Unexpected character ('}' (code 125)): was expecting double-quote to start field name)",
                failure(Dataset.GENERIC, "generic_qa.json", "[{\"Q\": \"why?\", }]").getMessage());
        assertEquals(file + ": entry 1 has no 'A' (a string or number)",
                failure(Dataset.GENERIC, "generic_qa.json", "[{\"Q\": \"a\", \"A\": \"b\", \"video_name\": \"v\"}, {\"Q\": \"c\", \"video_name\": \"v\"}]").getMessage());
        assertEquals(file + ": expected a JSON list of questions", failure(Dataset.GENERIC, "generic_qa.json", "{\"Q\": \"a\"}").getMessage());
        assertEquals(file + ": holds no questions", failure(Dataset.GENERIC, "generic_qa.json", "[]").getMessage());
        Path qa = tmp.resolve("test_qa.json");
        assertEquals(qa + ": question id 7 appears twice", failure(Dataset.MSRVTT, "test_qa.json",
                "[{\"answer\": \"a\", \"id\": 7, \"question\": \"what?\", \"video_id\": 1}, {\"answer\": \"b\", \"id\": 7, \"question\": \"who?\", \"video_id\": 2}]").getMessage());
        Path csv = tmp.resolve("Test_frameqa_question.csv");
        assertEquals(csv + ": line 3 has 2 tab-separated cells, the header 4", failure(Dataset.TGIF, "Test_frameqa_question.csv",
                "gif_name\tquestion\tanswer\tvid_id\ng\twhat?\tcat\tFRAMEQA1\ng\twhat?\n").getMessage());
        assertEquals(csv + ": line 2 has type 9 (expected 0 to 3)", failure(Dataset.TGIF, "Test_frameqa_question.csv",
                "gif_name\tquestion\tanswer\ttype\tvid_id\ng\twhat?\tcat\t9\tFRAMEQA1\n").getMessage());
        assertEquals(tmp.resolve("none.json") + ": not found", assertThrows(Errors.UsageFailure.class,
                () -> Dataset.MSRVTT.read(List.of(tmp.resolve("none.json")))).getMessage());
    }

    @Test
    void aBadMappingLineIsAnErrorNamingTheLine() throws IOException {
        Path mapping = Files.writeString(tmp.resolve("youtube_mapping.txt"), "abc_1_2 vid1\nabc_3_4\n");
        Errors.UsageFailure e = assertThrows(Errors.UsageFailure.class,
                () -> Dataset.MSVD.read(List.of(TinyData.eval().resolve("msvd/test_qa.json"), mapping)));
        assertEquals(mapping + ": line 2 is not '<clip name> vidN'", e.getMessage());
    }
}
