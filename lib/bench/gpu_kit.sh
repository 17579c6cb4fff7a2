#!/usr/bin/env bash
# lib/bench/gpu_kit.sh: packs what lib/bench/gpu_check.sh needs on a GPU machine that has no
# Deno, no node_modules and no network (this workplace's device machines) into .gpukit/
# (git-ignored, about 40 MB, under the device tool's 64 MiB):
#
#   .gpukit/deno.xz        this machine's deno binary, compressed
#   .gpukit/bench.js       `deno task bench` (lessons/06_webgpu/bench.ts), bundled (deno bundle)
#                          with every npm dependency
#   .gpukit/worker.js      the benchmark's per-backend worker (lessons/06_webgpu/bench_worker.ts),
#                          bundled the same way
#   .gpukit/*.wasm         tfjs-backend-wasm's binaries, found next to worker.js
#   .gpukit/debs/          the Vulkan loader (libvulkan1), which Deno's WebGPU needs
#
# Then, with the device tool: carry [".gpukit"] and run `bash lib/bench/gpu_check.sh`.
set -euo pipefail
cd "$(dirname "$0")/../.."
kit=.gpukit
command -v deno >/dev/null || { echo "gpu_kit: deno is not on the PATH" >&2; exit 2; }
wasm_dir="$(ls -d node_modules/.deno/@tensorflow+tfjs-backend-wasm@*/node_modules/@tensorflow/tfjs-backend-wasm/dist 2>/dev/null | head -n 1)"
[ -n "$wasm_dir" ] || { echo "gpu_kit: run \`deno install\` first (no tfjs-backend-wasm in node_modules)" >&2; exit 2; }

rm -rf "$kit"
mkdir -p "$kit/debs"
# The kit times the reference code: bundle with `@exercises/` pointing at solutions/.
map="$(deno run -A lib/course/cli/import_map.ts solutions)"
deno bundle --quiet --platform=deno --import-map="$map" lessons/06_webgpu/bench.ts -o "$kit/bench.js"
deno bundle --quiet --platform=deno --import-map="$map" lessons/06_webgpu/bench_worker.ts -o "$kit/worker.js"
rm -f "$map"
cp "$wasm_dir"/*.wasm "$kit/"
xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" >"$kit/deno.xz"
if ! (cd "$kit/debs" && apt-get download -qq libvulkan1 >/dev/null 2>&1); then
  echo "gpu_kit: could not download libvulkan1; the GPU machine must have the Vulkan loader" >&2
fi
du -sh "$kit"
