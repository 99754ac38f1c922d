#!/usr/bin/env bash
# Generates the committed PTX of the CUDA kernels: for each kernels/src/main/resources/videollama/kernels/cuda/*.cu,
# `nvcc -ptx -arch=compute_80` (PTX for Ampere, which the driver JIT-compiles for sm_80 .. sm_90 and later), then
# lowers the `.version` line to 7.8 so that R535+ drivers load it (nvcc 13 writes 9.0, which needs R580+; these
# kernels use nothing newer than PTX 7.8, and ptxas checks that below). The .ptx files are written to the generated
# resource root kernels/src/generated/ptx/videollama/kernels/cuda (the same package in the jar) and committed: the Java backend loads them from the jar, so neither the build nor the GPU machine
# needs nvcc. Run this after editing a .cu file; the PTX tests fail when the committed files drift.
#
#   scripts/build-ptx.sh              regenerate the committed PTX
#   scripts/build-ptx.sh --out DIR    write the PTX to DIR instead (the drift test compares it with the committed files)
#
# Needs nvcc (CUDA 12 or 13: PATH, $NVCC or /usr/local/cuda*/bin); checks each file with ptxas -arch=sm_90 when ptxas is there.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=kernels/src/main/resources/videollama/kernels/cuda
OUT=kernels/src/generated/ptx/videollama/kernels/cuda
if [ "${1:-}" = "--out" ]; then
  OUT="${2:?--out needs a folder}"
  mkdir -p "$OUT"
fi
PTX_VERSION=7.8

NVCC="${NVCC:-$(command -v nvcc || ls /usr/local/cuda*/bin/nvcc 2>/dev/null | sort -V | tail -1 || true)}"
if [ -z "$NVCC" ] || [ ! -x "$NVCC" ]; then
  echo "build-ptx: nvcc not found (put it on PATH or set NVCC)" >&2
  exit 1
fi
PTXAS="$(command -v ptxas || echo "$(dirname "$NVCC")/ptxas")"

for cu in "$SRC"/*.cu; do
  name="$(basename "$cu" .cu)"
  tmp="$(mktemp)"
  "$NVCC" -ptx -arch=compute_80 -o "$tmp" "$cu"
  {
    echo "// Generated from $name.cu by scripts/build-ptx.sh: do not edit; edit the .cu and run the script."
    # PTX ISA 7.8 = CUDA 11.8: loads on every driver since; only ever lowered, never raised.
    awk -v v="$PTX_VERSION" '/^\.version [0-9]+\.[0-9]+$/ { split($2, a, "."); split(v, b, ".");
           if (a[1] > b[1] || (a[1] == b[1] && a[2] > b[2])) { print ".version " v; next } } { print }' "$tmp"
  } > "$OUT/$name.ptx"
  rm -f "$tmp"
  if [ -x "$PTXAS" ]; then
    "$PTXAS" -arch=sm_90 -o /dev/null "$OUT/$name.ptx"
  fi
  echo "build-ptx: $OUT/$name.ptx" >&2
done
