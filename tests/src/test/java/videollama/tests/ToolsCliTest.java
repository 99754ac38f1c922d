package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code tokenize} and {@code inspect}. */
class ToolsCliTest {
    @Test
    void tokenizePrintsSentencePieceIdsOnOneLine() {
        String llama = TestFiles.root().resolve("testdata/tokenizer").toString();
        Cli run = Cli.run("tokenize", "--model", llama, "Hello world");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("15043 3186\n", run.out()); // llama.cpp's reference encoding
        assertEquals("1 15043 3186\n", Cli.run("tokenize", "--model", llama, "--bos", "Hello world").out());
        assertEquals("\n", Cli.run("tokenize", "--model", llama, "").out());
        assertEquals("1\n", Cli.run("tokenize", "--model", llama, "--bos", "").out());
        // literal special tokens become their ids, as the Hugging Face slow tokenizer does
        assertEquals("2 1\n", Cli.run("tokenize", "--model", llama, "</s><s>").out());
    }

    @Test
    void inspectListsTensors() {
        Cli run = Cli.run("inspect", TestFiles.bundledModel().resolve("model.safetensors").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("model\\.embed_tokens\\.weight\\s+F32\\s+\\[512, 64]")), run.out());
        assertTrue(run.out().contains("48 tensors"), run.out());
        Cli folder = Cli.run("inspect", TestFiles.bundledModel().toString());
        assertEquals(run.out(), folder.out());
    }
}
