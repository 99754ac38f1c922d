"""Writes a Hugging Face LLaMA folder (config.json + model.safetensors, float32) as a llama2.c checkpoint
(run.c's version-0 format: a header of 7 int32, then the float32 tensors grouped by kind over all layers), so
llama2.c's run.c decodes the same weights as `videollama bench` and JlamaSideBySide.

The q and k rows go back from the Hugging Face rotate-half order to Meta's interleaved pairs, which run.c's RoPE
rotates (the inverse of the permutation in transformers' convert_llama_weights_to_hf.py).

Usage: python export_llama2c.py MODEL_FOLDER OUT.bin
"""
import json
import struct
import sys

import numpy as np
from safetensors.numpy import load_file


def unpermute(w, heads):
    rows, cols = w.shape
    return w.reshape(heads, 2, rows // heads // 2, cols).transpose(0, 2, 1, 3).reshape(rows, cols)


def main(folder, out):
    c = json.load(open(f"{folder}/config.json"))
    t = load_file(f"{folder}/model.safetensors")
    dim, layers, heads = c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"]
    kv_heads, hidden, vocab, seq = c["num_key_value_heads"], c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"]
    layer = lambda name: [t[f"model.layers.{i}.{name}.weight"] for i in range(layers)]
    # a negative vocabulary size: the classifier is its own tensor, after the rest (run.c's shared_weights = 0)
    with open(out, "wb") as f:
        f.write(struct.pack("7i", dim, hidden, layers, heads, kv_heads, -vocab, seq))
        parts = [t["model.embed_tokens.weight"], *layer("input_layernorm"),
                 *[unpermute(w, heads) for w in layer("self_attn.q_proj")],
                 *[unpermute(w, kv_heads) for w in layer("self_attn.k_proj")],
                 *layer("self_attn.v_proj"), *layer("self_attn.o_proj"), *layer("post_attention_layernorm"),
                 *layer("mlp.gate_proj"), *layer("mlp.down_proj"), *layer("mlp.up_proj"), t["model.norm.weight"],
                 # the two RoPE tables of the old format, which run.c skips
                 np.zeros((2, seq, dim // heads // 2)), t["lm_head.weight"]]
        for p in parts:
            f.write(np.ascontiguousarray(p, dtype=np.float32).tobytes())


if __name__ == "__main__":
    main(*sys.argv[1:])
