package videollama.app;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code videollama convert}: the options of a {@link Converter}, the files it wrote on stdout and what the folder can
 * now do on stderr.
 */
@Command(name = "convert", sortOptions = false,
        description = {
            "Convert the released Video-LLaMA files to safetensors in one model folder that --model DIR reads.",
            "",
            "INPUT is a file or a folder. Files: a VL or AL training checkpoint (VL_*.pth, AL_*.pth,"
                    + " finetune-vicuna7b-v2.pth, ...), eva_vit_g.pth, blip2_pretrained_flant5xxl.pth,"
                    + " imagebind_huge.pth, or LLaMA weights (.bin or .safetensors). What a file holds is told from its"
                    + " tensor names (--kind overrides). A folder is a Hugging Face LLaMA folder (config.json,"
                    + " pytorch_model*.bin or *.safetensors, tokenizer.model), or a folder of released files (each *.pth"
                    + " in it and each LLaMA folder below it), such as a downloaded Video-LLaMA-2 repository.",
            "",
            "DIR receives: videollama-vl.safetensors / videollama-al.safetensors (the branch checkpoint's"
                    + " [\"model\"] without buffers, llama_model.* and audio_encoder.*), videollama-eva-vit.safetensors"
                    + " (visual_encoder.*, blocks 0-38), videollama-blip2.safetensors (Qformer.* without its text side,"
                    + " query_tokens, ln_vision.*), videollama-imagebind-audio.safetensors (audio_encoder.*: the audio"
                    + " modality only), and the LLaMA as Hugging Face safetensors shards (model*.safetensors,"
                    + " model.safetensors.index.json) with config.json, tokenizer.model and the other JSON files.",
            "When two inputs hold the same tensor, the one the reference code loads last wins (eva, blip2,"
                    + " imagebind, then the branch checkpoints in the order given), as in its load_state_dict order.",
            ""
        })
final class ConvertCommand extends AppCommand {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The model folder to write (created if needed).")
    Path out;

    @Option(names = "--kind", paramLabel = "KIND",
            description = "What every input file holds, instead of telling it from the tensor names:"
                    + " branch, eva-vit, blip2, imagebind or llama.")
    String kindName;

    @Option(names = "--quantize", paramLabel = "TYPE",
            description = "Store the linear layers' weights of the LLaMA, the ViT-g and the Q-Formers as q8_0: int8 in"
                    + " blocks of 32 with an fp16 scale each (NAME as I8, NAME.q8_0_scales as F16), about half the"
                    + " size of fp16; --model reads such a folder as any other.")
    String quantizeName;

    @Parameters(arity = "1..*", paramLabel = "INPUT", description = "Released files or folders (see above).")
    List<Path> inputs;

    @Override
    public Integer call() {
        CommandLine cli = common.cli();
        CheckpointKind forcedKind = kindName == null ? null
                : OptionValues.parse(cli, "--kind", kindName, CheckpointKind::fromCliName);
        Quantization quantization = quantizeName == null ? null
                : OptionValues.parse(cli, "--quantize", quantizeName, Quantization::fromCliName);
        PrintWriter err = cli.getErr();
        Converter converter = new Converter(out, forcedKind, quantization, err);
        int files;
        // only once every input has been read is anything written: a refused one leaves nothing behind
        try (Converter.Plan plan = converter.plan(inputs)) {
            converter.write(plan, cli.getOut()::println);
            files = plan.conversions().size();
        }
        cli.getOut().flush();
        err.println("converted " + files + " file(s) into " + out + ", the folder for --model");
        FolderAbilities.of(out).lines().forEach(err::println);
        return 0;
    }
}
