package videollama.app;

import java.util.function.Function;
import picocli.CommandLine;
import videollama.kernels.Backend;
import videollama.kernels.Backends;
import videollama.loader.MediaDecoder;
import videollama.model.chat.ChatTemplate;
import videollama.model.videollama.VideoLlamaConfig;

/**
 * The option values several commands parse the same way (those of other modules too); a bad one is a usage error
 * naming its flag.
 */
public final class OptionValues {
    /** {@code --template}'s help, for every command that takes it. */
    public static final String TEMPLATE_HELP =
            "llama2 or vicuna (default: videollama.json's, else vicuna for a 32001-token vocabulary, else llama2).";
    /** {@code --backend}'s help, for every command that takes it. */
    public static final String BACKEND_HELP = "reference, opencl or cuda (default: the best available).";

    /** {@code --backend}'s help where the default depends on the model ({@link BackendChoice}). */
    public static final String MODEL_BACKEND_HELP = "reference, opencl or cuda (default: CUDA, else OpenCL on a GPU, else OpenCL on the CPU"
            + " for a model of " + BackendChoice.CPU_OPENCL_MIN_WEIGHT_BYTES / 1_000_000 + " MB of weights or more, else reference; the choice and why on stderr).";

    private OptionValues() {}

    /**
     * {@code value} as {@code parser} reads it; where the parser refuses it (an {@link IllegalArgumentException}), a usage
     * error "FLAG: why".
     */
    public static <T> T parse(CommandLine cli, String flag, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, flag + ": " + e.getMessage());
        }
    }

    /** {@code --template NAME}. */
    public static ChatTemplate template(CommandLine cli, String name) {
        return parse(cli, "--template", name, ChatTemplate::byId);
    }

    /**
     * The template a Video-LLaMA chat uses: {@code chosen} ({@code --template}) if given, else the model's
     * {@code videollama.json}'s, else the one its vocabulary implies (32001 tokens: Vicuna).
     */
    public static ChatTemplate template(ChatTemplate chosen, VideoLlamaConfig config, int vocabSize) {
        return chosen != null ? chosen
                : config.template() != null ? ChatTemplate.byId(config.template())
                : ChatTemplate.forVocabulary(vocabSize);
    }

    /** {@code --decoder NAME}, or FFmpeg where its natives load, else the Java decoders, when {@code name} is null. */
    public static MediaDecoder decoder(CommandLine cli, String name) {
        return name == null ? MediaDecoder.preferred() : parse(cli, "--decoder", name, MediaDecoder::parse);
    }

    /** {@code --backend NAME}, or the best backend this machine has when {@code name} is null. */
    public static Backend backend(CommandLine cli, String name) {
        return name == null ? Backends.openBest() : parse(cli, "--backend", name, Backends::open);
    }
}
