#!/usr/bin/env bash
# lib/bench/gpu_check.sh: lesson 6's GPU measurement, for a machine with a GPU.
#
# Runs the course benchmark on the paper-scale configuration (d = T = 256, batch 512) on the
# webgpu and wasm backends only, with a time cap, and leaves the JSON report and its table in
# $OUT (default: .course/bench/). It installs nothing and needs no network: it expects deno on
# the PATH and the project's node_modules/ already in place (copy them with the working tree).
#
#   lib/bench/gpu_check.sh            # cap 540 s
#   BENCH_CAP=300 lib/bench/gpu_check.sh
#
# Then copy the table into lessons/06_webgpu/README.md ("GPU numbers") with the GPU's name.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-.course/bench}"
cap="${BENCH_CAP:-540}"
mkdir -p "$out"
runtime="$(mktemp -d)"
export XDG_RUNTIME_DIR="$runtime"

command -v deno >/dev/null || { echo "gpu_check: deno is not on the PATH" >&2; exit 2; }
[ -d node_modules/@tensorflow ] || {
  echo "gpu_check: node_modules/ is missing; copy it with the project (this script installs nothing)" >&2
  exit 2
}
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true

# The wasm paper step takes tens of seconds on a CPU: 1 warm-up and 2 timed steps, 200 s budget.
status=0
# --out keeps the report of each finished backend even if the cap stops the run; webgpu goes first.
timeout --kill-after=10 "$cap" deno task bench --json --out "$out/bench_gpu.json" --config paper \
  --backends webgpu,wasm --no-birth --warmup 1 --steps 2 --budget 200 --matmul-n 1024 >/dev/null \
  2>"$out/bench_gpu.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "gpu_check: the benchmark stopped with status $status (124: over the ${cap} s cap); log:" >&2
  tail -n 20 "$out/bench_gpu.log" >&2
fi
if [ -s "$out/bench_gpu.json" ]; then
  deno task bench --show "$out/bench_gpu.json" | tee "$out/bench_gpu.txt"
fi
exit "$status"
