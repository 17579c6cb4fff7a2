import assert from "node:assert/strict";
import { presets, withOverrides } from "./config.ts";
import { backendMemory, formatBytes, memoryNeed, memoryProblem } from "./memory.ts";

const wasm = { backend: "wasm", bytes: 4294901760, source: "its 4 GiB heap" };

Deno.test("every preset fits the wasm heap by the lower bound", () => {
  for (const [name, config] of Object.entries(presets)) {
    assert.equal(memoryProblem(config, wasm), undefined, name);
  }
});

Deno.test("--dim 1000000 and --batch 1e8 are refused with the size and the way out", () => {
  const wide = withOverrides(presets.cpu, { model: { dim: 1_000_000 } });
  const message = memoryProblem(wide, wasm)!;
  assert.match(message, /needs at least \d+(\.\d)? TB of memory/);
  assert.match(message, /the wasm backend has 4\.3 GB \(its 4 GiB heap\)/);
  assert.match(message, /smaller --dim, --seq-len or --batch/);
  const big = withOverrides(presets.cpu, { batchSize: 100_000_000 });
  assert.match(memoryProblem(big, wasm)!, /batch 100000000\) needs at least/);
});

Deno.test("a tensor larger than the WebGPU adapter's largest buffer is refused", () => {
  const c = withOverrides(presets.paper, { batchSize: 4096, data: { seqLen: 512 } });
  const gpu = { backend: "webgpu", largestBytes: 256 * 2 ** 20 };
  assert.match(memoryProblem(c, gpu)!, /attention scores \[B, T, T\]\); the webgpu backend's/);
  assert.equal(memoryProblem(presets.paper, gpu), undefined);
});

Deno.test("the bound counts parameters, gradients and optimizer slots", () => {
  const sgd = memoryNeed(presets.tiny);
  const adam = memoryNeed({
    ...presets.tiny,
    optimizer: { ...presets.tiny.optimizer, kind: "adamw" },
  });
  // three trainable 64 x 64 matrices gain one more slot each
  assert.equal(adam.bytes - sgd.bytes, 3 * 64 * 64 * 4);
  assert.equal(formatBytes(1234), "1.2 kB");
  assert.ok(backendMemory("wasm").bytes! <= 4294901760);
});
