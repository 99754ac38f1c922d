#!/usr/bin/env python3
"""Golden reference data for the Java audio-language branch of Video-LLaMA.

Writes testdata/golden/audio/<case>/ for tiny random audio branches with the
real module structure and the released tensor names (docs/model.md sections 2.5, 2.6,
4.3): ImageBind's audio encoder (a 16 x 16 patch convolution with stride 10
and no bias over the [1, 128, 204] fbank, 12 x 19 = 228 patches, the stem
LayerNorm (eps 1e-5), the class token, learned positions, pre-norm blocks
whose attention appends the learned bias_k / bias_v position, the head
LayerNorm -> class token -> Linear without bias, L2 normalisation, x 20),
the clip position embedding, the audio Q-Former (cross-attention in every
layer) and audio_llama_proj.

Files per case:
* model.safetensors    the branch weights under the names `videollama convert`
                       writes: audio_encoder.<ImageBind name> (including the
                       log_logit_scale buffer), audio_position_embedding.weight,
                       audio_query_tokens, audio_Qformer.*, audio_llama_proj.*,
                       plus the unused position_ids buffer the AL file carries
* videollama.json      heads and eps (docs/design.md section 4)
* inputs.safetensors   fbank F16 [clips, 1, 128, 204]: log-mel fbanks of
                       synthetic sound (harmonic tones and noise), 198 frames
                       of 2 s padded to 204 and normalised as ImageBind does;
                       the F16 values are the input on both sides
* expected.safetensors F32: audio.encoder.out [clips, E] (after x 20, before
                       the clip positions), audio_qformer.out [Q, H],
                       audio.tokens [Q, d]

Reference venv: /tmp/pyref (torch 2.13.0+cpu, transformers 5.18.0), run as

    /tmp/pyref/bin/python scripts/reference/make_audio_model_golden.py

The reference is PyTorch's and Hugging Face's code, not a transcription of the
Java:
* The attention is torch.nn.MultiheadAttention(W, heads, bias=True,
  add_bias_kv=True), sequence-first as ImageBind uses it; its in_proj_weight
  rows are Q, K, V and bias_k / bias_v are appended after the projection.
* The rest of the encoder is torch.nn modules arranged as ImageBind's
  (Conv2d, LayerNorm, a GELU MLP named fc1 / fc2, Linear without bias,
  F.normalize, a log_logit_scale buffer of ln 20 clipped at 100 after exp), in
  ModuleDicts keyed "audio" so that state_dict() gives ImageBind's names
  (modality_preprocessors.audio.rgbt_stem.proj.weight, ...).
* The audio Q-Former is transformers' Blip2QFormerModel, built and renamed to
  the LAVIS names by make_vision_golden.py (imported); the clip positions are
  torch.nn.Embedding rows 0..clips-1 added in the encoder's output space, as
  Video-LLaMA's encode_audioQformer does; audio_llama_proj is
  torch.nn.Linear with bias.
All in float32, eval mode.

Weight scales follow make_vision_golden.py (projections ~ 1/sqrt(fan_in),
q/k 1.5/sqrt(fan_in), LayerNorm weights 1 + N(0, 0.1)); bias_k is large
enough that the extra key takes a visible share of the attention (printed).
"""

import json
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import make_vision_golden as vg  # noqa: E402  (sets the offline env, threads and determinism)
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from torch import nn  # noqa: E402

OUT_ROOT = vg.REPO / "testdata" / "golden" / "audio"

MEL_BINS, FRAMES, PATCH, STRIDE = 128, 204, 16, 10
BLOCK_EPS, STEM_EPS, QFORMER_EPS = 1e-6, 1e-5, 1e-12
LOGIT_SCALE = 20.0
SAMPLE_RATE, CLIP_SECONDS = 16000, 2.0
FBANK_MEAN, FBANK_STD = -4.268, 9.138

CASES = [
    # Three clips (not 8: the Java must not hard-code the count), an odd head
    # width (3 heads of 15), 8 queries, a clip embedding with 8 rows.
    dict(name="clips3", seed=501, clips=3, width=45, heads=3, blocks=2, mlp=180, out=40,
         qf_hidden=32, qf_heads=2, qf_layers=2, qf_inter=64, queries=8, clip_rows=8, d_model=48),
    # Eight clips as the demo samples them, 4 heads of 12, 5 queries (the
    # released model has 8), an audio Q-Former of 3 heads of 12.
    dict(name="clips8", seed=502, clips=8, width=48, heads=4, blocks=2, mlp=192, out=44,
         qf_hidden=36, qf_heads=3, qf_layers=2, qf_inter=72, queries=5, clip_rows=8, d_model=64),
]


# ---- ImageBind's audio modality as torch modules -----------------------------------------------------------

class RgbtStem(nn.Module):
    """PatchEmbedGeneric with one Conv2d: proj, then flatten(2).transpose(1, 2), then norm_layer."""

    def __init__(self, width):
        super().__init__()
        self.proj = nn.Conv2d(1, width, kernel_size=PATCH, stride=STRIDE, bias=False)
        self.norm_layer = nn.LayerNorm(width)  # PyTorch's default eps 1e-5

    def forward(self, x):
        return self.norm_layer(self.proj(x).flatten(2).transpose(1, 2))


class PosEmbeddingHelper(nn.Module):
    def __init__(self, tokens, width):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, tokens, width))


class AudioPreprocessor(nn.Module):
    """The stem, the class token prepended, the learned positions added."""

    def __init__(self, width, tokens):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, width))
        self.rgbt_stem = RgbtStem(width)
        self.pos_embedding_helper = PosEmbeddingHelper(tokens, width)

    def forward(self, fbank):
        tokens = self.rgbt_stem(fbank)
        tokens = torch.cat((self.cls_token.expand(tokens.shape[0], -1, -1), tokens), dim=1)
        return tokens + self.pos_embedding_helper.pos_embed


class Mlp(nn.Module):
    def __init__(self, width, hidden):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.act = nn.GELU()  # exact (erf)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class Block(nn.Module):
    """A pre-norm block: x += attn(norm_1(x)); x += mlp(norm_2(x)). Sequence-first [L, B, W]."""

    def __init__(self, width, heads, mlp):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads, bias=True, add_bias_kv=True)
        self.norm_1 = nn.LayerNorm(width, eps=BLOCK_EPS)
        self.mlp = Mlp(width, mlp)
        self.norm_2 = nn.LayerNorm(width, eps=BLOCK_EPS)

    def forward(self, x):
        h = self.norm_1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        return x + self.mlp(self.norm_2(x))


class Trunk(nn.Module):
    """No LayerNorm before the blocks for audio; batch-first in and out, sequence-first inside."""

    def __init__(self, width, heads, mlp, blocks):
        super().__init__()
        self.blocks = nn.Sequential(*[Block(width, heads, mlp) for _ in range(blocks)])

    def forward(self, x):
        return self.blocks(x.transpose(0, 1)).transpose(0, 1)


class SelectElement(nn.Module):
    def __init__(self, index):
        super().__init__()
        self.index = index

    def forward(self, x):
        return x[:, self.index, ...]


class Normalize(nn.Module):
    def forward(self, x):
        return F.normalize(x, dim=-1, p=2)


class LogitScaling(nn.Module):
    """LearnableLogitScaling(logit_scale_init=20.0, learnable=False): a buffer, exp'ed and clipped at 100."""

    def __init__(self, init):
        super().__init__()
        self.register_buffer("log_logit_scale", torch.ones([]) * np.log(init))

    def forward(self, x):
        return torch.clip(self.log_logit_scale.exp(), max=100) * x


class ImageBindAudio(nn.Module):
    def __init__(self, c):
        super().__init__()
        w = c["width"]
        grid = ((MEL_BINS - PATCH) // STRIDE + 1) * ((FRAMES - PATCH) // STRIDE + 1)
        self.modality_preprocessors = nn.ModuleDict({"audio": AudioPreprocessor(w, grid + 1)})
        self.modality_trunks = nn.ModuleDict({"audio": Trunk(w, c["heads"], c["mlp"], c["blocks"])})
        self.modality_heads = nn.ModuleDict({"audio": nn.Sequential(
            nn.LayerNorm(w, eps=BLOCK_EPS), SelectElement(0), nn.Linear(w, c["out"], bias=False))})
        self.modality_postprocessors = nn.ModuleDict({"audio": nn.Sequential(Normalize(), LogitScaling(LOGIT_SCALE))})

    def forward(self, fbank):
        x = self.modality_preprocessors["audio"](fbank)
        x = self.modality_trunks["audio"](x)
        x = self.modality_heads["audio"](x)
        return self.modality_postprocessors["audio"](x)


def fill_imagebind(model, init, c):
    w = c["width"]
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_norm = ("norm" in name or "modality_heads.audio.0." in name) and p.dim() == 1
            if is_norm and name.endswith("weight"):
                p.copy_(init.normal(p.shape, 0.1, 1.0))
            elif is_norm:
                p.copy_(init.normal(p.shape, 0.05))
            elif name.endswith("cls_token") or name.endswith("pos_embed"):
                p.copy_(init.normal(p.shape, 0.5))
            elif name.endswith("attn.bias_k"):
                p.copy_(init.normal(p.shape, 2.0))
            elif name.endswith("attn.bias_v"):
                p.copy_(init.normal(p.shape, 1.0))
            elif name.endswith("in_proj_weight"):
                p[:2 * w].copy_(init.normal((2 * w, w), 1.5 / math.sqrt(w)))  # q, k: peaked attention
                p[2 * w:].copy_(init.normal((w, w), 1 / math.sqrt(w)))
            elif p.dim() >= 2:
                p.copy_(init.normal(p.shape, 1 / math.sqrt(int(np.prod(p.shape[1:])))))
            else:
                p.copy_(init.normal(p.shape, 0.05))


# ---- fbank-like inputs --------------------------------------------------------------------------------------

def mel_filters(n_fft, mels, low, high):
    """Triangular filters on the HTK mel scale over the FFT bins (Kaldi's shape, not its exact edges)."""
    def mel(f):
        return 1127.0 * np.log1p(f / 700.0)
    edges = np.linspace(mel(low), mel(high), mels + 2)
    bins = mel(np.arange(n_fft // 2 + 1) * SAMPLE_RATE / n_fft)
    left, centre, right = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (bins[None, :] - left) / (centre - left)
    down = (right - bins[None, :]) / (right - centre)
    return np.clip(np.minimum(up, down), 0, None)


def fbank_clip(rng):
    """A normalised log-mel fbank [128, 204] of 2 s of synthetic sound: a few harmonic tones with gliding pitch
    and envelopes over noise, 25 ms Hann frames every 10 ms, 512-point power spectrum, 128 mel bins 20 Hz-8 kHz,
    log, padded with zeros to 204 frames, then (x - mean) / std."""
    n = int(SAMPLE_RATE * CLIP_SECONDS)
    t = np.arange(n) / SAMPLE_RATE
    wave = rng.normal(0, 10 ** rng.uniform(-3.5, -2), n)
    for _ in range(rng.integers(1, 4)):
        f0 = rng.uniform(80, 600) * np.exp(rng.uniform(-0.3, 0.3) * t)
        phase = 2 * np.pi * np.cumsum(f0) / SAMPLE_RATE
        envelope = np.clip(np.sin(np.pi * (t - rng.uniform(-0.5, 1.0)) / rng.uniform(0.3, 2.0)), 0, None)
        for h in range(1, 8):
            wave += rng.uniform(0.01, 0.2) / h * envelope * np.sin(h * phase)
    wave -= wave.mean()
    frame, shift, n_fft = 400, 160, 512
    count = 1 + (n - frame) // shift
    window = np.hanning(frame)
    frames = np.stack([wave[i * shift:i * shift + frame] for i in range(count)]) * window
    power = np.abs(np.fft.rfft(frames, n_fft)) ** 2
    logmel = np.log(np.maximum(power @ mel_filters(n_fft, MEL_BINS, 20, 8000).T, np.finfo(np.float32).eps))
    padded = np.zeros((FRAMES, MEL_BINS))
    padded[:min(count, FRAMES)] = logmel[:FRAMES]
    return ((padded - FBANK_MEAN) / FBANK_STD).T  # mel x time


# ---- one case ----------------------------------------------------------------------------------------------

def bias_key_share(model, x):
    """Mean attention probability of the appended bias_k key per block (1/230 would be a plain extra key)."""
    shares = []
    h = model.modality_preprocessors["audio"](x).transpose(0, 1)
    for block in model.modality_trunks["audio"].blocks:
        n = block.norm_1(h)
        _, weights = block.attn(n, n, n, need_weights=True, average_attn_weights=True)
        shares.append(float(weights[..., -1].mean()))
        h = block(h)
    return shares


def run_case(c):
    init = vg.Init(c["seed"])
    rng = np.random.default_rng(c["seed"])
    clips = c["clips"]
    imagebind = ImageBindAudio(c).eval()
    fill_imagebind(imagebind, init, c)
    qformer = vg.build_qformer(init, c["qf_hidden"], c["qf_heads"], c["qf_layers"], c["qf_inter"], 1, c["out"])
    query_tokens = init.normal((1, c["queries"], c["qf_hidden"]), 0.5)
    clip_embedding = nn.Embedding(c["clip_rows"], c["out"])
    clip_embedding.weight.data.copy_(init.normal((c["clip_rows"], c["out"]), 1.0))
    proj = nn.Linear(c["qf_hidden"], c["d_model"])
    with torch.no_grad():
        proj.weight.copy_(init.normal(proj.weight.shape, 1 / math.sqrt(c["qf_hidden"])))
        proj.bias.copy_(init.normal(proj.bias.shape, 0.05))

    fbank = torch.tensor(np.stack([fbank_clip(rng) for _ in range(clips)]), dtype=torch.float32)
    fbank = fbank.to(torch.float16).to(torch.float32).unsqueeze(1)  # [clips, 1, 128, 204], the F16 values
    assert fbank.shape == (clips, 1, MEL_BINS, FRAMES)

    with torch.no_grad():
        encoder_out = imagebind(fbank)  # [clips, E]
        norms = encoder_out.norm(dim=-1)
        assert torch.allclose(norms, torch.full_like(norms, LOGIT_SCALE), rtol=1e-5), norms
        shares = bias_key_share(imagebind, fbank)
        # How much the learned key/value position matters: the output of the same attention without it
        attns = [b.attn for b in imagebind.modality_trunks["audio"].blocks]
        saved = [(a.bias_k, a.bias_v) for a in attns]
        for a in attns:
            a.bias_k, a.bias_v = None, None
        without = imagebind(fbank)
        for a, (k, v) in zip(attns, saved):
            a.bias_k, a.bias_v = k, v
        assert torch.equal(imagebind(fbank), encoder_out)
        bias_kv_effect = float((without - encoder_out).abs().max() / encoder_out.abs().max())

        hidden = (encoder_out + clip_embedding(torch.arange(clips))).unsqueeze(0)  # [1, clips, E]
        qformer_out = qformer(query_embeds=query_tokens, encoder_hidden_states=hidden,
                              encoder_attention_mask=torch.ones(hidden.shape[:-1], dtype=torch.long)
                              ).last_hidden_state[0]  # [Q, H]
        tokens = proj(qformer_out)

    folder = OUT_ROOT / c["name"]
    folder.mkdir(parents=True, exist_ok=True)
    weights = {"audio_encoder." + k: v for k, v in imagebind.state_dict().items()}
    weights.update(vg.qformer_tensors(qformer, "audio_Qformer.bert."))
    weights["audio_query_tokens"] = query_tokens
    weights["audio_Qformer.bert.embeddings.position_ids"] = torch.arange(512, dtype=torch.int64).unsqueeze(0)
    weights["audio_position_embedding.weight"] = clip_embedding.weight
    weights["audio_llama_proj.weight"] = proj.weight
    weights["audio_llama_proj.bias"] = proj.bias
    weights = {k: v.detach().contiguous() for k, v in weights.items()}
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
    vg.canonicalize_header(folder / "model.safetensors")

    config = {
        "audio_encoder": {"heads": c["heads"], "layer_norm_eps": BLOCK_EPS, "stem_layer_norm_eps": STEM_EPS,
                          "logit_scale": LOGIT_SCALE},
        "audio_qformer": {"heads": c["qf_heads"], "layer_norm_eps": QFORMER_EPS},
    }
    (folder / "videollama.json").write_text(json.dumps(config, indent=2) + "\n")

    meta = {"torch_version": torch.__version__, "transformers_version": transformers.__version__,
            "compute_dtype": "float32", "clips": str(clips),
            "fbank": "log-mel of synthetic tones and noise, padded to 204 frames, (x + 4.268) / 9.138, F16"}
    save_file({"fbank": fbank.to(torch.float16).contiguous()}, str(folder / "inputs.safetensors"), metadata=meta)
    vg.canonicalize_header(folder / "inputs.safetensors")
    expected = {
        "audio.encoder.out": encoder_out.contiguous(),
        "audio_qformer.out": qformer_out.contiguous(),
        "audio.tokens": tokens.contiguous(),
    }
    save_file({k: v.to(torch.float32) for k, v in expected.items()}, str(folder / "expected.safetensors"), metadata=meta)
    vg.canonicalize_header(folder / "expected.safetensors")
    vg.verify(folder, expected, weights)

    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    print(f"{c['name']}: clips={clips}, fbank range [{float(fbank.min()):.2f}, {float(fbank.max()):.2f}], "
          f"tokens {tuple(tokens.shape)}, |tokens| max {float(tokens.abs().max()):.3f}, files {sizes}")
    print("  bias_k share of attention per block: " + ", ".join(f"{s:.3f}" for s in shares)
          + f"; output change without it: {bias_kv_effect:.3f} relative")


def main():
    for c in CASES:
        run_case(c)


if __name__ == "__main__":
    main()
