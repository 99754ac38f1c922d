#!/usr/bin/env python3
"""Golden reference data for the Java LLaMA implementation.

Writes testdata/golden/llama/<case>/ for several tiny random LLaMA models
(config.json, model.safetensors, tokenizer.model, expected.safetensors) and
testdata/golden/llama/stories260K/expected.safetensors for the bundled real
model models/stories260K.

Reference venv (pip is configured with an offline wheelhouse):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install --find-links /opt/wheels \
        torch==2.13.0+cpu safetensors numpy transformers sentencepiece protobuf

Run from anywhere:

    .venv-ref/bin/python scripts/reference/make_llama_golden.py

Produced with torch 2.13.0+cpu and transformers 5.18.0 (recorded in the
metadata of every expected.safetensors).

What the reference computes
---------------------------
* The model is always loaded back from the written folder with
  ``LlamaForCausalLM.from_pretrained(dir, dtype=torch.float32,
  attn_implementation="eager")`` so the data reflect how Hugging Face reads
  exactly these files (F16/BF16 weights are upcast to float32 on load, i.e.
  the float32 computation runs on the fp16/bf16-rounded values).
* ``prompt_ids``    I64 [L]    BOS(1) + sentencepiece ids of the prompt.
* ``prompt_logits`` F32 [L, V] one full no-cache forward pass over the prompt.
* ``greedy_ids``    I64 [N]    greedy continuation from our OWN loop with the
  HF KV cache (DynamicCache): prefill the prompt, then feed one token at a
  time; the next token is argmax of the raw logits (ties -> lowest id, never
  happen here), nothing is masked, EOS does not stop it.
* ``step_logits``   F32 [N, V] row 0 = logits at the prompt's last position
  (from the cached prefill), row k = logits after feeding greedy token k-1.
The loop is cross-checked against ``model.generate(do_sample=False,
max_new_tokens=N, min_new_tokens=N)`` and against a no-cache forward pass
over prompt + continuation.

Weight initialisation (random cases) is chosen so logits are well spread:
projections ~ N(0, 1/fan_in), embeddings ~ N(0, 1), RMSNorm weights ~
U(0.5, 1.5). The tied case uses embeddings ~ N(0, 0.25^2): with tied
embeddings and std 1 the self-term |e_x|^2 of the residual dominates the
logits and greedy decoding just repeats the last prompt token forever. Seeds are tried in order (base, base+1, ...) until the greedy
continuation has min top-2 margin >= 2e-3 * max|logit|, at least
MIN_DISTINCT distinct tokens and no EOS/BOS; the first passing seed is used.
"""

import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np  # noqa: E402
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors import safe_open  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_vision_golden as vg  # noqa: E402  (canonicalize_header, shared with the other golden scripts)

REPO = Path(__file__).resolve().parents[2]
OUT_ROOT = REPO / "testdata" / "golden" / "llama"
STORIES = REPO / "models" / "stories260K"
TOKENIZER = STORIES / "tokenizer.model"

BOS, EOS = 1, 2
VOCAB = 512
MARGIN_REL = 2e-3  # brief asks >= 1e-3; use 2x headroom
MIN_DISTINCT = 4
MAX_SEED_TRIES = 200
ATTN_IMPL = "eager"

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

LONG_PARAGRAPH = (
    "Once upon a time, in a small town near a big green forest, there lived a "
    "little girl named Lily. Every morning she walked with her mom to the park "
    "to see the ducks on the pond. One sunny day, Lily found a shiny red ball "
    "under an old tree. She wanted to play with it, but she did not know who it "
    "belonged to. She asked a boy named Tom, and he smiled and said the ball was "
    "his. Tom was sad because he had lost it the day before. Lily gave the ball "
    "back to him, and Tom was very happy. They played together all afternoon, and"
)

CASES = [
    dict(name="mha-untied", hidden=64, layers=4, heads=4, kv_heads=4, inter=172,
         eps=1e-5, theta=10000.0, tied=False, max_pos=256, dtype="float32", n_new=40,
         base_seed=1000, prompt="The little dog ran to the park and"),
    dict(name="gqa-tied-theta", hidden=96, layers=3, heads=8, kv_heads=2, inter=200,
         eps=1e-6, theta=500000.0, tied=True, max_pos=256, dtype="float32", n_new=40,
         base_seed=2000, embed_std=0.25, prompt="Lily wanted to find a shiny red ball"),
    dict(name="odd-f16", hidden=48, layers=2, heads=6, kv_heads=3, inter=100,
         eps=1e-5, theta=10000.0, tied=False, max_pos=256, dtype="float16", n_new=30,
         base_seed=3000, prompt="One day, a small bird sang a song"),
    dict(name="bf16", hidden=64, layers=2, heads=8, kv_heads=8, inter=172,
         eps=1e-5, theta=10000.0, tied=False, max_pos=256, dtype="bfloat16", n_new=30,
         base_seed=4000, prompt="Tom and Sue went to the big tree"),
    dict(name="long-context", hidden=32, layers=2, heads=4, kv_heads=1, inter=86,
         eps=1e-5, theta=10000.0, tied=False, max_pos=1024, dtype="float32", n_new=60,
         base_seed=5000, prompt=LONG_PARAGRAPH),
]

TORCH_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def hf_config_dict(c):
    """config.json the way LLaMA-2 checkpoints have it (top-level rope_theta)."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": c["hidden"],
        "intermediate_size": c["inter"],
        "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"],
        "num_key_value_heads": c["kv_heads"],
        "vocab_size": VOCAB,
        "max_position_embeddings": c["max_pos"],
        "rms_norm_eps": c["eps"],
        "rope_theta": c["theta"],
        "hidden_act": "silu",
        "tie_word_embeddings": c["tied"],
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "torch_dtype": c["dtype"],
    }


def make_weights(c, seed):
    """Random well-spread weights, HF names, rounded to the stored dtype.

    Returns (stored, f32): stored tensors in the storage dtype (what goes into
    model.safetensors) and their exact float32 values.
    """
    g = torch.Generator().manual_seed(seed)
    h, inter, layers = c["hidden"], c["inter"], c["layers"]
    hd = h // c["heads"]
    q_out, kv_out = c["heads"] * hd, c["kv_heads"] * hd

    def lin(out_f, in_f):
        return torch.randn(out_f, in_f, generator=g) / np.sqrt(in_f)

    def norm(n):
        return torch.rand(n, generator=g) + 0.5

    w = {"model.embed_tokens.weight": torch.randn(VOCAB, h, generator=g) * c.get("embed_std", 1.0)}
    for i in range(layers):
        p = f"model.layers.{i}."
        w[p + "self_attn.q_proj.weight"] = lin(q_out, h)
        w[p + "self_attn.k_proj.weight"] = lin(kv_out, h)
        w[p + "self_attn.v_proj.weight"] = lin(kv_out, h)
        w[p + "self_attn.o_proj.weight"] = lin(h, q_out)
        w[p + "mlp.gate_proj.weight"] = lin(inter, h)
        w[p + "mlp.up_proj.weight"] = lin(inter, h)
        w[p + "mlp.down_proj.weight"] = lin(h, inter)
        w[p + "input_layernorm.weight"] = norm(h)
        w[p + "post_attention_layernorm.weight"] = norm(h)
    w["model.norm.weight"] = norm(h)
    if not c["tied"]:
        w["lm_head.weight"] = lin(VOCAB, h)
    sd = TORCH_DTYPES[c["dtype"]]
    stored = {k: v.to(sd).contiguous() for k, v in w.items()}
    f32 = {k: v.to(torch.float32) for k, v in stored.items()}
    return stored, f32


@torch.no_grad()
def greedy_with_cache(model, prompt_ids, n_new):
    """Own greedy loop with the HF KV cache; raw argmax, no masking, no early stop."""
    out = model(input_ids=prompt_ids[None], use_cache=True)
    past = out.past_key_values
    logits = out.logits[0, -1].float()
    ids, rows = [], []
    for k in range(n_new):
        rows.append(logits.clone())
        tok = int(torch.argmax(logits))
        ids.append(tok)
        if k == n_new - 1:
            break
        out = model(input_ids=torch.tensor([[tok]]), past_key_values=past, use_cache=True)
        past = out.past_key_values
        logits = out.logits[0, -1].float()
    return torch.tensor(ids, dtype=torch.int64), torch.stack(rows)


@torch.no_grad()
def prompt_forward(model, prompt_ids):
    return model(input_ids=prompt_ids[None], use_cache=False).logits[0].float().contiguous()


def margins(step_logits):
    top2 = torch.topk(step_logits, 2, dim=-1).values
    gaps = top2[:, 0] - top2[:, 1]
    return float(gaps.min()), float(step_logits.abs().max())


def model_from_weights(c, f32):
    cfg = LlamaConfig(**{k: v for k, v in hf_config_dict(c).items()
                         if k not in ("architectures", "torch_dtype")})
    cfg._attn_implementation = ATTN_IMPL
    model = LlamaForCausalLM(cfg).eval()
    missing, unexpected = model.load_state_dict(f32, strict=False)
    allowed_missing = {"lm_head.weight"} if c["tied"] else set()
    assert set(missing) <= allowed_missing and not unexpected, (missing, unexpected)
    if c["tied"]:
        assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
    return model


def acceptable(step_logits, greedy_ids):
    gap, mx = margins(step_logits)
    ids = greedy_ids.tolist()
    distinct = len(set(ids))
    ok = gap >= MARGIN_REL * mx and distinct >= MIN_DISTINCT and EOS not in ids and BOS not in ids
    return ok, gap, mx, distinct


@torch.no_grad()
def cross_checks(model, prompt_ids, greedy_ids, step_logits, prompt_logits):
    """Consistency checks; returns dict of diagnostics (raises on mismatch)."""
    L, N = len(prompt_ids), len(greedy_ids)
    info = {}
    # argmax of every step row is the greedy id
    assert torch.equal(torch.argmax(step_logits, -1), greedy_ids)
    # row 0 (cached prefill) vs the no-cache prompt pass
    info["row0_vs_prompt_last"] = float((step_logits[0] - prompt_logits[-1]).abs().max())
    # no-cache forward over prompt + continuation reproduces the step rows
    full = torch.cat([prompt_ids, greedy_ids[:-1]])
    full_logits = model(input_ids=full[None], use_cache=False).logits[0].float()
    info["nocache_vs_steps"] = float((full_logits[L - 1:] - step_logits).abs().max())
    assert torch.equal(torch.argmax(full_logits[L - 1:], -1), greedy_ids)
    # HF generate with min_new_tokens (EOS masked until N tokens)
    gen = model.generate(prompt_ids[None], do_sample=False, max_new_tokens=N, min_new_tokens=N,
                         output_logits=True, return_dict_in_generate=True,
                         pad_token_id=0, eos_token_id=EOS)
    gen_ids = gen.sequences[0, L:]
    info["generate_ids_equal"] = bool(torch.equal(gen_ids, greedy_ids))
    if info["generate_ids_equal"]:
        gl = torch.stack([x[0].float() for x in gen.logits])
        info["generate_logits_vs_steps"] = float((gl - step_logits).abs().max())
    return info


def sdpa_diff(folder_or_model_dir, prompt_ids, prompt_logits):
    m = LlamaForCausalLM.from_pretrained(folder_or_model_dir, dtype=torch.float32,
                                         attn_implementation="sdpa").eval()
    with torch.no_grad():
        lg = m(input_ids=prompt_ids[None], use_cache=False).logits[0].float()
    return float((lg - prompt_logits).abs().max())


def common_meta(extra, info):
    """The metadata every case's expected.safetensors carries: versions, how the data was made, the case's own
    entries (extra) and the cross-checks' results (info, from cross_checks and sdpa_diff)."""
    meta = {
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
        "safetensors_dtype_of_logits": "F32",
        "compute_dtype": "float32",
        "attn_implementation": ATTN_IMPL,
        "greedy_method": "own loop with HF DynamicCache KV cache: prefill prompt, then one token "
                         "per step; argmax of raw logits, nothing masked, EOS does not stop",
        "step_logits_rows": "row 0 = prompt last position; row k = after feeding greedy token k-1",
        "bos_prepended": "true",
    }
    meta.update({k: str(v) for k, v in extra.items()})
    meta["check_nocache_vs_steps_maxabs"] = repr(info["nocache_vs_steps"])
    meta["check_sdpa_vs_eager_maxabs"] = repr(info["sdpa_vs_eager_prompt"])
    meta["check_generate_min_new_tokens_same_ids"] = str(info["generate_ids_equal"]).lower()
    return meta


def write_expected(path, prompt_ids, prompt_logits, greedy_ids, step_logits, meta):
    tensors = {
        "prompt_ids": prompt_ids.to(torch.int64).contiguous(),
        "prompt_logits": prompt_logits.to(torch.float32).contiguous(),
        "greedy_ids": greedy_ids.to(torch.int64).contiguous(),
        "step_logits": step_logits.to(torch.float32).contiguous(),
    }
    save_file(tensors, str(path), metadata=meta)
    before = load_file(str(path))
    vg.canonicalize_header(path)
    after = load_file(str(path))
    assert before.keys() == after.keys() and all(torch.equal(before[k], after[k]) for k in before)
    with safe_open(str(path), "pt") as f:
        assert f.metadata() == meta


def verify_expected(path, L, N):
    t = load_file(str(path))
    assert t["prompt_ids"].dtype == torch.int64 and tuple(t["prompt_ids"].shape) == (L,)
    assert t["prompt_logits"].dtype == torch.float32 and tuple(t["prompt_logits"].shape) == (L, VOCAB)
    assert t["greedy_ids"].dtype == torch.int64 and tuple(t["greedy_ids"].shape) == (N,)
    assert t["step_logits"].dtype == torch.float32 and tuple(t["step_logits"].shape) == (N, VOCAB)
    assert int(t["prompt_ids"][0]) == BOS
    assert torch.equal(torch.argmax(t["step_logits"], -1), t["greedy_ids"])
    with safe_open(str(path), "pt") as f:
        meta = f.metadata()
    return meta


def check_rope_theta(model, theta, head_dim):
    used = float(model.config.rope_parameters["rope_theta"])
    assert used == theta, (used, theta)
    expect = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float) / head_dim))
    assert torch.equal(model.model.rotary_emb.inv_freq.float(), expect)
    return used


def run_case(c, sp):
    name = c["name"]
    folder = OUT_ROOT / name
    prompt_ids = torch.tensor([BOS] + sp.encode(c["prompt"]), dtype=torch.int64)
    L, N = len(prompt_ids), c["n_new"]
    if name == "long-context":
        assert 180 <= L <= 240, (name, L)
    else:
        assert 5 <= L <= 40, (name, L)
    head_dim = c["hidden"] // c["heads"]

    # --- deterministic seed search (in-memory model) ---
    chosen = None
    for t in range(MAX_SEED_TRIES):
        seed = c["base_seed"] + t
        stored, f32 = make_weights(c, seed)
        model = model_from_weights(c, f32)
        g_ids, s_log = greedy_with_cache(model, prompt_ids, N)
        ok, gap, mx, distinct = acceptable(s_log, g_ids)
        if ok:
            chosen = (seed, t + 1, stored, f32)
            break
    assert chosen is not None, f"{name}: no acceptable seed in {MAX_SEED_TRIES} tries"
    seed, tries, stored, f32 = chosen

    # --- write model folder ---
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / "config.json").write_text(json.dumps(hf_config_dict(c), indent=2) + "\n")
    save_file(stored, str(folder / "model.safetensors"), metadata={"format": "pt"})
    shutil.copyfile(TOKENIZER, folder / "tokenizer.model")

    # --- reference run from the written files, exactly as HF loads them ---
    model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32,
                                             attn_implementation=ATTN_IMPL).eval()
    assert model.config._attn_implementation == ATTN_IMPL
    for k, v in model.state_dict().items():
        if k == "lm_head.weight" and c["tied"]:
            assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
            continue
        assert v.dtype == torch.float32 and torch.equal(v, f32[k]), k
    theta_used = check_rope_theta(model, c["theta"], head_dim)
    assert model.config.rms_norm_eps == c["eps"]
    assert model.config.num_key_value_heads == c["kv_heads"]

    prompt_logits = prompt_forward(model, prompt_ids)
    greedy_ids, step_logits = greedy_with_cache(model, prompt_ids, N)
    ok, gap, mx, distinct = acceptable(step_logits, greedy_ids)
    assert ok, name
    info = cross_checks(model, prompt_ids, greedy_ids, step_logits, prompt_logits)
    info["sdpa_vs_eager_prompt"] = sdpa_diff(folder, prompt_ids, prompt_logits)

    meta = common_meta({
        "case": name,
        "seed": seed,
        "seed_tries": tries,
        "init": f"embed N(0,{c.get('embed_std', 1.0)}^2); projections N(0,1/fan_in); RMSNorm U(0.5,1.5); torch.Generator",
        "stored_weight_dtype": c["dtype"],
        "tie_word_embeddings": str(c["tied"]).lower(),
        "rope_theta_used": repr(theta_used),
        "head_dim": head_dim,
        "prompt_text": c["prompt"],
        "prompt_len": L,
        "n_new": N,
        "min_top2_margin": repr(gap),
        "max_abs_step_logit": repr(mx),
        "max_abs_prompt_logit": repr(float(prompt_logits.abs().max())),
        "distinct_greedy_tokens": distinct,
    }, info)
    write_expected(folder / "expected.safetensors", prompt_ids, prompt_logits, greedy_ids,
                   step_logits, meta)
    verify_expected(folder / "expected.safetensors", L, N)
    return dict(name=name, L=L, N=N, seed=seed, tries=tries, dtype=c["dtype"], gap=gap, mx=mx,
                rel=gap / mx, distinct=distinct, info=info, theta=theta_used,
                greedy=greedy_ids.tolist())


def run_stories(sp):
    name = "stories260K"
    folder = OUT_ROOT / name
    prompt_text = "Once upon a time"
    N = 256
    prompt_ids = torch.tensor([BOS] + sp.encode(prompt_text), dtype=torch.int64)
    L = len(prompt_ids)
    model = LlamaForCausalLM.from_pretrained(STORIES, dtype=torch.float32,
                                             attn_implementation=ATTN_IMPL).eval()
    cfg = json.loads((STORIES / "config.json").read_text())
    theta_used = check_rope_theta(model, float(cfg["rope_theta"]),
                                  cfg["hidden_size"] // cfg["num_attention_heads"])
    prompt_logits = prompt_forward(model, prompt_ids)
    greedy_ids, step_logits = greedy_with_cache(model, prompt_ids, N)
    info = cross_checks(model, prompt_ids, greedy_ids, step_logits, prompt_logits)
    info["sdpa_vs_eager_prompt"] = sdpa_diff(STORIES, prompt_ids, prompt_logits)
    gap, mx = margins(step_logits)
    top2 = torch.topk(step_logits, 2, dim=-1).values
    gaps = top2[:, 0] - top2[:, 1]
    ids = greedy_ids.tolist()
    text = sp.decode(ids)
    full_text = sp.decode(prompt_ids[1:].tolist() + ids)
    folder.mkdir(parents=True, exist_ok=True)
    meta = common_meta({
        "case": name,
        "model_dir": "models/stories260K",
        "seed": "n/a (pretrained weights, deterministic greedy)",
        "stored_weight_dtype": "float32",
        "rope_theta_used": repr(theta_used),
        "prompt_text": prompt_text,
        "prompt_len": L,
        "n_new": N,
        "min_top2_margin": repr(gap),
        "argmin_top2_margin_step": int(torch.argmin(gaps)),
        "max_abs_step_logit": repr(mx),
        "max_abs_prompt_logit": repr(float(prompt_logits.abs().max())),
        "distinct_greedy_tokens": len(set(ids)),
        "greedy_contains_eos": str(EOS in ids).lower(),
        "greedy_bos_positions": ",".join(str(i) for i, t in enumerate(ids) if t == BOS) or "none",
        "greedy_text": text,
        "prompt_plus_greedy_text": full_text,
    }, info)
    write_expected(folder / "expected.safetensors", prompt_ids, prompt_logits, greedy_ids,
                   step_logits, meta)
    verify_expected(folder / "expected.safetensors", L, N)
    return dict(name=name, L=L, N=N, seed="-", tries=0, dtype="float32", gap=gap, mx=mx,
                rel=gap / mx, distinct=len(set(ids)), info=info, theta=theta_used,
                greedy=ids, text=text, full_text=full_text, gaps=gaps)


def main():
    print(f"torch {torch.__version__}, transformers {transformers.__version__}, python {sys.version.split()[0]}")
    sp = spm.SentencePieceProcessor(model_file=str(TOKENIZER))
    assert sp.get_piece_size() == VOCAB and sp.bos_id() == BOS and sp.eos_id() == EOS
    OUT_ROOT.mkdir(parents=True, exist_ok=True)

    rows = [run_case(c, sp) for c in CASES]
    st = run_stories(sp)
    rows.append(st)

    print("\nstories260K greedy text (prompt 'Once upon a time', 256 tokens):")
    print(st["full_text"])
    print(f"  greedy contains EOS: {EOS in st['greedy']}; BOS positions: "
          f"{[i for i, t in enumerate(st['greedy']) if t == BOS]}")

    print("\nSummary")
    hdr = (f"{'case':<16}{'dtype':<10}{'L':>4}{'N':>5}{'seed':>6}{'tries':>6}{'theta':>10}"
           f"{'min_gap':>11}{'max|logit|':>11}{'gap/max':>10}{'distinct':>9}"
           f"{'nocache':>10}{'sdpa':>10}{'gen==':>6}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        i = r["info"]
        print(f"{r['name']:<16}{r['dtype']:<10}{r['L']:>4}{r['N']:>5}{str(r['seed']):>6}{r['tries']:>6}"
              f"{r['theta']:>10g}{r['gap']:>11.4g}{r['mx']:>11.4g}{r['rel']:>10.3g}{r['distinct']:>9}"
              f"{i['nocache_vs_steps']:>10.2e}{i['sdpa_vs_eager_prompt']:>10.2e}"
              f"{str(i['generate_ids_equal']):>6}")

    print("\nFiles")
    total = 0
    for p in sorted(OUT_ROOT.rglob("*")):
        if p.is_file():
            total += p.stat().st_size
            print(f"  {p.relative_to(REPO)}  {p.stat().st_size} bytes")
    print(f"  total {total} bytes ({total / 2**20:.2f} MiB)")


if __name__ == "__main__":
    main()
