#!/usr/bin/env python3
"""PyTorch's time for Video-LLaMA's EVA ViT-g and image Q-Former over one video, for comparison with
`videollama bench --stage vision --shape released` on the same GPU (issue 4: "EVA ViT-g over 8 frames in fp16
against PyTorch on the same GPU; target faster than PyTorch eager").

Not golden data and not run by CI: a timing harness. The modules are Hugging Face transformers' BLIP-2 ones
(Blip2VisionModel = EVA ViT-g, Blip2QFormerModel = the Q-Former) at the released sizes with random weights
(what the time depends on is the shapes): ViT 1408 wide, 16 heads, MLP 6144, 39 blocks, 224 x 224 frames in
14-pixel patches; Q-Former 768 wide, 12 layers, cross-attention on even layers over the 257 x 1408 ViT states,
32 queries per frame. Eager mode (no torch.compile), inference (torch.inference_mode), the whole module in
--dtype. Blip2VisionModel's final LayerNorm stands in for ln_vision (the same cost). Prints the median
milliseconds per video of --runs timed runs after --warmup untimed ones, CUDA-synchronised.

    python benchmarks/scripts/torch_vision_time.py --device cuda --dtype float16 --frames 8
    python benchmarks/scripts/torch_vision_time.py --device cpu --dtype float32 --blocks 1   # a smoke run
    python benchmarks/scripts/torch_vision_time.py --device cpu --dtype float32 --blocks 1 --profile   # + per-op table

--profile also prints torch.profiler's table of one more "ViT + image Q-Former" run, per aten op (self time, calls),
to set beside `videollama bench --stage vision --profile`'s per-kernel table.
"""
import argparse
import statistics
import time

import torch
from transformers import Blip2QFormerConfig, Blip2QFormerModel, Blip2VisionConfig, Blip2VisionModel


def median_ms(fn, device, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        if device.type == "cuda":
            torch.cuda.synchronize()
        t0 = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times), min(times), max(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda")
    p.add_argument("--dtype", default="float16", choices=["float16", "bfloat16", "float32"])
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--blocks", type=int, default=39, help="ViT blocks (39 released)")
    p.add_argument("--attn", default="sdpa", choices=["sdpa", "eager"], help="transformers' attention implementation")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--profile", action="store_true", help="also print torch.profiler's per-op table of one more run")
    a = p.parse_args()
    device = torch.device(a.device)
    dtype = getattr(torch, a.dtype)
    torch.manual_seed(0)

    vit_cfg = Blip2VisionConfig(hidden_size=1408, intermediate_size=6144, num_hidden_layers=a.blocks, num_attention_heads=16,
                                image_size=224, patch_size=14, layer_norm_eps=1e-6, qkv_bias=True, hidden_act="gelu")
    vit_cfg._attn_implementation = a.attn
    qf_cfg = Blip2QFormerConfig(hidden_size=768, num_attention_heads=12, num_hidden_layers=12, intermediate_size=3072,
                                cross_attention_frequency=2, encoder_hidden_size=1408, layer_norm_eps=1e-12, hidden_act="gelu")
    qf_cfg._attn_implementation = a.attn
    vit = Blip2VisionModel(vit_cfg).to(device=device, dtype=dtype).eval()
    qformer = Blip2QFormerModel(qf_cfg).to(device=device, dtype=dtype).eval()
    frames = torch.randn(a.frames, 3, 224, 224, device=device, dtype=dtype)
    queries = torch.randn(1, 32, 768, device=device, dtype=dtype).expand(a.frames, -1, -1)

    with torch.inference_mode():
        states = vit(pixel_values=frames).last_hidden_state

        def vit_only():
            return vit(pixel_values=frames).last_hidden_state

        def qformer_only():
            return qformer(query_embeds=queries, encoder_hidden_states=states).last_hidden_state

        def both():
            return qformer(query_embeds=queries, encoder_hidden_states=vit(pixel_values=frames).last_hidden_state).last_hidden_state

        print(f"torch {torch.__version__}, {device} "
              f"({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}), {a.dtype}, attention {a.attn}, "
              f"{a.frames} frames, ViT {a.blocks} blocks; median (min, max) of {a.runs} runs after {a.warmup} warm-up")
        for name, fn in (("ViT", vit_only), ("image Q-Former", qformer_only), ("ViT + image Q-Former", both)):
            median, lo, hi = median_ms(fn, device, a.warmup, a.runs)
            print(f"{name:22s} {median:10.2f} ms/video ({lo:.2f}, {hi:.2f})  {a.frames * 1000 / median:8.1f} frames/s")
        if a.profile:
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]
                                        + ([torch.profiler.ProfilerActivity.CUDA] if device.type == "cuda" else [])) as prof:
                both()
                if device.type == "cuda":
                    torch.cuda.synchronize()
            sort = "self_cuda_time_total" if device.type == "cuda" else "self_cpu_time_total"
            print(prof.key_averages().table(sort_by=sort, row_limit=25))


if __name__ == "__main__":
    main()
