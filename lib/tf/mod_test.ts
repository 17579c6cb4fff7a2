import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend, parseBackend } from "@lib/tf/mod.ts";

Deno.test("initBackend: auto never picks a software WebGPU adapter, and says why", async () => {
  const info = await initBackend("auto");
  const gpu = (globalThis.navigator as { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  const software = adapter === null || adapter.info.isFallbackAdapter ||
    /llvmpipe|lavapipe|swiftshader/i.test(adapter.info.description);
  if (software) {
    console.log(`no hardware GPU here: auto chose ${info.name} (${info.summary})`);
    assert.notEqual(info.name, "webgpu");
    assert.ok(info.notes.some((n) => n.startsWith("webgpu skipped")), info.summary);
  } else {
    console.log(`hardware GPU found: ${adapter!.info.description}`);
    assert.equal(info.name, "webgpu");
  }
});

Deno.test("parseBackend: accepts the four names, explains a wrong one", () => {
  assert.equal(parseBackend("WASM"), "wasm");
  assert.equal(parseBackend(" auto "), "auto");
  assert.throws(
    () => parseBackend("cuda"),
    /Unknown backend "cuda". Choose one of: auto, cpu, wasm, webgpu/,
  );
});

Deno.test("initBackend: wasm starts offline from the installed package and computes", async () => {
  const info = await initBackend("wasm");
  assert.equal(info.name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
  const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
  assert.deepEqual(Array.from(await y.data()), [11]);
  y.dispose();
});

Deno.test("initBackend: cpu can be asked for explicitly", async () => {
  const info = await initBackend("cpu");
  assert.equal(info.name, "cpu");
  assert.equal(tf.getBackend(), "cpu");
  await initBackend("wasm");
});
