package videollama.loader.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import videollama.loader.TestMedia;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;

/** One case of testdata/golden/audio (scripts/reference/make_audio_golden.py), read whole. */
record AudioGolden(String name, Map<String, String> meta, Map<String, float[]> floats, Map<String, long[]> longs) {
    static final String[] CASES = {"jfk", "jfk-step7", "jfk-copy", "librivox-0870", "tone-8k-u8", "sweep-22k-s16",
            "sweep-44k-s24-short", "stereo-48k-f32-short", "six-channel-8k-s16", "aac-mono-44k", "aac-stereo-48k",
            "flower", "friday", "stream-of-water"};

    static Stream<AudioGolden> all() {
        return Stream.of(CASES).map(AudioGolden::load);
    }

    static AudioGolden load(String name) {
        return load(TestMedia.root().resolve("testdata/golden/audio"), name);
    }

    /** A case in the format of testdata/golden/audio from another folder (testdata/golden/media's sounds). */
    static AudioGolden load(Path dir, String name) {
        Path path = dir.resolve(name + ".safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            Map<String, float[]> floats = new java.util.HashMap<>();
            Map<String, long[]> longs = new java.util.HashMap<>();
            for (String tensorName : file.names()) {
                Tensor t = file.find(tensorName).orElseThrow();
                switch (t.dtype()) {
                    case F32 -> floats.put(tensorName, t.toFloatArray());
                    default -> {
                        long[] values = new long[(int) t.size()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = t.getLong(i);
                        }
                        longs.put(tensorName, values);
                    }
                }
            }
            return new AudioGolden(name, Map.copyOf(file.metadata()), floats, longs);
        }
    }

    Path file() {
        return TestMedia.root().resolve(meta.get("file"));
    }

    int integer(String key) {
        return Integer.parseInt(meta.get(key));
    }

    /**
     * {@code w} against torchaudio.load's decode of this case: the same rate, channel count and length, and the
     * largest |difference| over the first samples of every channel ({@code waveform.head}), returned.
     */
    double headError(Waveform w) {
        assertEquals(integer("sample_rate"), w.sampleRate(), "sample rate");
        assertEquals(integer("channels"), w.channelCount(), "channels");
        assertEquals(integer("samples"), w.frames(), "samples a channel");
        float[] head = floats.get("waveform.head");
        int n = head.length / w.channelCount();
        double max = 0;
        for (int c = 0; c < w.channelCount(); c++) {
            for (int i = 0; i < n; i++) {
                max = Math.max(max, Math.abs(w.channels()[c][i] - head[c * n + i]));
            }
        }
        return max;
    }

    boolean isAac() {
        return floats.containsKey("decode.blocks");
    }

    ClipOptions options() {
        return new ClipOptions(integer("step") == 7 ? ClipSampler.Step.SEVENTHS : ClipSampler.Step.EIGHTHS,
                Boolean.parseBoolean(meta.get("in_place")));
    }

    @Override
    public String toString() {
        return name;
    }
}
