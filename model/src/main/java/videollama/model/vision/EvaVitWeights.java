package videollama.model.vision;

import java.util.ArrayList;
import java.util.List;
import videollama.model.CheckedTensors;
import videollama.weights.Tensor;

/**
 * The tensors of BLIP-2's EVA ViT-g/14 by their checkpoint names (docs/model.md section 2.1), and the sizes they define:
 * the width from the patch convolution's output channels, the patch side from its kernel, the number of tokens
 * (and so the frame side) from the position embedding, the MLP width from {@code fc1}, the depth from the block
 * names. They stay in the mapped file in their stored dtype (the released ones are F16).
 */
public final class EvaVitWeights {
    public static final String PREFIX = "visual_encoder.";
    /** EVA's names for a block's modules. */
    static final VitBlock.Names NAMES = new VitBlock.Names("norm1", "qkv", "proj", "norm2");

    /** Token width (ViT-g: 1408). */
    public final int width;
    /** Attention heads (videollama.json's vision.heads), which divide the width, and their width. */
    public final int heads;
    public final int headDim;
    /** Input channels (3). */
    public final int channels;
    /** Patch side and stride (14). */
    public final int patchSize;
    /** Frame side (224). */
    public final int imageSize;
    /** Patches per frame ((224/14)² = 256). */
    public final int patches;
    /** Patches and the class token (257). */
    public final int tokens;
    /** Hidden width of the MLPs (6144). */
    public final int mlpWidth;

    /** {@code patch_embed.proj.weight} [width, channels, patch, patch]. */
    public final Tensor patchWeight;
    /** {@code patch_embed.proj.bias} [width]. */
    public final Tensor patchBias;
    /** {@code cls_token} [1, 1, width]. */
    public final Tensor classToken;
    /** {@code pos_embed} [1, tokens, width]. */
    public final Tensor positions;
    /**
     * The pre-norm blocks. The key projection has no bias: each {@code qkvBias} is EVA's {@code torch.cat((q_bias,
     * torch.zeros_like(v_bias), v_bias))} of the checkpoint's {@code attn.q_bias} and {@code attn.v_bias}, assembled
     * at load.
     */
    public final List<VitBlock<Tensor, Tensor>> blocks;

    /**
     * Reads and checks the ViT's tensors; a missing or mis-shaped tensor is an error naming it.
     *
     * @throws videollama.weights.WeightsException for a missing, mis-typed or mis-shaped tensor, or sizes that do
     *         not fit together (a head count that does not divide the width, a position embedding that is not
     *         a square grid plus one)
     */
    public EvaVitWeights(CheckedTensors load, EvaVitSettings settings) {
        String p = PREFIX;
        patchWeight = load.ofRank(p + "patch_embed.proj.weight", 4, "[width, channels, patch, patch]");
        width = Math.toIntExact(patchWeight.dim(0));
        channels = Math.toIntExact(patchWeight.dim(1));
        patchSize = Math.toIntExact(patchWeight.dim(2));
        if (patchWeight.dim(3) != patchSize) {
            throw load.error("tensor '" + patchWeight.name() + "' has shape " + patchWeight.shapeString()
                    + ", expected square patches [width, channels, patch, patch]");
        }
        if (settings.patchSize().isPresent() && settings.patchSize().getAsInt() != patchSize) {
            throw load.error("tensor '" + patchWeight.name() + "' has " + patchSize + "x" + patchSize
                    + " patches, but videollama.json sets vision.patch_size " + settings.patchSize().getAsInt());
        }
        if (width % settings.heads() != 0) {
            throw load.error("the ViT is " + width + " wide (tensor '" + patchWeight.name() + "'), which "
                    + settings.heads() + " heads (videollama.json vision.heads) do not divide");
        }
        heads = settings.heads();
        headDim = width / heads;
        patchBias = load.vector(p + "patch_embed.proj.bias", width);
        classToken = load.get(p + "cls_token", 1, 1, width);

        positions = load.ofRank(p + "pos_embed", 3, "[1, tokens, " + width + "]");
        tokens = Math.toIntExact(positions.dim(1));
        patches = tokens - 1;
        int side = (int) Math.round(Math.sqrt(patches));
        if (positions.dim(0) != 1 || positions.dim(2) != width || side * side != patches) {
            throw load.error("tensor '" + positions.name() + "' has shape " + positions.shapeString()
                    + ", expected [1, n² + 1, " + width + "] (a square grid of patches and the class token)");
        }
        imageSize = side * patchSize;
        if (settings.imageSize().isPresent() && settings.imageSize().getAsInt() != imageSize) {
            throw load.error("tensor '" + positions.name() + "' has " + tokens + " positions, a " + side + "x" + side
                    + " grid of " + patchSize + "-pixel patches = " + imageSize + "-pixel frames, but videollama.json sets"
                    + " vision.image_size " + settings.imageSize().getAsInt() + " (interpolating positions is not supported)");
        }

        int depth = Math.min(load.countIndexed(p + "blocks.", ".attn.qkv.weight"), settings.maxBlocks());
        if (depth == 0) {
            throw load.error("missing tensor '" + p + "blocks.0.attn.qkv.weight' (the ViT has no blocks)");
        }
        Tensor fc1 = load.ofRank(p + "blocks.0.mlp.fc1.weight", 2, "[mlp, " + width + "]");
        mlpWidth = Math.toIntExact(fc1.dim(0));
        List<VitBlock<Tensor, Tensor>> list = new ArrayList<>(depth);
        for (int i = 0; i < depth; i++) {
            String b = p + "blocks." + i + ".";
            Tensor qkv = load.matrix(b + "attn.qkv.weight", 3 * width, width);
            Tensor qkvBias = qkvBias(qkv.name() + " bias", load.vector(b + "attn.q_bias", width),
                    load.vector(b + "attn.v_bias", width));
            list.add(VitBlock.load(load, b, NAMES, qkv, qkvBias, width, mlpWidth));
        }
        blocks = List.copyOf(list);
    }

    /** EVA's {@code torch.cat((q_bias, torch.zeros_like(v_bias), v_bias))}: the key projection has no bias. */
    private Tensor qkvBias(String name, Tensor qBias, Tensor vBias) {
        float[] bias = new float[3 * width];
        System.arraycopy(qBias.toFloatArray(), 0, bias, 0, width);
        System.arraycopy(vBias.toFloatArray(), 0, bias, 2 * width, width);
        return Tensor.ofFloats(name, bias, 3L * width);
    }

    /** Floats in one frame [channels, imageSize, imageSize]. */
    public int frameSize() {
        return channels * imageSize * imageSize;
    }
}
