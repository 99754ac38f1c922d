package videollama.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import videollama.model.videollama.ReleasedPart;
import videollama.weights.SafetensorsFile;

/**
 * What a model folder can do once {@code convert} has written into it: answer about videos and images (the
 * video branch), hear sound (the audio branch), and talk at all (the LLaMA), each with the released files still
 * missing for it. Told from the tensor names of its safetensors files and its LLaMA files, so a folder filled by
 * several {@code convert} runs is judged as a whole.
 */
public record FolderAbilities(Path dir, List<String> names, boolean llamaFiles) {

    public static FolderAbilities of(Path dir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.safetensors")) {
            for (Path file : files) {
                try (SafetensorsFile tensors = SafetensorsFile.open(file)) {
                    names.addAll(tensors.names());
                }
            }
        } catch (IOException e) {
            throw new Errors.UsageFailure(dir + ": cannot list the folder: " + Main.oneLine(e.getMessage()));
        }
        boolean llamaFiles = Files.isRegularFile(dir.resolve("config.json"))
                && Files.isRegularFile(dir.resolve("tokenizer.model"));
        return new FolderAbilities(dir, List.copyOf(names), llamaFiles);
    }

    public boolean hasLlama() {
        return llamaFiles && names.contains("model.embed_tokens.weight");
    }

    /** One line per ability: ready, or what is missing and from which released file. */
    public List<String> lines() {
        String llama = hasLlama() ? "yes"
                : "no: missing the LLaMA (convert its Hugging Face folder: config.json, tokenizer.model and the weights)";
        return List.of(
                dir + " can now:",
                "  answer about videos and images (--video, --image): " + branch(ReleasedPart.Branch.VIDEO),
                "  hear sound (--audio, --audio-only):                " + branch(ReleasedPart.Branch.AUDIO),
                "  talk (every command needs the LLaMA):              " + llama);
    }

    private String branch(ReleasedPart.Branch branch) {
        List<ReleasedPart> missing = branch.missing(names);
        if (missing.isEmpty()) {
            return hasLlama() ? "yes" : "yes, once the LLaMA is there";
        }
        return "no: missing " + missing.stream().map(p -> "the " + p.what() + " (convert " + p.releasedFile() + ")")
                .collect(Collectors.joining(", "));
    }
}
