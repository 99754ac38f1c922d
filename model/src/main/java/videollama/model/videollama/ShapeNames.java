package videollama.model.videollama;

import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The names a benchmark's {@code --shape} takes for a synthetic branch ({@link SyntheticVisionBranch#parse},
 * {@link SyntheticAudioBranch#parse}): {@code released}, {@code released-N} (the released widths with N encoder
 * blocks, for a plain-Java path on which the released depth is too slow) or a name of the branch's shape list.
 */
final class ShapeNames {
    private ShapeNames() {}

    /**
     * @param encoder        the encoder's name in messages ("ViT")
     * @param releasedBlocks the released encoder's depth
     * @param released       the released shape with N blocks; throws for N outside 1 .. releasedBlocks
     */
    static <S> S parse(String text, String encoder, int releasedBlocks, IntFunction<S> released, List<S> shapes, Function<S, String> name) {
        if (text.equals("released")) {
            return released.apply(releasedBlocks);
        }
        if (text.startsWith("released-")) {
            String blocks = text.substring("released-".length());
            if (!blocks.matches("\\d{1,3}")) {
                throw new IllegalArgumentException("'" + text + "': expected released-N, N the " + encoder + " blocks (1 to "
                        + releasedBlocks + ")");
            }
            return released.apply(Integer.parseInt(blocks));
        }
        return shapes.stream().filter(s -> name.apply(s).equals(text)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown shape '" + text + "' (choose released, released-N for N of the " + releasedBlocks
                        + " " + encoder + " blocks, or " + String.join(", ", shapes.stream().map(name).toList()) + ")"));
    }

    /** The shape of {@code shapes} named {@code wanted}; an error listing the names for any other. */
    static <S> S named(String wanted, List<S> shapes, Function<S, String> name) {
        return shapes.stream().filter(s -> name.apply(s).equals(wanted)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown shape '" + wanted + "' (choose one of "
                        + String.join(", ", shapes.stream().map(name).toList()) + ")"));
    }

    /** The error for a released shape of {@code blocks} blocks, if it has too few or too many. */
    static void checkBlocks(int blocks, String encoder, int releasedBlocks) {
        if (blocks < 1 || blocks > releasedBlocks) {
            throw new IllegalArgumentException("the released " + encoder + " has 1 to " + releasedBlocks + " blocks, not " + blocks);
        }
    }
}
