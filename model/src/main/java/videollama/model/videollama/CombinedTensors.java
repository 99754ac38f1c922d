package videollama.model.videollama;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import videollama.weights.SafetensorsFile;
import videollama.weights.Tensor;
import videollama.weights.TensorSource;
import videollama.weights.WeightsException;

/**
 * Several safetensors files of one folder seen as one source: the branch weights may be split over files (the
 * VL checkpoint, the EVA ViT, the BLIP-2 Q-Former, ...). A tensor name in two files is an error, as in {@link
 * videollama.weights.ShardedTensors}: which copy wins would otherwise depend on chance.
 */
final class CombinedTensors implements TensorSource {
    private final String describe;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owners = new LinkedHashMap<>();
    private final List<String> names;

    CombinedTensors(String describe, List<SafetensorsFile> files) {
        this.describe = describe;
        this.files = List.copyOf(files);
        for (SafetensorsFile file : files) {
            for (String name : file.names()) {
                SafetensorsFile earlier = owners.putIfAbsent(name, file);
                if (earlier != null) {
                    throw new WeightsException(describe + ": tensor '" + name + "' is in both " + earlier.path() + " and " + file.path());
                }
            }
        }
        this.names = List.copyOf(new ArrayList<>(owners.keySet()));
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public List<String> names() {
        return names;
    }

    @Override
    public Optional<Tensor> find(String name) {
        SafetensorsFile owner = owners.get(name);
        return owner == null ? Optional.empty() : owner.find(name);
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
