#!/usr/bin/env python3
"""PyTorch checkpoints written by torch.save, for the Java .pth reader and `videollama convert`.

Writes

testdata/pth/reader/    files for videollama.weights.pth.PthFile
  tensors.pth             a state dict (OrderedDict): F32, F16, BF16, I64, I32, U8 tensors, a scalar, an
                          empty tensor, views sharing one storage at different offsets, a non-contiguous
                          column and a transposed view, an nn.Parameter (_rebuild_parameter), a tensor with a
                          Python attribute (_rebuild_from_type_v2), and float64 / bool / uint16 tensors (types
                          the project does not store; uint16 goes through _rebuild_tensor_v3)
  tensors.safetensors     the same tensors (all but float64 / bool / uint16), .contiguous(), via safetensors
  checkpoint.pth          a training checkpoint as the Video-LLaMA runner saves it (its runner's _save_checkpoint):
                          {"model", "optimizer" (AdamW state after one step), "config" (nested dicts
                          as OmegaConf.to_container gives them, tuples, a set, bytes, a big int),
                          "scaler": None, "epoch": 3}
  checkpoint-model.safetensors   its ["model"] tensors
  protocol4.pth           a state dict saved with pickle_protocol=4 (SHORT_BINUNICODE, MEMOIZE, FRAME, ...)
  protocol4.safetensors
  zip64.pth               tensors.pth rewritten with ZIP64 records everywhere (zip64 extra fields in the local
                          and central headers, ZIP64 end record and locator); torch.load reads it back equal
  legacy.pth              the pre-1.6 format (_use_new_zipfile_serialization=False)
  weights_only_globals.txt   the globals torch.load(weights_only=True) accepts by default, one a line
                          (torch._weights_only_unpickler._get_allowed_globals()), for the Java allowlist

testdata/pth/convert/   a tiny Video-LLaMA's released files (real names, tiny shapes), for `videollama convert`
  eva_vit_g.pth           plain state dict of an EVA ViT with 40 blocks (+ norm/head keys the model lacks)
  blip2_pretrained_flant5xxl.pth   {"model": ...}: Q-Former with its text branch, query_tokens, ln_vision,
                          t5_proj, t5_model, visual_encoder keys
  VL_tiny.pth             VL training checkpoint: video Q-Former, llama_proj, buffers to drop, optimizer state
  AL_tiny.pth             AL training checkpoint: audio Q-Former, audio_llama_proj, audio_encoder buffers
  imagebind_tiny.pth      ImageBind-like state dict with vision, text and audio modalities
  llama/                  a Hugging Face LLaMA folder in .bin shards (with rotary inv_freq buffers) + index,
                          config.json, generation_config.json, tokenizer.model
  bad/no_tensors.pth      a training checkpoint without a single tensor
  bad/float64.pth         a branch checkpoint whose llama_proj.weight is float64 (a type the project does not store)
  bad/qint8.pth           a branch checkpoint whose llama_proj.weight is a quantized qint8 tensor
                          (torch._utils._rebuild_qtensor, which torch.load(weights_only=True) also accepts)
  expected/               what convert must write, made here by applying the released names directly:
                          videollama-eva-vit.safetensors, videollama-blip2.safetensors,
                          videollama-vl.safetensors, videollama-al.safetensors,
                          videollama-imagebind-audio.safetensors, llama.safetensors (all LLaMA tensors)

Reference venv (pip is configured with an offline wheelhouse):

    python3 -m venv .venv-ref && .venv-ref/bin/pip install --no-index --find-links /opt/wheels \
        torch==2.13.0+cpu safetensors numpy

Run from anywhere:  .venv-ref/bin/python scripts/reference/make_pth_cases.py
Produced with torch 2.13.0+cpu. All randomness is seeded and the files come out byte for byte the same, except
reader/checkpoint.pth (the order of a set depends on Python's string hashing) and reader/legacy.pth (the legacy
format keys storages by object id).
"""

import collections
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import torch
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parents[2]
READER = REPO / "testdata" / "pth" / "reader"
CONVERT = REPO / "testdata" / "pth" / "convert"
TOKENIZER = REPO / "testdata" / "golden" / "llama" / "bf16" / "tokenizer.model"  # 512 pieces, 8 KB

gen = torch.Generator().manual_seed(20230605)


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=gen).to(dtype)


def contiguous(d):
    return {k: v.contiguous().clone() for k, v in d.items()}


# --- reader cases ------------------------------------------------------------------------------------------------

def reader_state_dict():
    sd = collections.OrderedDict()
    sd["f32"] = randn(2, 3)
    sd["f16"] = randn(4, dtype=torch.float16)
    sd["bf16"] = randn(2, 2, dtype=torch.bfloat16)
    sd["i64"] = torch.tensor([-3, 0, 1 << 40], dtype=torch.int64)
    sd["i32"] = torch.tensor([7, -9], dtype=torch.int32)
    sd["u8"] = torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8)
    sd["scalar"] = torch.tensor(2.5)
    sd["empty"] = torch.zeros(0, 3)
    base = randn(4, 4)
    sd["shared.base"] = base
    sd["shared.row"] = base[1]                   # offset 4, contiguous
    sd["shared.tail"] = base.view(-1)[5:9]       # offset 5, contiguous
    sd["shared.column"] = base[:, 2]             # offset 2, stride 4: not contiguous
    sd["shared.transposed"] = base.t()           # stride (1, 4): not contiguous
    sd["shared.block"] = base[1:3, 1:4]          # offset 5, strides (4, 1): not contiguous
    sd["param"] = torch.nn.Parameter(randn(3))
    with_attr = randn(2)
    with_attr.note = "a Python attribute makes torch pickle this through _rebuild_from_type_v2"
    sd["with_attr"] = with_attr
    unsupported = collections.OrderedDict()
    unsupported["f64"] = torch.tensor([1.5, -2.0], dtype=torch.float64)
    unsupported["bool"] = torch.tensor([True, False, True])
    unsupported["u16"] = torch.tensor([1, 65535], dtype=torch.uint16)
    return sd, unsupported


def rewrite_as_zip64(src, dst):
    """Copies a torch.save archive entry by entry (stored), with every size and offset in ZIP64 records.

    zipfile writes a ZIP64 field when a value exceeds zipfile.ZIP64_LIMIT; lowering the limit to 0 makes it
    write them for all entries (sizes and, past the first entry, offsets) and write the ZIP64 end record.
    """
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 0
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                out = zipfile.ZipInfo(info.filename, date_time=(2023, 6, 5, 0, 0, 0))
                out.compress_type = zipfile.ZIP_STORED
                with zout.open(out, "w", force_zip64=True) as f:
                    f.write(data)
    finally:
        zipfile.ZIP64_LIMIT = saved
    raw = dst.read_bytes()
    assert b"PK\x06\x06" in raw and b"PK\x06\x07" in raw, "no ZIP64 end record / locator"


def make_reader_cases():
    if READER.exists():
        shutil.rmtree(READER)
    READER.mkdir(parents=True)

    sd, unsupported = reader_state_dict()
    everything = collections.OrderedDict(list(sd.items()) + list(unsupported.items()))
    torch.save(everything, READER / "tensors.pth")
    save_file(contiguous(sd), READER / "tensors.safetensors", metadata={"source": "make_pth_cases.py"})

    model = collections.OrderedDict()
    model["video_query_tokens"] = torch.nn.Parameter(randn(1, 4, 8))
    model["llama_proj.weight"] = torch.nn.Parameter(randn(16, 8))
    model["llama_proj.bias"] = torch.nn.Parameter(randn(16))
    model["video_Qformer.bert.embeddings.position_ids"] = torch.arange(16).expand(1, -1).contiguous()
    params = [p for p in model.values() if isinstance(p, torch.nn.Parameter)]
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    sum((p * p).sum() for p in params).backward()
    optimizer.step()
    state_dict = collections.OrderedDict((k, v.detach()) for k, v in model.items())
    ckpt = {
        "model": state_dict,
        "optimizer": optimizer.state_dict(),
        "config": {
            "run": {"lr": 1e-4, "name": "tiny", "amp": True},
            "model": {"arch": "video_llama", "frozen": ("visual_encoder", "Qformer"), "max_frame_pos": 32},
            "tags": {"a", "b"},
            "blob": b"\x00\x01\xff",
            "big": 2 ** 70,
            "negative": -5,
            "ratio": 0.5,
            "nothing": None,
        },
        "scaler": None,
        "epoch": 3,
    }
    torch.save(ckpt, READER / "checkpoint.pth")
    save_file(contiguous(state_dict), READER / "checkpoint-model.safetensors")

    p4 = collections.OrderedDict(f32=randn(3, 2), bf16=randn(5, dtype=torch.bfloat16), i64=torch.arange(4))
    torch.save(p4, READER / "protocol4.pth", pickle_protocol=4)
    save_file(contiguous(p4), READER / "protocol4.safetensors")

    rewrite_as_zip64(READER / "tensors.pth", READER / "zip64.pth")
    back = torch.load(READER / "zip64.pth", weights_only=False)
    for k, v in everything.items():
        assert torch.equal(back[k], v), k

    torch.save(collections.OrderedDict(f32=randn(2)), READER / "legacy.pth", _use_new_zipfile_serialization=False)

    from torch._weights_only_unpickler import _get_allowed_globals
    (READER / "weights_only_globals.txt").write_text("".join(name + "\n" for name in sorted(_get_allowed_globals())))


# --- convert cases: a tiny Video-LLaMA's released files -----------------------------------------------------------

WIDTH, QF, FFN, QUERIES = 8, 8, 16, 4   # ViT width, Q-Former hidden, Q-Former FFN, query tokens


def eva_state_dict():
    """Keys without prefix, as in LAVIS' eva_vit_g.pth; Linear/Conv weights in fp16, the rest fp32."""
    sd = collections.OrderedDict()
    sd["cls_token"] = randn(1, 1, WIDTH)
    sd["pos_embed"] = randn(1, 5, WIDTH)
    sd["patch_embed.proj.weight"] = randn(WIDTH, 3, 14, 14, dtype=torch.float16)
    sd["patch_embed.proj.bias"] = randn(WIDTH, dtype=torch.float16)
    for i in range(40):
        b = f"blocks.{i}."
        sd[b + "norm1.weight"] = randn(WIDTH)
        sd[b + "norm1.bias"] = randn(WIDTH)
        sd[b + "attn.q_bias"] = randn(WIDTH)
        sd[b + "attn.v_bias"] = randn(WIDTH)
        sd[b + "attn.qkv.weight"] = randn(3 * WIDTH, WIDTH, dtype=torch.float16)
        sd[b + "attn.proj.weight"] = randn(WIDTH, WIDTH, dtype=torch.float16)
        sd[b + "attn.proj.bias"] = randn(WIDTH, dtype=torch.float16)
        sd[b + "norm2.weight"] = randn(WIDTH)
        sd[b + "norm2.bias"] = randn(WIDTH)
        sd[b + "mlp.fc1.weight"] = randn(2 * WIDTH, WIDTH, dtype=torch.float16)
        sd[b + "mlp.fc1.bias"] = randn(2 * WIDTH, dtype=torch.float16)
        sd[b + "mlp.fc2.weight"] = randn(WIDTH, 2 * WIDTH, dtype=torch.float16)
        sd[b + "mlp.fc2.bias"] = randn(WIDTH, dtype=torch.float16)
    sd["norm.weight"] = randn(WIDTH)       # not in the 39-block model without a final norm: dropped
    sd["norm.bias"] = randn(WIDTH)
    sd["head.weight"] = randn(10, WIDTH)
    sd["head.bias"] = randn(10)
    return sd


def qformer_layer(prefix, layer, cross, encoder_width, text_ffn):
    sd = collections.OrderedDict()
    p = f"{prefix}.bert.encoder.layer.{layer}."
    for part in ["attention"] + (["crossattention"] if cross else []):
        kv_in = encoder_width if part == "crossattention" else QF
        for name, fan_in in (("query", QF), ("key", kv_in), ("value", kv_in)):
            sd[p + f"{part}.self.{name}.weight"] = randn(QF, fan_in)
            sd[p + f"{part}.self.{name}.bias"] = randn(QF)
        dense_and_norm(sd, p + f"{part}.output", QF, QF)
    for suffix in ([""] if text_ffn else []) + ["_query"]:
        sd[p + f"intermediate{suffix}.dense.weight"] = randn(FFN, QF)
        sd[p + f"intermediate{suffix}.dense.bias"] = randn(FFN)
        dense_and_norm(sd, p + f"output{suffix}", QF, FFN)
    return sd


def dense_and_norm(sd, name, out_features, in_features):
    """A BERT output block: name.dense ([out, in] with a bias), then name.LayerNorm over its out features."""
    sd[name + ".dense.weight"] = randn(out_features, in_features)
    sd[name + ".dense.bias"] = randn(out_features)
    sd[name + ".LayerNorm.weight"] = randn(out_features)
    sd[name + ".LayerNorm.bias"] = randn(out_features)


def qformer(prefix, layers, cross_every, encoder_width, text_branch):
    sd = collections.OrderedDict()
    e = f"{prefix}.bert.embeddings."
    if text_branch:
        sd[e + "word_embeddings.weight"] = randn(30, QF)
        sd[e + "position_embeddings.weight"] = randn(16, QF)
    sd[e + "LayerNorm.weight"] = randn(QF)
    sd[e + "LayerNorm.bias"] = randn(QF)
    sd[e + "position_ids"] = torch.arange(16).expand(1, -1)   # a buffer; an expanded view, as BERT makes it
    for layer in range(layers):
        sd.update(qformer_layer(prefix, layer, layer % cross_every == 0, encoder_width, text_branch))
    if text_branch:
        c = f"{prefix}.cls.predictions."
        sd[c + "bias"] = randn(30)
        sd[c + "transform.dense.weight"] = randn(QF, QF)
        sd[c + "transform.dense.bias"] = randn(QF)
        sd[c + "transform.LayerNorm.weight"] = randn(QF)
        sd[c + "transform.LayerNorm.bias"] = randn(QF)
        sd[c + "decoder.weight"] = sd[e + "word_embeddings.weight"]   # tied, as in BERT: one shared storage
        sd[c + "decoder.bias"] = sd[c + "bias"]
    return sd


def blip2_checkpoint():
    model = collections.OrderedDict()
    model["query_tokens"] = randn(1, QUERIES, QF)
    model["visual_encoder.cls_token"] = randn(1, 1, WIDTH)
    model["visual_encoder.blocks.0.norm1.weight"] = randn(WIDTH)
    model["ln_vision.weight"] = randn(WIDTH)
    model["ln_vision.bias"] = randn(WIDTH)
    model.update(qformer("Qformer", 2, 2, WIDTH, text_branch=True))
    model["t5_proj.weight"] = randn(12, QF)
    model["t5_proj.bias"] = randn(12)
    model["t5_model.shared.weight"] = randn(20, 12, dtype=torch.bfloat16)
    return {"model": model}


def with_optimizer(model, epoch):
    """A training checkpoint the way the runner saves it: the model's state plus AdamW state over its params."""
    params = [torch.nn.Parameter(v.clone()) for v in model.values() if v.is_floating_point()]
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    sum((p.float() ** 2).sum() for p in params).backward()
    optimizer.step()
    return {
        "model": model,
        "optimizer": optimizer.state_dict(),
        "config": {"run": {"lr_sched": "linear_warmup_cosine_lr", "init_lr": 1e-4, "amp": True},
                   "model": {"arch": "video_llama", "frozen_llama_proj": False},
                   "cli": {"cfg_path": "train_configs/tiny.yaml", "options": None}},
        "scaler": None,
        "epoch": epoch,
    }


def vl_checkpoint():
    model = collections.OrderedDict()
    model["video_frame_position_embedding.weight"] = randn(32, QF)
    model["video_query_tokens"] = randn(1, QUERIES, QF)
    model.update(qformer("video_Qformer", 2, 1, QF, text_branch=False))
    model["llama_proj.weight"] = randn(16, QF)
    model["llama_proj.bias"] = randn(16)
    model["Qformer.bert.embeddings.position_ids"] = torch.arange(16).expand(1, -1)
    model["llama_model.model.layers.0.self_attn.rotary_emb.inv_freq"] = randn(2)
    return with_optimizer(model, epoch=3)


def al_checkpoint():
    model = collections.OrderedDict()
    model["audio_position_embedding.weight"] = randn(8, 12)
    model["audio_query_tokens"] = randn(1, QUERIES, QF)
    model.update(qformer("audio_Qformer", 2, 1, 12, text_branch=False))
    model["audio_llama_proj.weight"] = randn(16, QF)
    model["audio_llama_proj.bias"] = randn(16)
    model["audio_encoder.modality_postprocessors.audio.1.log_logit_scale"] = torch.tensor(2.9957)
    model["audio_encoder.modality_trunks.audio.blocks.0.attn.in_proj_weight"] = randn(24, 8)
    model["llama_model.model.layers.1.self_attn.rotary_emb.inv_freq"] = randn(2)
    return with_optimizer(model, epoch=1)


def imagebind_state_dict():
    sd = collections.OrderedDict()
    for modality, width in (("vision", 10), ("text", 6), ("audio", 8), ("depth", 4)):
        pre = f"modality_preprocessors.{modality}."
        sd[pre + "cls_token"] = randn(1, 1, width)
        sd[pre + "rgbt_stem.proj.weight"] = randn(width, 1, 4, 4)
        sd[pre + "pos_embedding_helper.pos_embed"] = randn(1, 5, width)
        for b in range(2):
            t = f"modality_trunks.{modality}.blocks.{b}."
            sd[t + "attn.in_proj_weight"] = randn(3 * width, width)
            sd[t + "attn.in_proj_bias"] = randn(3 * width)
            sd[t + "attn.bias_k"] = randn(1, 1, width)
            sd[t + "attn.bias_v"] = randn(1, 1, width)
            sd[t + "attn.out_proj.weight"] = randn(width, width)
            sd[t + "attn.out_proj.bias"] = randn(width)
            sd[t + "norm_1.weight"] = randn(width)
            sd[t + "mlp.fc1.weight"] = randn(2 * width, width)
        sd[f"modality_heads.{modality}.0.weight"] = randn(width)
        sd[f"modality_heads.{modality}.2.weight"] = randn(12, width)
        sd[f"modality_postprocessors.{modality}.1.log_logit_scale"] = torch.tensor(2.9957)
    sd["modality_preprocessors.audio_extra.cls_token"] = randn(1, 1, 8)  # "audio" must match a whole name part
    return sd


def llama_shards():
    """A tiny LLaMA in HF names, bf16, with the rotary buffers older HF .bin checkpoints carry."""
    hidden, inter, layers, vocab = 8, 12, 2, 512
    sd = collections.OrderedDict()
    sd["model.embed_tokens.weight"] = randn(vocab, hidden, dtype=torch.bfloat16)
    for n in range(layers):
        p = f"model.layers.{n}."
        for proj in ("q_proj", "k_proj", "v_proj", "o_proj"):
            sd[p + f"self_attn.{proj}.weight"] = randn(hidden, hidden, dtype=torch.bfloat16)
        sd[p + "self_attn.rotary_emb.inv_freq"] = randn(2)
        sd[p + "mlp.gate_proj.weight"] = randn(inter, hidden, dtype=torch.bfloat16)
        sd[p + "mlp.up_proj.weight"] = randn(inter, hidden, dtype=torch.bfloat16)
        sd[p + "mlp.down_proj.weight"] = randn(hidden, inter, dtype=torch.bfloat16)
        sd[p + "input_layernorm.weight"] = randn(hidden, dtype=torch.bfloat16)
        sd[p + "post_attention_layernorm.weight"] = randn(hidden, dtype=torch.bfloat16)
    sd["model.norm.weight"] = randn(hidden, dtype=torch.bfloat16)
    sd["lm_head.weight"] = randn(vocab, hidden, dtype=torch.bfloat16)
    config = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": hidden,
              "intermediate_size": inter, "num_hidden_layers": layers, "num_attention_heads": 2,
              "num_key_value_heads": 2, "vocab_size": vocab, "max_position_embeddings": 64, "rms_norm_eps": 1e-5,
              "rope_theta": 10000.0, "hidden_act": "silu", "tie_word_embeddings": False, "bos_token_id": 1,
              "eos_token_id": 2, "torch_dtype": "bfloat16"}
    return sd, config


# What convert must keep, written down from the reference model's module names (independently of the Java code).

def keep_eva(name):
    m = re.match(r"blocks\.(\d+)\.", name)
    if m:
        return int(m.group(1)) <= 38            # the reference builds EVA ViT-g with 39 blocks
    return name in ("cls_token", "pos_embed") or name.startswith("patch_embed.")


BLIP2_DROPPED = re.compile(r"Qformer\.(cls\.|bert\.embeddings\.(word_embeddings|position_embeddings|position_ids)"
                           r"|bert\.encoder\.layer\.\d+\.(intermediate|output)\.)")


def keep_blip2(name):
    if not (name.startswith("Qformer.") or name == "query_tokens" or name.startswith("ln_vision.")):
        return False
    return not BLIP2_DROPPED.match(name)


def keep_branch(name):
    return not (name.endswith(".position_ids") or name.endswith("rotary_emb.inv_freq")
                or name.startswith("audio_encoder.") or name.startswith("llama_model."))


def keep_imagebind(name):
    return re.match(r"modality_(preprocessors|trunks|heads|postprocessors)\.audio\.", name) is not None


def save_expected(path, tensors):
    save_file(contiguous(tensors), path, metadata={"source": "make_pth_cases.py"})


def make_convert_cases():
    if CONVERT.exists():
        shutil.rmtree(CONVERT)
    expected = CONVERT / "expected"
    expected.mkdir(parents=True)

    eva = eva_state_dict()
    torch.save(eva, CONVERT / "eva_vit_g.pth")
    save_expected(expected / "videollama-eva-vit.safetensors",
                  {"visual_encoder." + k: v for k, v in eva.items() if keep_eva(k)})

    blip2 = blip2_checkpoint()
    torch.save(blip2, CONVERT / "blip2_pretrained_flant5xxl.pth")
    save_expected(expected / "videollama-blip2.safetensors", {k: v for k, v in blip2["model"].items() if keep_blip2(k)})

    vl = vl_checkpoint()
    torch.save(vl, CONVERT / "VL_tiny.pth")
    save_expected(expected / "videollama-vl.safetensors", {k: v for k, v in vl["model"].items() if keep_branch(k)})

    al = al_checkpoint()
    torch.save(al, CONVERT / "AL_tiny.pth")
    save_expected(expected / "videollama-al.safetensors", {k: v for k, v in al["model"].items() if keep_branch(k)})

    imagebind = imagebind_state_dict()
    torch.save(imagebind, CONVERT / "imagebind_tiny.pth")
    save_expected(expected / "videollama-imagebind-audio.safetensors",
                  {"audio_encoder." + k: v for k, v in imagebind.items() if keep_imagebind(k)})

    llama_dir = CONVERT / "llama"
    llama_dir.mkdir()
    sd, config = llama_shards()
    names = list(sd)
    shards = [names[: len(names) // 2], names[len(names) // 2:]]
    weight_map = {}
    for i, shard in enumerate(shards, start=1):
        file = f"pytorch_model-{i:05d}-of-{len(shards):05d}.bin"
        torch.save(collections.OrderedDict((k, sd[k]) for k in shard), llama_dir / file)
        weight_map.update({k: file for k in shard})
    total = sum(v.numel() * v.element_size() for v in sd.values())
    (llama_dir / "pytorch_model.bin.index.json").write_text(
        json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}, indent=2) + "\n")
    (llama_dir / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (llama_dir / "generation_config.json").write_text(
        json.dumps({"bos_token_id": 1, "eos_token_id": 2, "temperature": 0.9}, indent=2) + "\n")
    shutil.copyfile(TOKENIZER, llama_dir / "tokenizer.model")
    save_expected(expected / "llama.safetensors",
                  {k: v for k, v in sd.items() if not k.endswith("rotary_emb.inv_freq")})

    bad = CONVERT / "bad"
    bad.mkdir()
    torch.save({"config": {"arch": "video_llama"}, "epoch": 3, "scaler": None}, bad / "no_tensors.pth")
    torch.save({"model": {"llama_proj.weight": randn(4, 2).double()}, "epoch": 1}, bad / "float64.pth")
    quantized = torch.quantize_per_tensor(randn(4, 2), scale=0.05, zero_point=0, dtype=torch.qint8)
    torch.save({"model": {"llama_proj.weight": quantized, "llama_proj.bias": randn(4)}, "epoch": 1},
               bad / "qint8.pth")

    # Sanity: torch reads every file back, with its weights_only unpickler (the allowlist the Java reader keeps).
    for file in list(CONVERT.rglob("*.pth")) + [READER / "checkpoint.pth"]:
        torch.load(file, weights_only=True)


def main():
    torch.manual_seed(0)
    make_reader_cases()
    make_convert_cases()
    files = [f for f in (REPO / "testdata" / "pth").rglob("*") if f.is_file()]
    for f in files:
        f.chmod(0o644)   # safetensors writes owner-only files
    total = sum(f.stat().st_size for f in files)
    print(f"wrote {READER} and {CONVERT}: {total / 1024:.0f} KB")


if __name__ == "__main__":
    main()
