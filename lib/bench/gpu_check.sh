#!/usr/bin/env bash
# lib/bench/gpu_check.sh: lesson 6's GPU measurement, for a machine with a GPU.
#
# Runs the course benchmark on the paper-scale configuration (d = T = 256, batch 512) on the
# webgpu and wasm backends only, with a time cap, and leaves the JSON report, its table and the
# log in $OUT (default: .course/bench/). It installs nothing from the network.
#
# Two ways to run it:
# - where deno and node_modules/ are installed: `lib/bench/gpu_check.sh`;
# - on this workplace's device machines (no deno, no node_modules, no network): first build the
#   kit here with `lib/bench/gpu_kit.sh`, then run `bash lib/bench/gpu_check.sh` there with
#   carry [".gpukit"]. The kit's deno is unpacked to /tmp, its Vulkan loader into /, and the
#   bundled benchmark runs without the project's deno.json.
#
#   BENCH_CAP=300 lib/bench/gpu_check.sh              # cap in seconds (default 540)
#   BENCH_ARGS="--config tiny" lib/bench/gpu_check.sh # other benchmark arguments (a smoke test)
#
# Then copy the table into lessons/06_webgpu/README.md and the README ("GPU numbers") with the
# GPU's name.
set -euo pipefail
cd "$(dirname "$0")/../.."
out="${OUT:-.course/bench}"
cap="${BENCH_CAP:-540}"
# The wasm paper step takes tens of seconds on a CPU: 1 warm-up and 2 timed steps, 200 s budget.
args=(${BENCH_ARGS:---config paper --backends webgpu,wasm --no-birth --workers 1 --warmup 1 --steps 2 --budget 200 --matmul-n 1024})
mkdir -p "$out"
runtime="$(mktemp -d)"
export XDG_RUNTIME_DIR="$runtime"

if [ -f .gpukit/bench.js ]; then
  bin="$(mktemp -d)"
  xz -dc .gpukit/deno.xz >"$bin/deno"
  chmod +x "$bin/deno"
  export PATH="$bin:$PATH"
  if ! ldconfig -p 2>/dev/null | grep -q libvulkan.so.1; then
    for f in .gpukit/debs/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
    ldconfig 2>/dev/null || true
  fi
  icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  [ -f "$icd" ] && export VK_DRIVER_FILES="${VK_DRIVER_FILES:-$icd}"
  export COURSE_BENCH_WORKER="$PWD/.gpukit/worker.js"
  bench=(deno run -A --no-config .gpukit/bench.js)
else
  command -v deno >/dev/null || { echo "gpu_check: no deno (build .gpukit with lib/bench/gpu_kit.sh)" >&2; exit 2; }
  [ -d node_modules/@tensorflow ] || {
    echo "gpu_check: node_modules/ is missing (build .gpukit with lib/bench/gpu_kit.sh)" >&2
    exit 2
  }
  bench=(deno task -q bench)
fi
echo "gpu_check: $("${bench[0]}" --version | head -n 1); ${bench[*]} ${args[*]}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true

status=0
# --out keeps the report of each finished backend even if the cap stops the run; webgpu goes first.
timeout --kill-after=10 "$cap" "${bench[@]}" --json --out "$out/bench_gpu.json" "${args[@]}" \
  >/dev/null 2>"$out/bench_gpu.log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "gpu_check: the benchmark stopped with status $status (124: over the ${cap} s cap); log:" >&2
  tail -n 20 "$out/bench_gpu.log" >&2
fi
if [ -s "$out/bench_gpu.json" ]; then
  "${bench[@]}" --show "$out/bench_gpu.json" | tee "$out/bench_gpu.txt"
fi
exit "$status"
