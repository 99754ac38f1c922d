package videollama.tests;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code videollama bench}: an option of another stage, or a bad value of the vision, audio or media stage, is a usage
 * error (exit 2) that names it in one line, found before anything is loaded or timed.
 */
class BenchUsageCliTest {

    @TempDir
    Path cache;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            // vision
            "--stage sound|--stage must be decode, vision, audio or media",
            "--stage vision --tokens 5|--tokens is for --stage decode",
            "--stage vision --prompt-tokens 5|--prompt-tokens is for --stage decode",
            "--frames 4|--frames is for --stage vision",
            "--runs 4 --shape stories260K|--runs is for --stage vision",
            "--stage vision --shape released-40|the released ViT has 1 to 39 blocks, not 40",
            "--stage vision --shape released-x|expected released-N",
            "--stage vision --shape stories110M|unknown shape 'stories110M'",
            "--stage vision --frames 0|--frames: need at least one frame",
            "--stage vision --runs 0|--runs/--warmup",
            "--stage vision --dtype f8|--dtype must be f32, f16, bf16 or q8_0",
            "--stage vision --backend reference --frames 33|--frames: 33 frames, but the frame position embedding has 32 rows",
            // audio
            "--stage sound|--stage must be decode, vision, audio or media, got sound",
            "--stage audio --tokens 5|--tokens is for --stage decode",
            "--stage audio --frames 4|--frames is for --stage vision",
            "--stage audio --dtype f16|--dtype is for --stage decode or vision",
            "--clips 4|--clips is for --stage audio",
            "--stage vision --clips 4|--clips is for --stage audio",
            "--stage audio --shape released-13|the released ImageBind has 1 to 12 blocks, not 13",
            "--stage audio --shape released-|expected released-N, N the ImageBind blocks (1 to 12)",
            "--stage audio --shape narrow-heads-88|unknown shape 'narrow-heads-88'",
            "--stage audio --clips 0|--clips: need at least one clip",
            "--stage audio --runs 0|--runs/--warmup",
            "--stage audio --warmup -1|--runs/--warmup",
            "--stage audio --backend reference --clips 9|--clips: 9 clips, but the clip position embedding has 8 rows",
            // media
            "--stage media --decoder vlc|--decoder: unknown decoder 'vlc' (ffmpeg or java)",
            "--stage media --media /no/such/file.mp4|--media: /no/such/file.mp4 does not exist",
            "--stage media --frames 33|--frames: 1 to 32 frames a load, got 33",
            "--stage media --runs 0|--runs/--warmup",
            "--stage media --clips 3|--clips is for --stage audio",
            "--stage media --tokens 3|--tokens is for --stage decode",
            "--stage media --json x.json|--json is for --stage decode or vision or audio",
            "--decoder java|--decoder is for --stage media",
            "--stage vision --media x.mp4|--media is for --stage media"})
    void badOptionsAreUsageErrors(String options, String message) {
        Cli.assertFailure(Cli.run(("bench " + options + " --cache-dir " + cache).split(" ")), 2, message);
    }
}
