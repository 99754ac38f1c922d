#!/usr/bin/env python3
"""Golden reference data for the Java vision-language branch of Video-LLaMA.

Writes testdata/golden/vision/<case>/ for tiny random Video-LLaMA vision
branches with the real module structure and the released tensor names
(docs/model.md section 2): an EVA ViT (224 x 224 frames, 14 x 14 patches, 256 + 1 tokens,
q_bias / zero K bias / v_bias, exact GELU, no final norm), ln_vision, the
image Q-Former (cross-attention on even layers), the frame position
embedding, the video Q-Former (cross-attention in every layer) and llama_proj.

Files per case:
* model.safetensors   the branch weights under their released names
                      (visual_encoder.*, ln_vision.*, Qformer.*, query_tokens,
                      video_frame_position_embedding.weight, video_query_tokens,
                      video_Qformer.*, llama_proj.*), plus the unused
                      position_ids buffers the released files carry
* videollama.json     heads and eps (docs/design.md section 4)
* inputs.safetensors  frames F16 [T, 3, 224, 224]: values (u - 128) / 64 for
                      random bytes u, exact in F16 and F32
* expected.safetensors F32: vit.out [T, 257, W] (before ln_vision),
                      ln_vision.out [T, 257, W], image_qformer.out [T, Q, H],
                      video_qformer.out [Qv, Hv], video.tokens [Qv, d]

Reference venv: /tmp/pyref (torch 2.13.0+cpu, transformers 5.18.0), run as

    /tmp/pyref/bin/python scripts/reference/make_vision_golden.py

The reference is Hugging Face transformers' BLIP-2 code, not a transcription
of the Java:
* EVA ViT = Blip2VisionModel (its qkv Linear without bias plus q_bias /
  zeros / v_bias is EVA's attention; transformers keeps the concatenated bias
  as qkv.bias, whose middle third we hold at zero). We take
  hidden_states[-1], the last block's output before its post_layernorm
  (EVA has no final norm). Blip2 scales q.k^T after the product, EVA scales q
  before it: the two differ by float32 rounding only.
* ln_vision = torch.nn.LayerNorm(W, eps=1e-5).
* Q-Formers = Blip2QFormerModel (query path: its `layernorm` is BERT's
  embeddings.LayerNorm applied to the query tokens; post-LN layers;
  cross-attention where layer % cross_attention_frequency == 0; the query FFN
  intermediate_query / output_query). Parameter names are mapped to the
  released LAVIS names by QFORMER_NAMES below.
* Frame positions: torch.nn.Embedding rows 0..T-1 added to every query of
  their frame, then flattened frame-major ([T*Q, H]), as
  Video-LLaMA's encode_videoQformer_visual does.
* llama_proj = torch.nn.Linear(Hv, d) with bias.
All in float32, eval mode, eager attention. A case with F16/BF16 weights
stores them rounded and computes in float32 on the rounded values.

Weight scales: the real ViT-g is 1408 wide with init std 0.02, i.e. about
0.75 / sqrt(fan_in). At these tiny widths std 0.02 would make attention
uniform and the MLPs negligible, so projections use ~ 1 / sqrt(fan_in)
(q/k 1.5 / sqrt(fan_in) for peaked attention), biases std 0.02-0.1,
LayerNorm weights 1 + N(0, 0.1), class token / positions / query tokens
std 0.5. The script prints how peaked the attention is.
"""

import json
import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import (  # noqa: E402
    Blip2QFormerConfig,
    Blip2QFormerModel,
    Blip2VisionConfig,
    Blip2VisionModel,
)

REPO = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO / "testdata" / "golden" / "vision"

IMAGE, PATCH = 224, 14
VIT_EPS, LN_VISION_EPS, QFORMER_EPS = 1e-6, 1e-5, 1e-12

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

CASES = [
    # Three frames (not 8: the Java must not hard-code the count), float32
    # weights, 8 image queries and 6 video queries (the real model has 32 of
    # each), a video Q-Former wider (40) than its encoder (the image
    # Q-Former's 32), 5 frame-embedding rows for 3 frames.
    dict(name="video-t3", seed=101, frames=3,
         vit_width=48, vit_heads=2, vit_blocks=2, vit_mlp=int(48 * 4.3637),
         qf_hidden=32, qf_heads=2, qf_layers=4, qf_cross_freq=2, qf_inter=64, queries=8,
         vq_hidden=40, vq_heads=2, vq_layers=2, vq_inter=80, video_queries=6,
         frame_rows=5, d_model=64, vit_dtype="float32", proj_dtype="float32"),
    # One frame (an image), odd head widths (ViT 3 x 15, Q-Former 3 x 12),
    # three ViT blocks whose matrices, biases, class token and positions are
    # F16 as in the released EVA file (LayerNorms F32), a BF16 llama_proj.
    dict(name="image-odd-f16", seed=202, frames=1,
         vit_width=45, vit_heads=3, vit_blocks=3, vit_mlp=int(45 * 4.3637),
         qf_hidden=36, qf_heads=3, qf_layers=4, qf_cross_freq=2, qf_inter=72, queries=5,
         vq_hidden=36, vq_heads=3, vq_layers=2, vq_inter=72, video_queries=7,
         frame_rows=4, d_model=64, vit_dtype="float16", proj_dtype="bfloat16"),
]

TORCH_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}

# Blip2QFormerModel parameter name -> the released LAVIS name under prefix P
# (P = "Qformer.bert." or "video_Qformer.bert."); {l} is the layer index.
QFORMER_NAMES = {
    "layernorm.weight": "embeddings.LayerNorm.weight",
    "layernorm.bias": "embeddings.LayerNorm.bias",
}
for part in ("attention", "crossattention"):
    for proj in ("query", "key", "value"):
        for wb in ("weight", "bias"):
            QFORMER_NAMES[f"encoder.layer.{{l}}.{part}.attention.{proj}.{wb}"] = \
                f"encoder.layer.{{l}}.{part}.self.{proj}.{wb}"
    for sub in ("dense", "LayerNorm"):
        for wb in ("weight", "bias"):
            QFORMER_NAMES[f"encoder.layer.{{l}}.{part}.output.{sub}.{wb}"] = \
                f"encoder.layer.{{l}}.{part}.output.{sub}.{wb}"
for wb in ("weight", "bias"):
    QFORMER_NAMES[f"encoder.layer.{{l}}.intermediate_query.dense.{wb}"] = \
        f"encoder.layer.{{l}}.intermediate_query.dense.{wb}"
    for sub in ("dense", "LayerNorm"):
        QFORMER_NAMES[f"encoder.layer.{{l}}.output_query.{sub}.{wb}"] = \
            f"encoder.layer.{{l}}.output_query.{sub}.{wb}"

# Blip2VisionModel parameter name -> the released EVA name (prefix
# "visual_encoder."); {i} is the block index. qkv.bias is split separately.
VIT_NAMES = {
    "embeddings.class_embedding": "cls_token",
    "embeddings.position_embedding": "pos_embed",
    "embeddings.patch_embedding.weight": "patch_embed.proj.weight",
    "embeddings.patch_embedding.bias": "patch_embed.proj.bias",
    "encoder.layers.{i}.layer_norm1.weight": "blocks.{i}.norm1.weight",
    "encoder.layers.{i}.layer_norm1.bias": "blocks.{i}.norm1.bias",
    "encoder.layers.{i}.self_attn.qkv.weight": "blocks.{i}.attn.qkv.weight",
    "encoder.layers.{i}.self_attn.projection.weight": "blocks.{i}.attn.proj.weight",
    "encoder.layers.{i}.self_attn.projection.bias": "blocks.{i}.attn.proj.bias",
    "encoder.layers.{i}.layer_norm2.weight": "blocks.{i}.norm2.weight",
    "encoder.layers.{i}.layer_norm2.bias": "blocks.{i}.norm2.bias",
    "encoder.layers.{i}.mlp.fc1.weight": "blocks.{i}.mlp.fc1.weight",
    "encoder.layers.{i}.mlp.fc1.bias": "blocks.{i}.mlp.fc1.bias",
    "encoder.layers.{i}.mlp.fc2.weight": "blocks.{i}.mlp.fc2.weight",
    "encoder.layers.{i}.mlp.fc2.bias": "blocks.{i}.mlp.fc2.bias",
}


def released_name(table, hf_name, index_key):
    """The released name of a transformers parameter, via a table with {i}/{l} patterns."""
    parts = hf_name.split(".")
    for i, p in enumerate(parts):
        if p.isdigit():
            pattern = ".".join(parts[:i] + ["{" + index_key + "}"] + parts[i + 1:])
            if pattern in table:
                return table[pattern].replace("{" + index_key + "}", p)
    if hf_name in table:
        return table[hf_name]
    raise KeyError(f"no released name for {hf_name}")


class Init:
    """Seeded random weights at the scales the module docstring explains."""

    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def normal(self, shape, std, mean=0.0):
        return torch.randn(*shape, generator=self.g) * std + mean

    def fill(self, module, qk_names=()):
        for name, p in module.named_parameters():
            is_norm = any(n in name for n in ("layer_norm", "LayerNorm", "layernorm"))
            with torch.no_grad():
                if is_norm and name.endswith("weight"):
                    p.copy_(self.normal(p.shape, 0.1, 1.0))
                elif is_norm:
                    p.copy_(self.normal(p.shape, 0.05))
                elif "class_embedding" in name or "position_embedding" in name:
                    p.copy_(self.normal(p.shape, 0.5))
                elif p.dim() >= 2:
                    fan_in = int(np.prod(p.shape[1:]))
                    gain = 1.5 if any(q in name for q in qk_names) else 1.0
                    p.copy_(self.normal(p.shape, gain / np.sqrt(fan_in)))
                else:  # biases
                    p.copy_(self.normal(p.shape, 0.05))


def rounded(t, dtype):
    """t rounded to the stored dtype, back in float32 (the values the reference computes with)."""
    return t.to(TORCH_DTYPES[dtype]).to(torch.float32)


def build_vit(c, init):
    cfg = Blip2VisionConfig(hidden_size=c["vit_width"], intermediate_size=c["vit_mlp"],
                            num_hidden_layers=c["vit_blocks"], num_attention_heads=c["vit_heads"],
                            image_size=IMAGE, patch_size=PATCH, layer_norm_eps=VIT_EPS,
                            qkv_bias=True, hidden_act="gelu")
    cfg._attn_implementation = "eager"
    vit = Blip2VisionModel(cfg).eval()
    init.fill(vit, qk_names=("qkv",))
    w = c["vit_width"]
    with torch.no_grad():
        for i, layer in enumerate(vit.encoder.layers):
            bias = layer.self_attn.qkv.bias
            bias[w:2 * w] = 0.0  # EVA: the key projection has no bias
        # the F16 case: the values the file will hold (LayerNorms stay float32, as in the released EVA)
        for name, p in vit.named_parameters():
            if "layer_norm" not in name and "post_layernorm" not in name:
                p.copy_(rounded(p, c["vit_dtype"]))
    return vit


def vit_tensors(vit, c):
    """The ViT's weights under the released names, in their stored dtypes."""
    w = c["vit_width"]
    out = {}
    for name, p in vit.state_dict().items():
        if name.startswith("post_layernorm"):
            continue  # EVA has no final norm; Blip2VisionModel's is not used
        dtype = torch.float32 if "layer_norm" in name else TORCH_DTYPES[c["vit_dtype"]]
        if name.endswith("self_attn.qkv.bias"):
            i = name.split(".")[2]
            assert torch.all(p[w:2 * w] == 0)
            out[f"visual_encoder.blocks.{i}.attn.q_bias"] = p[:w].to(dtype).contiguous()
            out[f"visual_encoder.blocks.{i}.attn.v_bias"] = p[2 * w:].to(dtype).contiguous()
            continue
        out["visual_encoder." + released_name(VIT_NAMES, name, "i")] = p.to(dtype).contiguous()
    return out


def build_qformer(init, hidden, heads, layers, inter, freq, encoder_width):
    cfg = Blip2QFormerConfig(hidden_size=hidden, num_attention_heads=heads, num_hidden_layers=layers,
                             intermediate_size=inter, cross_attention_frequency=freq,
                             encoder_hidden_size=encoder_width, layer_norm_eps=QFORMER_EPS,
                             hidden_act="gelu")
    cfg._attn_implementation = "eager"
    qf = Blip2QFormerModel(cfg).eval()
    init.fill(qf, qk_names=("attention.query", "attention.key"))
    return qf


def qformer_tensors(qf, prefix):
    return {prefix + released_name(QFORMER_NAMES, name, "l"): p.contiguous()
            for name, p in qf.state_dict().items()}


def attention_peak(qf_or_vit, run):
    """The mean over heads and queries of the largest attention probability (1/keys = uniform)."""
    peaks = []

    def hook(module, args, kwargs, output):
        peaks.append(float(output[1].max(dim=-1).values.mean()))

    handles = []
    for name, m in qf_or_vit.named_modules():
        if type(m).__name__ in ("Blip2Attention", "Blip2QFormerMultiHeadAttention"):
            handles.append(m.register_forward_hook(hook, with_kwargs=True))
    run()
    for h in handles:
        h.remove()
    return peaks


def run_case(c):
    init = Init(c["seed"])
    t, w = c["frames"], c["vit_width"]
    vit = build_vit(c, init)
    ln_vision = torch.nn.LayerNorm(w, eps=LN_VISION_EPS).eval()
    ln_vision.weight.data.copy_(init.normal((w,), 0.1, 1.0))
    ln_vision.bias.data.copy_(init.normal((w,), 0.05))
    qformer = build_qformer(init, c["qf_hidden"], c["qf_heads"], c["qf_layers"], c["qf_inter"],
                            c["qf_cross_freq"], w)
    query_tokens = init.normal((1, c["queries"], c["qf_hidden"]), 0.5)
    frame_embedding = torch.nn.Embedding(c["frame_rows"], c["qf_hidden"])
    frame_embedding.weight.data.copy_(init.normal((c["frame_rows"], c["qf_hidden"]), 0.5))
    video_qformer = build_qformer(init, c["vq_hidden"], c["vq_heads"], c["vq_layers"], c["vq_inter"], 1,
                                  c["qf_hidden"])
    video_query_tokens = init.normal((1, c["video_queries"], c["vq_hidden"]), 0.5)
    llama_proj = torch.nn.Linear(c["vq_hidden"], c["d_model"])
    with torch.no_grad():
        llama_proj.weight.copy_(rounded(init.normal(llama_proj.weight.shape, 1 / np.sqrt(c["vq_hidden"])),
                                        c["proj_dtype"]))
        llama_proj.bias.copy_(rounded(init.normal(llama_proj.bias.shape, 0.05), c["proj_dtype"]))

    bytes_ = torch.randint(0, 256, (t, 3, IMAGE, IMAGE), generator=init.g)
    frames = (bytes_.to(torch.float32) - 128) / 64
    assert torch.equal(frames.to(torch.float16).to(torch.float32), frames)

    with torch.no_grad():
        peaks = {}
        out = {}

        def vit_forward():
            hidden = vit(pixel_values=frames, output_hidden_states=True)
            out["vit"] = hidden.hidden_states[-1]
            # hidden_states[-1] is the last block's output before post_layernorm
            assert torch.allclose(vit.post_layernorm(out["vit"]), hidden.last_hidden_state, atol=1e-6)

        peaks["vit"] = attention_peak(vit, vit_forward)
        vit_out = out["vit"]
        assert vit_out.shape == (t, (IMAGE // PATCH) ** 2 + 1, w)
        image_embeds = ln_vision(vit_out)

        def image_qformer_forward():
            out["iq"] = qformer(query_embeds=query_tokens.expand(t, -1, -1),
                                encoder_hidden_states=image_embeds,
                                encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long),
                                ).last_hidden_state

        peaks["image_qformer"] = attention_peak(qformer, image_qformer_forward)
        image_q = out["iq"]  # [T, Q, H]

        positions = frame_embedding(torch.arange(t)).unsqueeze(1)  # [T, 1, H]
        frame_hidden = (image_q + positions).reshape(1, t * c["queries"], c["qf_hidden"])

        def video_qformer_forward():
            out["vq"] = video_qformer(query_embeds=video_query_tokens,
                                      encoder_hidden_states=frame_hidden,
                                      encoder_attention_mask=torch.ones(frame_hidden.shape[:-1], dtype=torch.long),
                                      ).last_hidden_state

        peaks["video_qformer"] = attention_peak(video_qformer, video_qformer_forward)
        video_q = out["vq"][0]  # [Qv, Hv]
        tokens = llama_proj(video_q)

    folder = OUT_ROOT / c["name"]
    folder.mkdir(parents=True, exist_ok=True)

    weights = vit_tensors(vit, c)
    weights["ln_vision.weight"] = ln_vision.weight.detach().contiguous()
    weights["ln_vision.bias"] = ln_vision.bias.detach().contiguous()
    weights.update(qformer_tensors(qformer, "Qformer.bert."))
    weights["query_tokens"] = query_tokens.contiguous()
    weights["Qformer.bert.embeddings.position_ids"] = torch.arange(512, dtype=torch.int64).unsqueeze(0)
    weights["video_frame_position_embedding.weight"] = frame_embedding.weight.detach().contiguous()
    weights.update(qformer_tensors(video_qformer, "video_Qformer.bert."))
    weights["video_query_tokens"] = video_query_tokens.contiguous()
    weights["video_Qformer.bert.embeddings.position_ids"] = torch.arange(512, dtype=torch.int64).unsqueeze(0)
    weights["llama_proj.weight"] = llama_proj.weight.detach().to(TORCH_DTYPES[c["proj_dtype"]]).contiguous()
    weights["llama_proj.bias"] = llama_proj.bias.detach().to(TORCH_DTYPES[c["proj_dtype"]]).contiguous()
    weights = {k: v.detach() for k, v in weights.items()}
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
    canonicalize_header(folder / "model.safetensors")

    config = {
        "vision": {"heads": c["vit_heads"], "layer_norm_eps": VIT_EPS, "image_size": IMAGE,
                   "patch_size": PATCH, "ln_vision_eps": LN_VISION_EPS},
        "qformer": {"heads": c["qf_heads"], "layer_norm_eps": QFORMER_EPS},
        "video_qformer": {"heads": c["vq_heads"], "layer_norm_eps": QFORMER_EPS},
    }
    (folder / "videollama.json").write_text(json.dumps(config, indent=2) + "\n")

    meta = {"torch_version": torch.__version__, "transformers_version": transformers.__version__,
            "compute_dtype": "float32", "attn_implementation": "eager", "frames": str(t),
            "frames_encoding": "(u - 128) / 64 for random bytes u, exact in F16"}
    save_file({"frames": frames.to(torch.float16).contiguous()}, str(folder / "inputs.safetensors"), metadata=meta)
    canonicalize_header(folder / "inputs.safetensors")
    expected = {
        "vit.out": vit_out.contiguous(),
        "ln_vision.out": image_embeds.contiguous(),
        "image_qformer.out": image_q.contiguous(),
        "video_qformer.out": video_q.contiguous(),
        "video.tokens": tokens.contiguous(),
    }
    save_file({k: v.to(torch.float32) for k, v in expected.items()}, str(folder / "expected.safetensors"),
              metadata=meta)
    canonicalize_header(folder / "expected.safetensors")
    verify(folder, expected, weights)

    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    print(f"{c['name']}: T={t}, tokens {tuple(tokens.shape)}, |tokens| max {float(tokens.abs().max()):.3f}, "
          f"files {sizes}")
    for stage, values in peaks.items():
        print(f"  {stage} mean max attention probability per call: " + ", ".join(f"{v:.3f}" for v in values))


def verify(folder, expected, weights):
    """Reads the written files back and checks every tensor round-trips."""
    with safe_open(str(folder / "expected.safetensors"), "pt") as f:
        for k, v in expected.items():
            assert torch.equal(f.get_tensor(k), v.to(torch.float32)), k
    with safe_open(str(folder / "model.safetensors"), "pt") as f:
        assert set(f.keys()) == set(weights), "model tensors"
        for k, v in weights.items():
            assert torch.equal(f.get_tensor(k), v), k


def canonicalize_header(path):
    """Rewrite the safetensors header with sorted metadata keys, so reruns give identical bytes
    (safetensors stores __metadata__ in a hash map with a per-process order)."""
    raw = Path(path).read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    if "__metadata__" in header:
        out["__metadata__"] = dict(sorted(header.pop("__metadata__").items()))
    out.update(header)
    hb = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    Path(path).write_bytes(len(hb).to_bytes(8, "little") + hb + data)


def main():
    for c in CASES:
        run_case(c)


if __name__ == "__main__":
    main()
