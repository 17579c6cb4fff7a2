import assert from "node:assert/strict";
import {
  backendOrder,
  isSoftwareAdapter,
  isSoftwareRenderer,
  softwareSkip,
  startFirst,
} from "./choose.ts";

Deno.test("backendOrder: auto's own order; a named backend, then wasm and cpu", () => {
  assert.deepEqual(backendOrder("auto", ["webgpu", "webgl", "wasm", "cpu"]), [
    "webgpu",
    "webgl",
    "wasm",
    "cpu",
  ]);
  assert.deepEqual(backendOrder("webgl", ["webgpu", "wasm", "cpu"]), ["webgl", "wasm", "cpu"]);
  assert.deepEqual(backendOrder("wasm", ["webgpu", "wasm", "cpu"]), ["wasm", "cpu"]);
});

Deno.test("software adapters and renderers are recognised, hardware ones are not", () => {
  assert.ok(isSoftwareAdapter({ description: "llvmpipe (LLVM 15.0.6, 256 bits)" }));
  assert.ok(isSoftwareAdapter({ architecture: "swiftshader" }));
  assert.ok(isSoftwareAdapter({ description: "", isFallbackAdapter: true }));
  assert.ok(!isSoftwareAdapter({ vendor: "nvidia", description: "NVIDIA H100" }));
  assert.ok(isSoftwareRenderer("ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device))"));
  assert.ok(!isSoftwareRenderer("ANGLE (NVIDIA, NVIDIA GeForce RTX 3060)"));
  assert.match(softwareSkip("renderer", "llvmpipe"), /software one \(llvmpipe\), slower than wasm/);
});

Deno.test("startFirst: the first that starts, with a note per backend skipped or failing", async () => {
  const tried: string[] = [];
  const r = await startFirst(["webgpu", "webgl", "wasm", "cpu"], async (name) => {
    tried.push(name);
    await Promise.resolve();
    if (name === "webgpu") return { ok: false, why: "no adapter" };
    if (name === "webgl") throw new Error("context lost\nstack");
    return { ok: true, device: "cpu thread" };
  });
  assert.deepEqual(tried, ["webgpu", "webgl", "wasm"]);
  assert.deepEqual(r, {
    name: "wasm",
    notes: ["webgpu skipped: no adapter", "webgl skipped: context lost"],
    device: "cpu thread",
  });
  await assert.rejects(
    () => startFirst(["cpu"], () => Promise.resolve({ ok: false, why: "broken" })),
    /No TensorFlow.js backend could start: cpu skipped: broken/,
  );
});
