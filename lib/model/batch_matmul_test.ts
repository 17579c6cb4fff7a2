import * as tf from "@tensorflow/tfjs";
import { assertAllClose, assertArrayEqual, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import {
  batchMatMul,
  keptViewCount,
  saveShared,
  type Segment,
  segmentMatMul,
} from "./batch_matmul.ts";

await initBackend(backendFromEnv());
const onWasm = tf.getBackend() === "wasm";
const skip = onWasm
  ? ""
  : ` (skipped: segmentMatMul runs on wasm only, backend ${tf.getBackend()})`;

/** How many floats of two tensors differ in their bits. */
function differingBits(x: tf.Tensor, y: tf.Tensor): number {
  const a = new Uint32Array(Float32Array.from(x.dataSync()).buffer);
  const b = new Uint32Array(Float32Array.from(y.dataSync()).buffer);
  check(a.length === b.length, `sizes ${a.length} and ${b.length}`);
  return a.reduce((n, bits, i) => n + (bits === b[i] ? 0 : 1), 0);
}

Deno.test(`segmentMatMul: packA (the transposed product, transposed back) gives the plain product's bits${skip}`, () => {
  if (!onWasm) return console.log(skip.trim());
  // [m, k, n] per segment: the layer-2 shapes of the cpu run (few rows, d = 128, T = 64), one
  // row, one column, k = 0, and odd sizes
  const shapes = [
    [16, 128, 64],
    [7, 128, 64],
    [1, 128, 64],
    [64, 1, 128],
    [33, 64, 128],
    [16, 64, 128],
    [0, 5, 3],
    [3, 0, 4],
    [5, 9, 1],
    [64, 64, 64],
  ];
  tf.tidy(() => {
    let [na, nb, nout] = [0, 0, 0];
    const plain: Segment[] = [];
    for (const [m, k, n] of shapes) {
      plain.push({ a: na, b: nb, out: nout, m, k, n });
      [na, nb, nout] = [na + m * k, nb + k * n, nout + m * n];
    }
    const a = tf.randomNormal([na], 0, 1, "float32", 1);
    const b = tf.randomNormal([nb], 0, 1, "float32", 2);
    // B^T and A^T of every segment, stored one after the other like B and A
    const part = (t: tf.Tensor, at: number, r: number, c: number) =>
      t.slice([at], [r * c]).reshape([r, c]);
    const flat = (parts: tf.Tensor[]) => tf.concat(parts.map((p) => p.reshape([-1])));
    const bT = flat(plain.map((g) => part(b, g.b, g.k, g.n).transpose()));
    const aT = flat(plain.map((g) => part(a, g.a, g.m, g.k).transpose()));
    // (wasm's tf.matMul leaves a k = 0 product unwritten; segmentMatMul writes zeros)
    const product = (g: Segment) =>
      g.k === 0 ? tf.zeros([g.m, g.n]) : tf.matMul(part(a, g.a, g.m, g.k), part(b, g.b, g.k, g.n));
    const expected = flat(plain.map(product));
    const cases: [string, tf.Tensor, tf.Tensor, { transposeA?: boolean; packA?: boolean }][] = [
      ["plain", a, b, {}],
      ["packA", a, bT, { packA: true }],
      ["transposeA", aT, b, { transposeA: true }],
      ["transposeA and packA", aT, bT, { transposeA: true, packA: true }],
    ];
    for (const [what, left, right, options] of cases) {
      const got = segmentMatMul(left, right, [nout], plain, options);
      const bad = differingBits(got, expected);
      check(bad === 0, `${what}: ${bad} of ${nout} floats differ from tf.matMul's in their bits`);
    }
  });
});

Deno.test(`batchMatMul: keepB keeps b packed for its next product and releases it with b${skip}`, () => {
  if (!onWasm) return console.log(skip.trim());
  const start = keptViewCount();
  const b = tf.randomNormal([3, 16, 8], 0, 1, "float32", 3) as tf.Tensor3D;
  const bAgain = b.reshape([3, 16, 8]) as tf.Tensor3D; // the same data
  tf.tidy(() => {
    const a1 = tf.randomNormal([3, 5, 16], 0, 1, "float32", 4) as tf.Tensor3D;
    const a2 = tf.randomNormal([3, 7, 16], 0, 1, "float32", 5) as tf.Tensor3D;
    const first = batchMatMul(a1, b, { keepB: true });
    check(keptViewCount() === start + 3, `one view per sequence kept: ${keptViewCount() - start}`);
    const second = batchMatMul(a2, bAgain, { keepB: true });
    check(
      keptViewCount() === start + 3,
      `the second product reuses them: ${keptViewCount() - start}`,
    );
    check(differingBits(first, batchMatMul(a1, b)) === 0, "the first product's bits");
    check(differingBits(second, batchMatMul(a2, b)) === 0, "the second product's bits");
  });
  b.dispose();
  check(keptViewCount() === start + 3, "kept while a tensor still holds the data");
  bAgain.dispose();
  check(keptViewCount() === start, `released with the data: ${keptViewCount() - start} left`);
});

Deno.test(`saveShared: a custom gradient's saved tensors share their data, and tf.clone still copies${skip}`, () => {
  if (!onWasm) return console.log(skip.trim());
  const before = tf.memory().numTensors;
  const x = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
  let forwardData: unknown;
  let savedData: unknown;
  const f = tf.customGrad((v, save) => {
    const y = (v as tf.Tensor).mul(2);
    forwardData = y.dataId;
    saveShared(save as tf.GradSaveFunc, [y]);
    return {
      value: y.sum(),
      gradFunc: (dy, saved) => {
        savedData = saved[0].dataId;
        return dy.mul(saved[0]);
      },
    };
  });
  const { value, grads } = tf.variableGrads(() => f(x) as tf.Scalar);
  check(savedData === forwardData, "the backward pass reads the forward's data, not a copy");
  assertArrayEqual(grads[x.name], [2, 4, 6], "the gradient");
  const copy = tf.clone(x);
  check(copy.dataId !== x.dataId, "tf.clone copies again after saveShared (Identity restored)");
  tf.dispose([value, ...Object.values(grads), copy, x]);
  check(tf.memory().numTensors === before, `numTensors ${before} -> ${tf.memory().numTensors}`);
});

Deno.test(`batchMatMul: an a of batch 1 multiplies every b_i, with tf.matMul's bits, and its gradient sums over the batch (backend ${tf.getBackend()})`, () => {
  tf.tidy(() => {
    const a = tf.randomNormal([1, 6, 16], 0, 1, "float32", 6) as tf.Tensor3D;
    const b = tf.randomNormal([4, 16, 5], 0, 1, "float32", 7) as tf.Tensor3D;
    const tiled = tf.tile(a, [4, 1, 1]) as tf.Tensor3D;
    const bad = differingBits(batchMatMul(a, b), tf.matMul(tiled, b));
    check(bad === 0, `${bad} floats differ from the tiled product's`);
    const g = tf.grad((t: tf.Tensor) => batchMatMul(t as tf.Tensor3D, b).square().sum())(a);
    const gTiled = tf.grad((t: tf.Tensor) => tf.matMul(t, b).square().sum())(tiled).sum(0, true);
    assertAllClose(g, gTiled, { atol: 1e-4, what: "d/da summed over the batch" });
  });
});
