#!/usr/bin/env bash
# stories110M-shaped float32 decode: `videollama bench` (OpenCL/PoCL) beside llama2.c's run.c on the same weights
# (the bench's random model, exported by export_llama2c.py), the two started in turn by farm-bench (A B A B ...),
# ROUNDS pairs. Each prints its own decode rate, both as steps over their total time (ours: 1000 / the "mean" ms of
# TOKENS steps after 8 warm-up; run.c: "achieved tok/s" over TOKENS steps after its first); the ratio is taken pair by
# pair and the median printed.
# run.c is built with `gcc -Ofast -march=native -fopenmp` and runs on every core with OMP_WAIT_POLICY=passive: with
# the default (spinning) wait its threads lose their cores to other processes on a loaded 2-core machine and it
# runs 10x slower.
# Usage: benchmarks/scripts/llama2c-side-by-side.sh LLAMA2C_CHECKOUT [ROUNDS] [TOKENS] [CACHE]
# (LLAMA2C_CHECKOUT: a clone of karpathy/llama2.c, for run.c and its tokenizer.bin; needs farm-bench and, for the
# export, a Python with numpy and safetensors in PYTHON, default python3)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
llama2c="$(cd "$1" && pwd)"
rounds="${2:-5}"
tokens="${3:-128}"
cache="${4:-$HOME/.cache/videollama/bench}"
model="$cache/stories110M-f32"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$root/videollama" bench --shape stories110M --tokens 1 --warmup 0 --cache-dir "$cache" >/dev/null
if [ ! -f "$model/llama2c.bin" ] || [ "$model/model.safetensors" -nt "$model/llama2c.bin" ]; then
  "${PYTHON:-python3}" "$root/benchmarks/scripts/export_llama2c.py" "$model" "$model/llama2c.bin.partial"
  mv "$model/llama2c.bin.partial" "$model/llama2c.bin"
fi
gcc -Ofast -march=native -fopenmp "$llama2c/run.c" -lm -o "$work/run"

echo "# $(date -u +%FT%TZ), $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
OMP_NUM_THREADS="$(nproc)" OMP_WAIT_POLICY=passive farm-bench -n "$rounds" --warmup 0 --timeout 1800 \
  --vs "sh -c 'exec $work/run $model/llama2c.bin -z $llama2c/tokenizer.bin -t 0 -n $((tokens + 1)) -i \"\" >>$work/llama2c.txt 2>&1'" \
  -- sh -c "exec $root/videollama bench --shape stories110M --backend opencl --tokens $tokens --cache-dir $cache >>$work/ours.txt 2>&1"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
paste <(awk '/^ms\/token .* mean / { printf "%.2f\n", 1000 / $NF }' "$work/ours.txt") \
      <(grep -o 'achieved tok/s: [0-9.]*' "$work/llama2c.txt" | awk '{print $3}') |
  awk '{ printf "pair %d: ours %.1f tok/s, llama2.c %.1f tok/s, ours/llama2.c %.2fx\n", NR, $1, $2, $1 / $2 }' | tee "$work/pairs.txt"
sort -t' ' -k10 -g "$work/pairs.txt" | awk '{ r[NR] = $10 } END { printf "median ratio ours/llama2.c: %s over %d pairs\n", r[int((NR + 1) / 2)], NR }'
