package videollama.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.BranchOutputs;
import videollama.model.videollama.MediaBranch;

/**
 * The golden test of a media branch's reference path ({@link VisionGoldenTest}, {@link AudioGoldenTest}): each case
 * under testdata/golden/{@code branch} opened as the branch and encoded on the reference backend, every stage
 * against PyTorch's within {@link #TOLERANCE} relative ({@link GoldenCase#assertReferenceEncodesAsExpected}).
 *
 * @param <O> the branch's outputs
 * @param <B> the branch
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // the cases come from this instance's branch
abstract class BranchGoldenTest<O extends BranchOutputs, B extends MediaBranch<? extends BranchEncoder<O>>> {
    /** The project's float32 bound is 1e-4; the reference path holds ten times less against float32 PyTorch. */
    static final double TOLERANCE = 1e-5;

    private final String branch;
    private final Function<Path, B> open;
    private final String input;
    private final String progress;

    /**
     * @param branch   the folder under testdata/golden
     * @param open     opens a case's model folder as the branch
     * @param input    the name of the input tensor in inputs.safetensors
     * @param progress how the encoder's progress lines begin, before "1/N"
     */
    BranchGoldenTest(String branch, Function<Path, B> open, String input, String progress) {
        this.branch = branch;
        this.open = open;
        this.input = input;
        this.progress = progress;
    }

    Stream<GoldenCase> cases() throws IOException {
        return GoldenCase.of(branch);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyStageMatchesPyTorch(GoldenCase c) {
        try (B opened = open.apply(c.dir())) {
            O out = c.assertReferenceEncodesAsExpected(opened, input, TOLERANCE, progress);
            assertLaterStages(c, opened, out);
        }
    }

    /** What a branch checks beyond the stages its encoder dumps (nothing, unless overridden). */
    void assertLaterStages(GoldenCase c, B opened, O out) {}
}
