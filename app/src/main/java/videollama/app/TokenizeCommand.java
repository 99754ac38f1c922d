package videollama.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import videollama.model.tokenizer.SentencePieceTokenizer;

/** {@code videollama tokenize}: the ids SentencePiece gives for a text, on one line. */
@Command(name = "tokenize",
        description = "Print the token ids of TEXT, space separated, on one line (literal <s>, </s>, <unk> become their ids).")
final class TokenizeCommand extends AppCommand {

    @Option(names = "--model", paramLabel = "DIR", description = "A folder holding tokenizer.model (default: the bundled stories260K).")
    Path model;

    @Option(names = "--bos", description = "Put the BOS id in front.")
    boolean bos;

    @Parameters(index = "0", paramLabel = "TEXT", description = "The text to encode.")
    String text;

    @Override
    public Integer call() {
        Path dir = CommonOptions.modelOrBundled(model);
        Path file = Files.isDirectory(dir) ? dir.resolve("tokenizer.model") : dir;
        SentencePieceTokenizer tokenizer = SentencePieceTokenizer.load(file);
        int[] ids = tokenizer.encode(text);
        String line = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
        if (bos) {
            line = ids.length == 0 ? Integer.toString(tokenizer.bosId()) : tokenizer.bosId() + " " + line;
        }
        common.cli().getOut().println(line);
        return 0;
    }
}
