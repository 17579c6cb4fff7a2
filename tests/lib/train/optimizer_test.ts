import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { defaultModelConfig, disposeParams, initParams } from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { makeOptimizer } from "@lib/train/optimizer.ts";
import { sgdMomentumUpdate } from "@exercises/05_training/exercises.ts";

await initBackend(backendFromEnv());

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-5) {
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i] - b[i]) > tol * (1 + Math.abs(b[i]))) {
      throw new Error(`index ${i}: ${a[i]} vs ${b[i]}`);
    }
  }
}

const config = { ...defaultModelConfig, dim: 4, maxLen: 4, vocabSize: 5 };

Deno.test("AdamW matches PyTorch's update rule, step by step", () => {
  const params = initParams(config);
  const opt = makeOptimizer(
    { kind: "adamw", lr: 0.1, momentum: 0, weightDecay: 0.05, betas: [0.9, 0.99], eps: 1e-8 },
    params,
    ["wK1"],
  );
  const w = Float64Array.from(params.wK1!.dataSync());
  const m = new Float64Array(16);
  const v = new Float64Array(16);
  const rng = new Rng(3);
  for (let t = 1; t <= 4; t++) {
    const g = rng.normals(16);
    const grad = tf.tensor2d(g, [4, 4]);
    opt.update(params, { wK1: grad });
    grad.dispose();
    for (let i = 0; i < 16; i++) {
      w[i] *= 1 - 0.1 * 0.05;
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
      w[i] -= 0.1 * (m[i] / (1 - 0.9 ** t)) / (Math.sqrt(v[i] / (1 - 0.99 ** t)) + 1e-8);
    }
  }
  close(params.wK1!.dataSync(), w);
  assert.deepEqual(opt.counters(), { wK1: 4 });
  assert.deepEqual(Object.keys(opt.slots()).sort(), ["wK1.m", "wK1.v"]);
  opt.dispose();
  disposeParams(params);
});

Deno.test("SGD keeps one velocity per parameter and leaks nothing", () => {
  const params = initParams(config);
  const sgd = { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 } as const;
  const opt = makeOptimizer(sgd, params, ["wK1", "wO2"], sgdMomentumUpdate);
  assert.deepEqual(Object.keys(opt.slots()).sort(), ["wK1.velocity", "wO2.velocity"]);
  const grad = tf.ones([4, 4]);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) opt.update(params, { wK1: grad, wO2: grad });
  assert.deepEqual(tf.memory().numTensors, before);
  assert.throws(() => opt.update(params, { wK2: grad }), /no state for "wK2"/);
  grad.dispose();
  opt.dispose();
  disposeParams(params);
});

Deno.test("an unknown optimizer kind or matrix is explained", () => {
  const params = initParams(config);
  assert.throws(
    () => makeOptimizer({ kind: "lion" as "sgd", lr: 1, momentum: 0, weightDecay: 0 }, params, []),
    /unknown optimizer kind "lion"/,
  );
  assert.throws(
    () => {
      const sgd = { kind: "sgd", lr: 1, momentum: 0, weightDecay: 0 } as const;
      makeOptimizer(sgd, params, ["wF"], sgdMomentumUpdate);
    },
    /no such matrix/,
  );
  // lib has no SGD update of its own: it is lesson 5's Exercise 5.2, passed in.
  assert.throws(
    () => makeOptimizer({ kind: "sgd", lr: 1, momentum: 0, weightDecay: 0 }, params, ["wO2"]),
    /needs lesson 5's sgdMomentumUpdate/,
  );
  disposeParams(params);
});

Deno.test("creating and disposing an optimizer leaves no tensor behind (SGD and AdamW)", () => {
  const params = initParams(config);
  const names = ["wK1", "wK2", "wO2"] as const;
  for (
    const options of [
      { kind: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
      { kind: "adamw", lr: 0.1, momentum: 0, weightDecay: 0.01 },
    ] as const
  ) {
    const before = tf.memory().numTensors;
    makeOptimizer(options, params, [...names], sgdMomentumUpdate).dispose();
    assert.equal(tf.memory().numTensors, before, `${options.kind}: tensors left after dispose`);
  }
  disposeParams(params);
});
