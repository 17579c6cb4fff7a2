/**
 * Tests of lib/webgpu on the machine's WebGPU adapter (a GPU or Mesa's software driver). Without
 * an adapter each test prints a FALLBACK line and checks only what runs without one.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { initBackend } from "@lib/tf/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { trainerParts } from "@lib/train/parts.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import {
  causalSoftmaxComposed,
  causalSoftmaxGradComposed,
  explainGpuError,
  fallbackNotice,
  probeWebGPU,
  registerWebGPUKernel,
  runKernel,
  type WebGPUProgram,
  withGpuErrors,
} from "@lib/webgpu/mod.ts";

const adapter = await probeWebGPU();
const started = adapter.available ? (await initBackend("webgpu")).name === "webgpu" : false;
const reason = adapter.reason ?? "the webgpu backend did not start";
const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

function doubleProgram(size: number, readUniforms: boolean): WebGPUProgram {
  const body = readUniforms
    ? "if (index < uniforms.size) { result[index] = 2.0 * x[index]; }"
    : "result[index] = 2.0 * x[index];";
  return {
    variableNames: ["x"],
    outputShape: [size],
    shaderKey: `testDouble_${readUniforms}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(size / 64), 1, 1],
    workgroupSize: [64, 1, 1],
    size: true,
    getUserCode: () => `fn main(index : i32) { if (index < ${size}) { ${body} } }`,
  };
}

test("a registered WGSL program runs as a tfjs kernel", async () => {
  if (!started) return console.log(fallbackNotice("the WGSL kernel test", reason));
  registerWebGPUKernel("TestDouble", ({ x }) => doubleProgram(x.shape[0], true));
  const y = runKernel("TestDouble", { x: tf.tensor1d([1, 2, 3, 4, 5]) });
  assert.deepEqual(Array.from(await withGpuErrors(() => y.data())), [2, 4, 6, 8, 10]);
});

test("a WGSL syntax error names the line and its text, in one paragraph", async () => {
  // naga's report, as Deno's WebGPU gives it (captured from Mesa's llvmpipe).
  const naga = "Shader 'Object' parsing error: expected `;`, found \"let\"\n  ┌─ wgsl:4:3\n  │\n" +
    "4 │   let b = 2;\n  │   ^^^ expected `;`\n\n";
  const explained = explainGpuError(naga);
  assert.match(explained, /does not parse: expected `;`, found "let", at line 4, column 3/);
  assert.match(explained, /on the line `let b = 2;`/);
  assert.doesNotMatch(explained, /\n/);
  if (!started) return console.log(fallbackNotice("the WGSL syntax-error test", reason));
  registerWebGPUKernel("TestBrokenSyntax", ({ x }) => ({
    ...doubleProgram(x.shape[0], true),
    shaderKey: "testBrokenSyntax",
    getUserCode: () =>
      "fn main(index : i32) {\n  let a = 1\n  if (index < uniforms.size) { result[index] = x[index]; }\n}",
  }));
  await assert.rejects(
    withGpuErrors(() => runKernel("TestBrokenSyntax", { x: tf.tensor1d([1, 2]) }).data()),
    (e: Error) => /does not parse: .*on the line `if \(index < uniforms\.size\)/.test(e.message),
  );
});

test("withGpuErrors turns a silent binding error into an exception with a hint", async () => {
  if (!started) {
    console.log(fallbackNotice("the WebGPU error-scope test", reason));
    assert.match(
      explainGpuError("Number of bindings in bind group descriptor (3)"),
      /read each input/,
    );
    return;
  }
  registerWebGPUKernel("TestDoubleNoUniforms", ({ x }) => doubleProgram(x.shape[0], false));
  await assert.rejects(
    withGpuErrors(() => runKernel("TestDoubleNoUniforms", { x: tf.tensor1d([1, 2]) }).data()),
    /WebGPU error: .*Hint: WebGPU drops bindings/,
  );
});

test("the composition's gradient formula matches autodiff", async () => {
  const q = tf.randomNormal([2, 6, 4], 0, 1, "float32", 1) as tf.Tensor3D;
  const k = tf.randomNormal([2, 6, 4], 0, 1, "float32", 2) as tf.Tensor3D;
  const w = tf.randomNormal([2, 6, 6], 0, 1, "float32", 3) as tf.Tensor3D;
  const dq = tf.grad((x: tf.Tensor) => causalSoftmaxComposed(x as tf.Tensor3D, k).mul(w).sum())(q);
  const attn = causalSoftmaxComposed(q, k);
  const byFormula = tf.matMul(causalSoftmaxGradComposed(attn, w, 4), k);
  const diff = (await tf.max(tf.abs(dq.sub(byFormula))).data())[0];
  assert.ok(diff < 1e-5, `dL/dq differs by ${diff}`);
});

test("lesson 5's training runs unchanged on webgpu with cpu's losses (rtol 1e-4)", async () => {
  if (!started) return console.log(fallbackNotice("the webgpu training comparison", reason));
  const config = withOverrides(presets.tiny, { batchSize: 8 });
  const losses = async () => {
    const trainer = new Trainer(config, trainerParts(data, training)); // the reference (lib tests)
    const out = [];
    for (let i = 0; i < 4; i++) {
      trainer.step();
      out.push(await trainer.lastLoss());
    }
    trainer.dispose();
    return out;
  };
  const gpu = await withGpuErrors(losses);
  await initBackend("cpu");
  const cpu = await losses();
  await initBackend("webgpu");
  gpu.forEach((l, i) => {
    assert.ok(
      Math.abs(l - cpu[i]) <= 1e-4 * Math.abs(cpu[i]),
      `step ${i}: ${l} (webgpu) vs ${cpu[i]} (cpu)`,
    );
  });
  assert.notEqual(cpu[3], cpu[0]);
});
