package videollama.loader.audio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import videollama.loader.TestMedia;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/**
 * One stream of testdata/golden/aac (scripts/reference/make_aac_golden.py): FFmpeg's float decode of the whole
 * stream ({@code pcm}, [channels][samples]) and what the stream is: its tool counts from an independent walk of the
 * bitstream, the tools it was made for, the SNRs of other decoders against FFmpeg's.
 */
record AacGolden(String name, Path file, int sampleRate, float[][] pcm, Map<String, Long> tools, List<String> madeFor,
                 String crosscheck) {
    static Stream<AacGolden> all() {
        try (Stream<Path> files = Files.list(TestMedia.root().resolve("testdata/golden/aac"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted()
                    .map(n -> load(n.substring(0, n.length() - ".safetensors".length()))).toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AacGolden load(String name) {
        Path path = TestMedia.root().resolve("testdata/golden/aac").resolve(name + ".safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, String> meta = f.metadata();
            Tensor t = f.find("pcm").orElseThrow();
            int channels = Integer.parseInt(meta.get("channels"));
            int samples = Integer.parseInt(meta.get("samples"));
            float[] flat = t.toFloatArray();
            float[][] pcm = new float[channels][];
            for (int c = 0; c < channels; c++) {
                pcm[c] = Arrays.copyOfRange(flat, c * samples, (c + 1) * samples);
            }
            JsonNode json = new ObjectMapper().readTree(meta.get("tools"));
            Map<String, Long> tools = new java.util.LinkedHashMap<>();
            json.properties().forEach(e -> tools.put(e.getKey(), e.getValue().asLong()));
            return new AacGolden(name, TestMedia.root().resolve(meta.get("file")), Integer.parseInt(meta.get("sample_rate")),
                    pcm, tools, List.of(meta.get("made_for").split(",")), meta.getOrDefault("crosscheck", ""));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int channels() {
        return pcm.length;
    }

    int samples() {
        return pcm[0].length;
    }

    @Override
    public String toString() {
        return name;
    }
}
