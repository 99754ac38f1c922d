#!/usr/bin/env python3
"""Reference data for Q8_0 weights (videollama convert --quantize q8_0) on the bundled stories260K.

Writes testdata/golden/q8_0/:

* ``stories260K.json``: for every matrix GGML's Q8_0 would quantise here (the linear layers' weights whose rows are
  whole blocks of 32: q/k/v/o_proj, gate/up_proj and lm_head; down_proj's 172-wide rows are left), the SHA-256 of its
  int8 quants (row-major bytes) and of its fp16 scales (little-endian), quantised below with numpy as GGML's
  ``quantize_row_q8_0_ref`` does it: per block of 32, ``d = max|x| / 127`` in float32, ``id = 1/d`` (0 when d is 0),
  ``q = roundf(x * id)`` (halves away from zero), the scale stored as fp16 (round to nearest even).
* ``stories260K-logits.safetensors``: ``prompt_ids`` (those of testdata/golden/llama/stories260K) and
  ``prompt_logits`` F32 [L, 512], Hugging Face ``LlamaForCausalLM`` in float32 (eager attention) on the weights
  dequantised as ``q * d``: what the Java model on the converted folder must compute.

Run with the reference venv of make_llama_golden.py (numpy, torch, transformers, safetensors), from anywhere:

    .venv-ref/bin/python scripts/reference/make_q8_0_golden.py

Produced with numpy 2, torch 2.13.0+cpu and transformers 5.18.0.
"""
import hashlib
import json
import pathlib
import re
import shutil
import tempfile

import numpy as np
import torch
from safetensors import safe_open
from safetensors.numpy import save_file
from transformers import LlamaForCausalLM

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "stories260K"
OUT = ROOT / "testdata" / "golden" / "q8_0"
LINEAR = re.compile(r"model\.layers\.\d+\.(self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)\.weight|lm_head\.weight")


def quantize_q8_0(w):
    """GGML's quantize_row_q8_0_ref over every row of a float32 matrix: (int8 quants [r, c], fp16 scales [r, c/32])."""
    rows, cols = w.shape
    blocks = w.astype(np.float32).reshape(rows, cols // 32, 32)
    amax = np.max(np.abs(blocks), axis=2)
    d = (amax / np.float32(127)).astype(np.float32)
    with np.errstate(divide="ignore"):
        inv = np.where(d != 0, np.float32(1) / d, np.float32(0)).astype(np.float32)
    v = (blocks * inv[:, :, None]).astype(np.float32)
    q = (np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))).astype(np.int8)  # C's roundf
    return q.reshape(rows, cols), d.astype(np.float16)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    digests = {}
    dequantised = {}
    with safe_open(str(MODEL / "model.safetensors"), "np") as f:
        for name in f.keys():
            w = f.get_tensor(name)
            if LINEAR.fullmatch(name) and w.ndim == 2 and w.shape[1] % 32 == 0:
                q, d = quantize_q8_0(w)
                digests[name] = {
                    "quants_sha256": hashlib.sha256(q.tobytes()).hexdigest(),
                    "scales_sha256": hashlib.sha256(d.astype("<f2").tobytes()).hexdigest(),
                }
                dequantised[name] = (q.astype(np.float32).reshape(q.shape[0], -1, 32)
                                     * d.astype(np.float32)[:, :, None]).reshape(q.shape)
            else:
                dequantised[name] = w.astype(np.float32)
    (OUT / "stories260K.json").write_text(json.dumps(digests, indent=1, sort_keys=True) + "\n")

    with safe_open(str(ROOT / "testdata/golden/llama/stories260K/expected.safetensors"), "np") as f:
        prompt = f.get_tensor("prompt_ids")
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(MODEL / "config.json", tmp)
        save_file(dequantised, str(pathlib.Path(tmp) / "model.safetensors"), metadata={"format": "pt"})
        model = LlamaForCausalLM.from_pretrained(tmp, dtype=torch.float32, attn_implementation="eager").eval()
        with torch.no_grad():
            logits = model(torch.tensor(prompt, dtype=torch.long)[None]).logits[0].numpy().astype(np.float32)
    import transformers
    save_file({"prompt_ids": prompt.astype(np.int64), "prompt_logits": logits},
              str(OUT / "stories260K-logits.safetensors"),
              metadata={"torch": torch.__version__, "transformers": transformers.__version__, "numpy": np.__version__})
    print(f"{len(digests)} matrices quantised; logits {logits.shape}")


if __name__ == "__main__":
    main()
