#!/usr/bin/env python3
"""The bundled demo model and the golden data of a whole Video-LLaMA chat.

1. models/videollama-demo/: a small Video-LLaMA with the real structure on top of the real stories260K LLaMA
   (its config.json, model.safetensors and tokenizer.model are symlinks to ../stories260K): seeded random branch
   weights in branches.safetensors under the released names, narrow but with the released layout: a ViT on
   224 x 224 frames with 14 x 14 patches (257 tokens), q_bias / zero K bias / v_bias, exact GELU, F16 matrices as in
   eva_vit_g.pth (3 blocks, not 39, to keep the file small); ln_vision; an image Q-Former with 12 layers,
   cross-attention on the even ones and 32 queries; a 32-row frame position embedding; a 2-layer video Q-Former
   cross-attending in both layers with 32 queries; llama_proj to stories260K's width 64. Its answers mean nothing:
   the weights are random. The demo video (stream-of-water.mp4, CC0) is copied beside it.
2. testdata/golden/chat/: what the reference pipeline makes of the demo video with that model:
   * frames: decoded by PyAV's FFmpeg, sorted by presentation time, sampled as decord's uniform sampling, resized
     by FFmpeg's filter graph `scale=224:224:flags=bilinear,format=rgb24` (decord 0.6.0 on FFmpeg 4.1; see
     make_frame_golden.py), /255, CLIP mean/std;
   * the branch: transformers' Blip2VisionModel / Blip2QFormerModel (make_vision_golden.py's builders);
   * the prompt: the reference repository's own Conversation and Chat.ask (make_prompt_cases.py runs them), split
     at <ImageHere>, each segment tokenized like the slow HF tokenizer (BOS on the first only), embedded with
     stories260K's embed_tokens, the 32 soft tokens spliced in;
   * the answer: transformers' LlamaForCausalLM on those embeddings, greedy, N_NEW tokens with a KV cache;
     the logits of every step.
   Saved: frames.png (the T sampled 224 x 224 RGB24 frames stacked vertically, before /255 and mean/std), expected.safetensors (video.tokens, prompt.embeds, logits),
   expected.json (timestamp sentence, prompt, segment ids, greedy ids, the decoded answer).
3. The same with the sound track (demo_audiovideo.py's audio + video upload; the demo model also has an audio branch:
   ImageBind's audio modality narrowed to width 48, clip positions, a 2-layer audio Q-Former with 8 queries): the
   fbank by Debian's torchaudio (make_audio_golden.py under /usr/bin/python3, F32 in audio-inputs.safetensors), the
   encoder in torch modules with nn.MultiheadAttention(add_bias_kv=True) (make_audio_model_golden.py's), the prompt
   with audio tokens then video tokens; expected-audio-video.{safetensors,json}.

Run from the repository root with /tmp/pyref (torch, transformers, safetensors, sentencepiece, av, pillow) and a
checkout of DAMO-NLP-SG/Video-LLaMA:

    /tmp/pyref/bin/python scripts/reference/make_chat_golden.py PATH/TO/Video-LLaMA

then align every tensor of models/videollama-demo/branches.safetensors to 128 bytes for OpenCL with the command in
models/README.md (RealignSafetensors: the tensors byte for byte, the goldens unchanged).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import av  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
import sentencepiece as spm  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import LlamaForCausalLM  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
import make_audio_model_golden as ag  # noqa: E402
import make_vision_golden as vg  # noqa: E402
from make_prompt_cases import demo_system, reference_namespace  # noqa: E402
from make_tokenizer_cases import hf_encode  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "models" / "videollama-demo"
STORIES = REPO / "models" / "stories260K"
GOLDEN = REPO / "testdata" / "golden" / "chat"
VIDEO_SOURCE = Path(os.environ.get("VIDEOLLAMA_SHARED", REPO.parent / "shared")) / "testdata" / "video" / "stream-of-water.mp4"
QUESTION = "What is happening in this video?"
N_NEW = 48
MEAN = (0.48145466, 0.4578275, 0.40821073)
STD = (0.26862954, 0.26130258, 0.27577711)

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

DEMO_BRANCH = dict(name="videollama-demo", seed=2023, frames=8,
                   vit_width=48, vit_heads=4, vit_blocks=3, vit_mlp=int(48 * 4.3637),
                   qf_hidden=48, qf_heads=4, qf_layers=12, qf_cross_freq=2, qf_inter=96, queries=32,
                   vq_hidden=48, vq_heads=4, vq_layers=2, vq_inter=96, video_queries=32,
                   frame_rows=32, d_model=64, vit_dtype="float16", proj_dtype="float32")


# The demo's audio branch: ImageBind's audio modality (16/10 patches of the 128 x 204 fbank, class token, blocks whose
# attention appends bias_k/bias_v, head, L2 norm x 20) narrowed to width 48 and 64-wide embeddings, clip positions, a
# 2-layer audio Q-Former with the released 8 queries, audio_llama_proj to width 64.
DEMO_AUDIO = dict(name="videollama-demo-audio", seed=2024, clips=8, width=48, heads=4, blocks=2, mlp=192, out=64,
                  qf_hidden=48, qf_heads=4, qf_layers=2, qf_inter=96, queries=8, clip_rows=8, d_model=64)


def reference_fbank(video):
    """ImageBind's load_and_transform_audio_data for the video's sound track, by Debian's torchaudio (make_audio_golden.py
    runs under /usr/bin/python3, whose torch has torchaudio): [8, 1, 128, 204]."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fbank.npy"
        code = ("import sys, numpy; sys.path.insert(0, sys.argv[1]); import make_audio_golden as a; "
                "numpy.save(sys.argv[3], a.reference(sys.argv[2])['fbank'].numpy())")
        subprocess.run(["/usr/bin/python3", "-c", code, str(Path(__file__).parent), str(video), str(out)], check=True)
        return torch.from_numpy(np.load(out)).to(torch.float32).unsqueeze(1)


def build_audio_branch(c):
    init = vg.Init(c["seed"])
    imagebind = ag.ImageBindAudio(c).eval()
    ag.fill_imagebind(imagebind, init, c)
    qformer = vg.build_qformer(init, c["qf_hidden"], c["qf_heads"], c["qf_layers"], c["qf_inter"], 1, c["out"])
    query_tokens = init.normal((1, c["queries"], c["qf_hidden"]), 0.5)
    clip_embedding = torch.nn.Embedding(c["clip_rows"], c["out"])
    clip_embedding.weight.data.copy_(init.normal((c["clip_rows"], c["out"]), 1.0))
    proj = torch.nn.Linear(c["qf_hidden"], c["d_model"])
    with torch.no_grad():
        proj.weight.copy_(init.normal(proj.weight.shape, 0.3 / np.sqrt(c["qf_hidden"])))
        proj.bias.copy_(init.normal(proj.bias.shape, 0.02))
    modules = dict(imagebind=imagebind, qformer=qformer, query_tokens=query_tokens, clip_embedding=clip_embedding, proj=proj)
    weights = {"audio_encoder." + k: v for k, v in imagebind.state_dict().items()}
    weights.update(vg.qformer_tensors(qformer, "audio_Qformer.bert."))
    weights["audio_query_tokens"] = query_tokens
    weights["audio_position_embedding.weight"] = clip_embedding.weight
    weights["audio_llama_proj.weight"] = proj.weight
    weights["audio_llama_proj.bias"] = proj.bias
    return modules, {k: v.detach().contiguous() for k, v in weights.items()}


def encode_audio(m, fbank):
    with torch.no_grad():
        encoder_out = m["imagebind"](fbank)  # [clips, E], L2-normalised x 20
        hidden = (encoder_out + m["clip_embedding"](torch.arange(fbank.shape[0]))).unsqueeze(0)
        q = m["qformer"](query_embeds=m["query_tokens"], encoder_hidden_states=hidden,
                         encoder_attention_mask=torch.ones(hidden.shape[:-1], dtype=torch.long)).last_hidden_state[0]
        return encoder_out, m["proj"](q)


def greedy_answer(model, segments_ids, items, n_new):
    """Embeds the segments, interleaves the items, and decodes greedily with a KV cache: (prompt embeds, ids, logits)."""
    with torch.no_grad():
        embed = model.model.embed_tokens
        parts = []
        for i, ids in enumerate(segments_ids):
            parts.append(embed(torch.tensor(ids, dtype=torch.long)))
            if i < len(items):
                parts.append(items[i])
        prompt_embeds = torch.cat(parts, dim=0)
        assert prompt_embeds.shape[0] + n_new <= min(2000, model.config.max_position_embeddings)
        out = model(inputs_embeds=prompt_embeds[None], use_cache=True)
        past, step_logits, ids = out.past_key_values, [out.logits[0, -1]], []
        for _ in range(n_new):
            token = int(torch.argmax(step_logits[-1]))
            ids.append(token)
            if token == model.config.eos_token_id:
                break
            out = model(input_ids=torch.tensor([[token]]), past_key_values=past, use_cache=True)
            past = out.past_key_values
            step_logits.append(out.logits[0, -1])
        logits = torch.stack(step_logits[:len(ids)])
        top2 = torch.topk(logits, 2, dim=-1).values
        return prompt_embeds, ids, logits, float((top2[:, 0] - top2[:, 1]).min())


def sampled_frames(path, n):
    """decord's load_video(n_frms=n, 224, 224, uniform): frames in presentation order, indices floor(k*vlen/n)."""
    c = av.open(str(path))
    stream = c.streams.video[0]
    frames = sorted(c.decode(stream), key=lambda f: f.pts)
    fps = float(stream.average_rate)
    c.close()
    vlen = len(frames)
    idx = np.arange(0, vlen, vlen / min(n, vlen)).astype(int).tolist()
    images = []
    for i in idx:
        f = frames[i]
        g = av.filter.Graph()
        src = g.add_buffer(width=f.width, height=f.height, format=f.format.name, time_base=Fraction(1, 1000))
        scale = g.add("scale", "224:224:flags=bilinear")
        fmt = g.add("format", "rgb24")
        sink = g.add("buffersink")
        src.link_to(scale)
        scale.link_to(fmt)
        fmt.link_to(sink)
        g.configure()
        src.push(f)
        images.append(sink.pull().to_ndarray())
    rgb = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).to(torch.float32) / 255.0  # [T, 3, 224, 224]
    pixels = (rgb - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)
    sec = ", ".join(str(round(i / fps, 1)) for i in idx)
    return images, pixels, idx, f"The video contains {len(idx)} frames sampled at {sec} seconds. "


def build_branch(c):
    """The demo branch's modules and its tensors under the released names (make_vision_golden's builders)."""
    init = vg.Init(c["seed"])
    w = c["vit_width"]
    vit = vg.build_vit(c, init)
    ln_vision = torch.nn.LayerNorm(w, eps=vg.LN_VISION_EPS).eval()
    ln_vision.weight.data.copy_(init.normal((w,), 0.1, 1.0))
    ln_vision.bias.data.copy_(init.normal((w,), 0.05))
    qformer = vg.build_qformer(init, c["qf_hidden"], c["qf_heads"], c["qf_layers"], c["qf_inter"], c["qf_cross_freq"], w)
    query_tokens = init.normal((1, c["queries"], c["qf_hidden"]), 0.5)
    frame_embedding = torch.nn.Embedding(c["frame_rows"], c["qf_hidden"])
    frame_embedding.weight.data.copy_(init.normal((c["frame_rows"], c["qf_hidden"]), 0.5))
    video_qformer = vg.build_qformer(init, c["vq_hidden"], c["vq_heads"], c["vq_layers"], c["vq_inter"], 1, c["qf_hidden"])
    video_query_tokens = init.normal((1, c["video_queries"], c["vq_hidden"]), 0.5)
    llama_proj = torch.nn.Linear(c["vq_hidden"], c["d_model"])
    with torch.no_grad():
        # stories260K's embeddings have rows of norm ~1: soft tokens of a similar size
        llama_proj.weight.copy_(init.normal(llama_proj.weight.shape, 0.3 / np.sqrt(c["vq_hidden"])))
        llama_proj.bias.copy_(init.normal(llama_proj.bias.shape, 0.02))
    modules = dict(vit=vit, ln_vision=ln_vision, qformer=qformer, query_tokens=query_tokens,
                   frame_embedding=frame_embedding, video_qformer=video_qformer,
                   video_query_tokens=video_query_tokens, llama_proj=llama_proj)
    weights = vg.vit_tensors(vit, c)
    weights["ln_vision.weight"] = ln_vision.weight.detach().contiguous()
    weights["ln_vision.bias"] = ln_vision.bias.detach().contiguous()
    weights.update(vg.qformer_tensors(qformer, "Qformer.bert."))
    weights["query_tokens"] = query_tokens.contiguous()
    weights["video_frame_position_embedding.weight"] = frame_embedding.weight.detach().contiguous()
    weights.update(vg.qformer_tensors(video_qformer, "video_Qformer.bert."))
    weights["video_query_tokens"] = video_query_tokens.contiguous()
    weights["llama_proj.weight"] = llama_proj.weight.detach().contiguous()
    weights["llama_proj.bias"] = llama_proj.bias.detach().contiguous()
    # The Q-Former matrices in F16 too (the released ones are F32): half the file; values rounded in the modules.
    with torch.no_grad():
        for name, p in list(weights.items()):
            if p.dim() >= 2 and p.dtype == torch.float32 and "Qformer" in name and "LayerNorm" not in name:
                weights[name] = p.to(torch.float16).contiguous()
        for module in (qformer, video_qformer):
            for pname, p in module.named_parameters():
                if p.dim() >= 2:
                    p.copy_(p.to(torch.float16).to(torch.float32))
    return modules, {k: v.detach() for k, v in weights.items()}


def encode(m, frames):
    t = frames.shape[0]
    with torch.no_grad():
        vit_out = m["vit"](pixel_values=frames, output_hidden_states=True).hidden_states[-1]
        embeds = m["ln_vision"](vit_out)
        image_q = m["qformer"](query_embeds=m["query_tokens"].expand(t, -1, -1), encoder_hidden_states=embeds,
                               encoder_attention_mask=torch.ones(embeds.shape[:-1], dtype=torch.long)).last_hidden_state
        hidden = (image_q + m["frame_embedding"](torch.arange(t)).unsqueeze(1)).reshape(1, -1, image_q.shape[-1])
        video_q = m["video_qformer"](query_embeds=m["video_query_tokens"], encoder_hidden_states=hidden,
                                     encoder_attention_mask=torch.ones(hidden.shape[:-1], dtype=torch.long)).last_hidden_state
        return m["llama_proj"](video_q[0])


def write_demo_folder(weights, c):
    DEMO.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "model.safetensors", "tokenizer.model"):
        link = DEMO / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(Path("..") / "stories260K" / name)
    path = DEMO / "branches.safetensors"
    save_file(weights, str(path), metadata={"format": "pt", "note": "seeded random weights: answers are not meaningful"})
    vg.canonicalize_header(path)
    config = {
        "vision": {"heads": c["vit_heads"], "layer_norm_eps": vg.VIT_EPS, "image_size": vg.IMAGE, "patch_size": vg.PATCH,
                   "ln_vision_eps": vg.LN_VISION_EPS},
        "qformer": {"heads": c["qf_heads"], "layer_norm_eps": vg.QFORMER_EPS},
        "video_qformer": {"heads": c["vq_heads"], "layer_norm_eps": vg.QFORMER_EPS},
        "audio_encoder": {"heads": DEMO_AUDIO["heads"], "layer_norm_eps": 1e-6, "stem_layer_norm_eps": 1e-5,
                          "logit_scale": 20.0},
        "audio_qformer": {"heads": DEMO_AUDIO["qf_heads"], "layer_norm_eps": vg.QFORMER_EPS},
        "frames": c["frames"],
        "template": "llama2",
    }
    (DEMO / "videollama.json").write_text(json.dumps(config, indent=2) + "\n")
    shutil.copyfile(VIDEO_SOURCE, DEMO / VIDEO_SOURCE.name)


def main():
    repo = sys.argv[1]
    c = DEMO_BRANCH
    modules, weights = build_branch(c)
    audio_modules, audio_weights = build_audio_branch(DEMO_AUDIO)
    write_demo_folder({**weights, **audio_weights}, c)

    images, frames, indices, timestamps = sampled_frames(DEMO / VIDEO_SOURCE.name, c["frames"])
    tokens = encode(modules, frames)

    ns = reference_namespace(repo)
    conv = ns["conv_llava_llama_2"].copy()
    conv.messages = []
    conv.system = demo_system(repo)
    conv.append_message(conv.roles[0], "<Video><ImageHere></Video> " + timestamps)
    ns["ask"](None, QUESTION, conv)
    conv.append_message(conv.roles[1], None)
    prompt = conv.get_prompt()
    sp = spm.SentencePieceProcessor(model_file=str(STORIES / "tokenizer.model"))
    segments = prompt.split("<ImageHere>")
    ids = [([sp.bos_id()] if i == 0 else []) + hf_encode(sp, ["<s>", "</s>", "<unk>"], s) for i, s in enumerate(segments)]

    model = LlamaForCausalLM.from_pretrained(str(STORIES), torch_dtype=torch.float32, attn_implementation="eager").eval()
    prompt_embeds, greedy, logits, margin = greedy_answer(model, ids, [tokens], N_NEW)

    GOLDEN.mkdir(parents=True, exist_ok=True)
    meta = {"torch_version": torch.__version__, "transformers_version": transformers.__version__, "av_version": av.__version__}
    # The frames as the RGB24 FFmpeg made, one above the other (lossless, a fifth of the float32 size)
    Image.fromarray(np.concatenate(images, axis=0)).save(GOLDEN / "frames.png", optimize=True)
    save_file({"video.tokens": tokens.contiguous(), "prompt.embeds": prompt_embeds.contiguous(), "logits": logits.contiguous()},
              str(GOLDEN / "expected.safetensors"), metadata=meta)
    vg.canonicalize_header(GOLDEN / "expected.safetensors")
    answer = sp.decode(greedy[:-1] if greedy and greedy[-1] == model.config.eos_token_id else greedy).strip()
    expected = {"video": VIDEO_SOURCE.name, "question": QUESTION, "indices": indices, "timestamps": timestamps,
                "prompt": prompt, "segment_ids": ids, "greedy_ids": greedy, "answer": answer,
                "smallest_top2_logit_gap": margin}
    (GOLDEN / "expected.json").write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")
    print(f"prompt {prompt_embeds.shape[0]} positions, {len(greedy)} greedy tokens, smallest top-2 gap {margin:.4f}",
          file=sys.stderr)
    print(f"answer: {answer!r}", file=sys.stderr)

    # The same question with the sound: demo_audiovideo.py's upload (empty system, audio tokens then video tokens)
    fbank = reference_fbank(DEMO / VIDEO_SOURCE.name)
    encoder_out, audio_tokens = encode_audio(audio_modules, fbank)
    conv = ns["conv_llava_llama_2"].copy()
    conv.messages = []
    conv.system = ""
    conv.append_message(conv.roles[0], ns["AUDIO_VIDEO_BODY"])
    ns["ask"](None, QUESTION, conv)
    conv.append_message(conv.roles[1], None)
    av_prompt = conv.get_prompt()
    av_ids = [([sp.bos_id()] if i == 0 else []) + hf_encode(sp, ["<s>", "</s>", "<unk>"], s)
              for i, s in enumerate(av_prompt.split("<ImageHere>"))]
    av_embeds, av_greedy, av_logits, av_margin = greedy_answer(model, av_ids, [audio_tokens, tokens], N_NEW)
    save_file({"audio.fbank": fbank.contiguous()}, str(GOLDEN / "audio-inputs.safetensors"), metadata=meta)
    vg.canonicalize_header(GOLDEN / "audio-inputs.safetensors")
    save_file({"audio.encoder.out": encoder_out.contiguous(), "audio.tokens": audio_tokens.contiguous(),
               "prompt.embeds": av_embeds.contiguous(), "logits": av_logits.contiguous()},
              str(GOLDEN / "expected-audio-video.safetensors"), metadata=meta)
    vg.canonicalize_header(GOLDEN / "expected-audio-video.safetensors")
    av_answer = sp.decode(av_greedy[:-1] if av_greedy and av_greedy[-1] == model.config.eos_token_id else av_greedy).strip()
    (GOLDEN / "expected-audio-video.json").write_text(json.dumps(
        {"video": VIDEO_SOURCE.name, "question": QUESTION, "prompt": av_prompt, "segment_ids": av_ids,
         "greedy_ids": av_greedy, "answer": av_answer, "smallest_top2_logit_gap": av_margin}, indent=1, ensure_ascii=False) + "\n")
    print(f"audio + video: prompt {av_embeds.shape[0]} positions, smallest top-2 gap {av_margin:.4f}, answer {av_answer!r}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
