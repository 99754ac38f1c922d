#!/usr/bin/env python3
"""Golden cross-attention weights for the lab view's attention maps (QueryAttention in the model module).

Reads the video-t3 case that make_vision_golden.py wrote (testdata/golden/vision/video-t3: its weights and its
vit.out), runs ln_vision, the image Q-Former and the video Q-Former again as Hugging Face transformers'
Blip2QFormerModel with output_attentions=True, and writes
testdata/golden/vision/video-t3/attention.safetensors, F32:

* image_qformer.cross_attention [T, Q, 257]: each image query's cross-attention weights over its frame's ViT
  tokens, averaged over the heads and over the cross-attention layers
* video_qformer.cross_attention [Qv, T*Q]: each video query's weights over the frames' image-query outputs
  (frame-major), averaged the same way

The weights come from transformers' own attention (its `cross_attentions` output), not from a transcription of
the Java. Reference venv: /tmp/pyref (torch 2.13.0+cpu, transformers 5.18.0), run as

    /tmp/pyref/bin/python scripts/reference/make_attention_golden.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import torch  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

import make_vision_golden as vg  # noqa: E402

CASE = "video-t3"


def load_qformer(weights, prefix, hidden, heads, layers, inter, freq, encoder_width):
    qf = vg.build_qformer(vg.Init(0), hidden, heads, layers, inter, freq, encoder_width)
    state = {name: weights[prefix + vg.released_name(vg.QFORMER_NAMES, name, "l")] for name in qf.state_dict()}
    qf.load_state_dict(state)
    return qf


def mean_cross_attention(output):
    # a tuple of [sets, heads, queries, keys] per cross-attention layer
    return torch.stack([a.mean(dim=1) for a in output.cross_attentions]).mean(dim=0)


def main():
    c = next(case for case in vg.CASES if case["name"] == CASE)
    folder = vg.OUT_ROOT / CASE
    with safe_open(str(folder / "model.safetensors"), "pt") as f:
        weights = {k: f.get_tensor(k).to(torch.float32) for k in f.keys()}
    with safe_open(str(folder / "expected.safetensors"), "pt") as f:
        expected = {k: f.get_tensor(k) for k in f.keys()}
    t, w = c["frames"], c["vit_width"]
    image_qformer = load_qformer(weights, "Qformer.bert.", c["qf_hidden"], c["qf_heads"], c["qf_layers"], c["qf_inter"],
                                 c["qf_cross_freq"], w)
    video_qformer = load_qformer(weights, "video_Qformer.bert.", c["vq_hidden"], c["vq_heads"], c["vq_layers"],
                                 c["vq_inter"], 1, c["qf_hidden"])
    with torch.no_grad():
        image_embeds = torch.nn.functional.layer_norm(expected["vit.out"], (w,), weights["ln_vision.weight"],
                                                      weights["ln_vision.bias"], vg.LN_VISION_EPS)
        image = image_qformer(query_embeds=weights["query_tokens"].expand(t, -1, -1), encoder_hidden_states=image_embeds,
                              encoder_attention_mask=torch.ones(image_embeds.shape[:-1], dtype=torch.long),
                              output_attentions=True)
        image_q = image.last_hidden_state
        assert torch.allclose(image_q, expected["image_qformer.out"], atol=1e-5), "the image Q-Former again"
        positions = weights["video_frame_position_embedding.weight"][:t].unsqueeze(1)
        frame_hidden = (image_q + positions).reshape(1, t * c["queries"], c["qf_hidden"])
        video = video_qformer(query_embeds=weights["video_query_tokens"], encoder_hidden_states=frame_hidden,
                              encoder_attention_mask=torch.ones(frame_hidden.shape[:-1], dtype=torch.long),
                              output_attentions=True)
        assert torch.allclose(video.last_hidden_state[0], expected["video_qformer.out"], atol=1e-5), "the video Q-Former again"
    attention = {
        "image_qformer.cross_attention": mean_cross_attention(image).contiguous(),
        "video_qformer.cross_attention": mean_cross_attention(video)[0].contiguous(),
    }
    meta = {"torch_version": torch.__version__, "transformers_version": vg.transformers.__version__,
            "averaged": "over heads, then over cross-attention layers"}
    save_file({k: v.to(torch.float32) for k, v in attention.items()}, str(folder / "attention.safetensors"), metadata=meta)
    vg.canonicalize_header(folder / "attention.safetensors")
    for k, v in attention.items():
        print(f"{k}: {tuple(v.shape)}, row sums {float(v.sum(-1).min()):.6f}..{float(v.sum(-1).max()):.6f}, "
              f"max {float(v.max()):.4f}")


if __name__ == "__main__":
    main()
