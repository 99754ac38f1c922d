package videollama.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.model.videollama.BranchEncoder;
import videollama.model.videollama.BranchOutputs;
import videollama.model.videollama.MediaBranch;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * One golden case of a media branch (testdata/golden/vision/*, testdata/golden/audio/*): a model folder (weights,
 * videollama.json) with its inputs.safetensors and the expected stages in expected.safetensors, as the scripts in
 * scripts/reference/ wrote them. The vision and audio golden and device tests read their cases through it.
 */
record GoldenCase(String name, Path dir) {
    /** Every case under testdata/golden/{@code branch}, by name; at least two. */
    static Stream<GoldenCase> of(String branch) throws IOException {
        try (Stream<Path> dirs = Files.list(TestFiles.golden(branch))) {
            List<GoldenCase> list = dirs.filter(Files::isDirectory).sorted()
                    .map(d -> new GoldenCase(d.getFileName().toString(), d)).toList();
            assertTrue(list.size() >= 2, "golden " + branch + " cases present: " + list);
            return list.stream();
        }
    }

    /** The case named {@code name} under testdata/golden/{@code branch}. */
    static GoldenCase named(String branch, String name) {
        return new GoldenCase(name, TestFiles.golden(branch).resolve(name));
    }

    Path inputs() {
        return dir.resolve("inputs.safetensors");
    }

    Path expected() {
        return dir.resolve("expected.safetensors");
    }

    /** The input tensor {@code name} as floats, its first dimension (frames, clips) in {@code count[0]}. */
    float[] input(String name, int[] count) {
        try (SafetensorsFile inputs = SafetensorsFile.open(inputs())) {
            Tensor t = inputs.get(name);
            count[0] = Math.toIntExact(t.dim(0));
            return t.toFloatArray();
        }
    }

    /**
     * This case's {@code input} (frames or fbank clips, their count the first dimension) through {@code branch} on
     * the reference backend: every stage it dumps against expected.safetensors within {@code tolerance}, shapes
     * included, and its progress lines counting the inputs ({@code progress} + "1/N" first, "N/N" among them).
     */
    <O extends BranchOutputs> O assertReferenceEncodesAsExpected(MediaBranch<? extends BranchEncoder<O>> branch, String input,
                                                               double tolerance, String progress) {
        int[] count = new int[1];
        float[] values = input(input, count);
        List<String> lines = new ArrayList<>();
        O out;
        try (Backend reference = Backends.open("reference");
             BranchEncoder<O> encoder = branch.encoder(reference)) {
            out = encoder.encode(values, count[0], lines::add);
        }
        try (SafetensorsFile expected = SafetensorsFile.open(expected())) {
            Tolerance.assertStagesClose(out.dumpTensors(), expected::get, tolerance, name);
        }
        assertEquals(progress + "1/" + count[0], lines.getFirst());
        assertTrue(lines.contains(progress + count[0] + "/" + count[0]), lines.toString());
        return out;
    }

    @Override
    public String toString() {
        return name;
    }
}
