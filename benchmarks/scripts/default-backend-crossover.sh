#!/usr/bin/env bash
# Where OpenCL on the CPU (PoCL) overtakes the plain-Java reference path, end to end: the wall time of whole
# `videollama generate` and `chat` runs (JVM start, model load, device start and kernel build, upload, prefill,
# decode) on model sizes from 1.2 MB to 438 MB of weights, the two backends interleaved, ROUNDS rounds.
# Synthetic models (seeded random weights) are written once by `bench` into CACHE.
# Usage: benchmarks/scripts/default-backend-crossover.sh [ROUNDS] [CACHE]   (output: one line per run on stdout)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
rounds="${1:-3}"
cache="${2:-$HOME/.cache/videollama/bench}"
v="$root/videollama"
"$v" bench --shape stories15M --dtype bf16 --tokens 1 --warmup 0 --cache-dir "$cache" >/dev/null 2>&1
"$v" bench --shape stories15M --dtype f32 --tokens 1 --warmup 0 --cache-dir "$cache" >/dev/null 2>&1
"$v" bench --shape stories110M --dtype f32 --tokens 1 --warmup 0 --cache-dir "$cache" >/dev/null 2>&1

run() { # label, then the command's arguments
  local label="$1"; shift
  local start end
  start=$(date +%s.%N)
  "$v" "$@" >/dev/null 2>/tmp/crossover.err || { echo "$label FAILED"; tail -1 /tmp/crossover.err; return; }
  end=$(date +%s.%N)
  printf '%s\t%.2f s\t%s\n' "$label" "$(echo "$end - $start" | bc)" "$(grep -o 'generated: [0-9]* tokens' /tmp/crossover.err | tail -1)"
}

for round in $(seq "$rounds"); do
  echo "# round $round, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for backend in reference opencl; do
    run "chat demo (2.8 MB), 60 tokens, $backend" chat --video "$root/models/videollama-demo/stream-of-water.mp4" \
        --question "What is happening in this video?" --temperature 0 --max-new-tokens 60 --backend "$backend"
  done
  for model in stories260K:"$root/models/stories260K" stories15M-bf16:"$cache/stories15M-bf16" \
               stories15M-f32:"$cache/stories15M-f32" stories110M-f32:"$cache/stories110M-f32"; do
    name="${model%%:*}"; dir="${model#*:}"
    size=$(du -bc "$dir"/*.safetensors | tail -1 | cut -f1)
    for n in 30 250; do
      for backend in reference opencl; do
        run "generate $name ($((size / 1000000)) MB), $n tokens, $backend" generate --model "$dir" --raw --prompt "Once upon a time" \
            --temperature 0 --max-new-tokens "$n" --min-length "$((n + 1))" --backend "$backend"
      done
    done
  done
done
