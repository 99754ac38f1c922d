#!/usr/bin/env bash
# Speed of `videollama eval qa` on the tiny datasets (testdata/eval) with the bundled demo model, per backend:
# every dataset answered once with no soft-token cache (so each readable video is decoded and encoded), greedy,
# the demo's 300-token answers; then, over the seven runs, readable videos a second, answered questions a second,
# and the share of the time spent in the vision stage, in prefill and in decode (from each run's summary).
#
#   benchmarks/scripts/eval-tiny.sh [BACKEND...]        (default: reference opencl)
#
# The numbers go to stdout as Markdown table rows; docs/benchmarks.md keeps them with their machine.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)"
backends=("$@")
[ ${#backends[@]} -eq 0 ] && backends=(reference opencl)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
e="$root/testdata/eval"
declare -A files=(
  [msvd]="$e/msvd/test_qa.json $e/msvd/youtube_mapping.txt"
  [msrvtt]="$e/msrvtt/test_qa.json"
  [activitynet]="$e/activitynet/test_q.json $e/activitynet/test_a.json"
  [tgif]="$e/tgif/Test_frameqa_question.csv"
  [generic]="$e/generative/generic_qa.json"
  [temporal]="$e/generative/temporal_qa.json"
  [consistency]="$e/generative/consistency_qa.json"
)
echo "| backend | readable videos | answered questions | seconds | videos/s | questions/s | vision | prefill | decode | other |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for backend in "${backends[@]}"; do
  for dataset in msvd msrvtt activitynet tgif generic temporal consistency; do
    # shellcheck disable=SC2086
    "$root/videollama" eval qa --dataset "$dataset" --annotations ${files[$dataset]} --videos "$e/videos" \
      --model "$root/models/videollama-demo" --out "$work/$backend-$dataset" --no-cache --temperature 0 \
      --backend "$backend" > /dev/null 2> "$work/$backend-$dataset.log"
  done
  # eval qa: 6 questions (3 answered, 3 errors), 3 videos (1 encoded, 0 from the cache, 2 unreadable or missing) in 1.7 s: ...
  # time: vision 54.7%, prefill 15.4%, decode 28.1%, other 1.8% (0.9 / 0.3 / 0.5 s)
  # one row of numbers per run: answered, encoded videos, seconds, vision, prefill, decode
  for log in "$work/$backend"-*.log; do
    sed -nE 's/^eval qa: .*\(([0-9]+) answered.*\(([0-9]+) encoded.* in ([0-9.]+) s:.*/\1 \2 \3/p' "$log" | tr '\n' ' '
    sed -nE 's/^time: .*\(([0-9.]+) \/ ([0-9.]+) \/ ([0-9.]+) s\)/\1 \2 \3/p' "$log"
  done | awk -v backend="$backend" '
    { answered += $1; videos += $2; seconds += $3; vision += $4; prefill += $5; decode += $6 }
    END {
      printf "| %s | %d | %d | %.1f | %.2f | %.2f | %.0f %% | %.0f %% | %.0f %% | %.0f %% |\n", backend, videos, answered, seconds,
        videos / seconds, answered / seconds, 100 * vision / seconds, 100 * prefill / seconds, 100 * decode / seconds,
        100 * (seconds - vision - prefill - decode) / seconds
    }'
done
