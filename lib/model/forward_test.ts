import * as tf from "@tensorflow/tfjs";
import {
  assertAllClose,
  assertArrayEqual,
  assertNoLeak,
  assertShape,
  check,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { keptViewCount, shortcuts } from "./batch_matmul.ts";
import {
  causalMaskBias,
  defaultModelConfig,
  disposeParams,
  forward,
  type ForwardOptions,
  forwardReference,
  initParams,
  type ModelConfig,
  PARAM_NAMES,
  type Params,
} from "./mod.ts";

await initBackend(backendFromEnv());

const config: ModelConfig = { ...defaultModelConfig, dim: 32, maxLen: 16 };

function randomIds(seed: number, batch: number, seq: number, n = 65): tf.Tensor2D {
  const rng = new Rng(seed);
  const ids = Int32Array.from({ length: batch * seq }, () => rng.int(n));
  return tf.tensor2d(ids, [batch, seq], "int32");
}

/** Gradients of a fixed scalar loss with respect to the trainable parameters. */
function grads(
  f: typeof forward,
  params: Params,
  cfg: ModelConfig,
  ids: tf.Tensor2D,
): Record<string, tf.Tensor> {
  return tf.tidy(() => {
    const weights = tf.randomNormal(
      [ids.shape[0], ids.shape[1], cfg.vocabSize],
      0,
      1,
      "float32",
      5,
    );
    const { value, grads } = tf.variableGrads(() =>
      f(params, cfg, ids).logits.mul(weights).sum() as tf.Scalar
    );
    value.dispose();
    return grads;
  });
}

Deno.test("forward: shapes of logits and attention maps", () => {
  const params = initParams(config);
  const ids = randomIds(1, 3, 10);
  const out = forward(params, config, ids, { attention: true });
  assertShape(out.logits, [3, 10, 65], "logits");
  assertShape(out.attn1!, [3, 10, 10], "attn1");
  assertShape(out.attn2!, [3, 10, 10], "attn2");
  const plain = forward(params, config, ids);
  check(plain.attn1 === undefined, "no attention maps unless asked");
  tf.dispose([out.logits, out.attn1!, out.attn2!, plain.logits, ids]);
  disposeParams(params);
});

Deno.test("forward: attention rows sum to 1 and are 0 above the diagonal", () => {
  const params = initParams(config);
  const ids = randomIds(2, 2, 12);
  const out = forward(params, config, ids, { attention: true });
  for (const a of [out.attn1!, out.attn2!]) {
    assertAllClose(a.sum(-1), tf.ones([2, 12]), { atol: 1e-5, what: "row sums" });
    const upper = tf.sub(1, tf.linalg.bandPart(tf.ones([12, 12]), -1, 0));
    assertAllClose(a.mul(upper).abs().max(), 0, { atol: 0, what: "weights on future keys" });
  }
  tf.dispose([out.logits, out.attn1!, out.attn2!, ids]);
  disposeParams(params);
});

Deno.test("forward: causal, changing a future token leaves earlier logits unchanged", () => {
  const params = initParams(config);
  const a = randomIds(3, 2, 16);
  const changed = a.arraySync();
  changed[0][9] = (changed[0][9] + 1) % 65;
  changed[1][15] = (changed[1][15] + 7) % 65;
  const b = tf.tensor2d(changed, undefined, "int32");
  for (const f of [forward, forwardReference]) {
    const la = f(params, config, a).logits;
    const lb = f(params, config, b).logits;
    assertAllClose(lb.slice([0, 0, 0], [1, 9, 65]), la.slice([0, 0, 0], [1, 9, 65]), {
      atol: 1e-5,
      what: "logits before the changed position",
    });
    const diff = tf.tidy(() => lb.sub(la).slice([0, 9, 0], [1, 1, 65]).abs().max().dataSync()[0]);
    check(diff > 1e-3, "the logits at the changed position itself should change");
    tf.dispose([la, lb]);
  }
  tf.dispose([a, b]);
  disposeParams(params);
});

/** The ReLU feed-forward final layer (d -> 4d -> d), as the authors' `linear_final_ffn=False`. */
const relu: ModelConfig = {
  ...config,
  finalFfn: "relu",
  trainable: ["wK1", "wK2", "wO2", "wF1", "wF2"],
};

Deno.test("forward: equals the reference (logits and attention), no W_F, linear or ReLU", () => {
  for (const cfg of [config, { ...config, finalFfn: true }, relu]) {
    const params = initParams(cfg);
    const ids = randomIds(4, 3, 16);
    const fast = forward(params, cfg, ids, { attention: true });
    const ref = forwardReference(params, cfg, ids, { attention: true });
    assertAllClose(fast.logits, ref.logits, { atol: 1e-4, what: "logits" });
    assertAllClose(fast.attn1!, ref.attn1!, { atol: 1e-5, what: "layer 1 attention" });
    assertAllClose(fast.attn2!, ref.attn2!, { atol: 1e-5, what: "layer 2 attention" });
    tf.dispose([fast.logits, fast.attn1!, fast.attn2!, ref.logits, ref.attn1!, ref.attn2!, ids]);
    disposeParams(params);
  }
});

Deno.test("forward: gradients exist for the trainable parameters only, and match autodiff", () => {
  const cases: ModelConfig[] = [
    config,
    {
      ...config,
      finalFfn: true,
      trainable: [...PARAM_NAMES.filter((n) => n !== "wF1" && n !== "wF2")],
    },
    relu, // the lesson 9 variant: the three memories and both ReLU-layer matrices
    { ...relu, trainable: ["wF1"] }, // only the first ReLU matrix: no gradient flows below W_F
    { ...relu, trainable: ["wF2"] },
    { ...relu, trainable: ["wK1", "wO2"] }, // the ReLU layer frozen: its backward still passes dh
    { ...relu, trainable: PARAM_NAMES.filter((n) => n !== "wF") }, // every parameter it has
  ];
  for (const cfg of cases) {
    const params = initParams(cfg);
    if (cfg.finalFfn === "relu") {
      // about half the hidden units active on any row, so that both sides of the ReLU are tested
      const active = tf.tidy(() => {
        const h = tf.matMul(
          tf.randomNormal([64, cfg.dim], 0, 1, "float32", 3),
          params.wF1!,
          false,
          true,
        );
        return h.greater(0).mean().dataSync()[0];
      });
      check(active > 0.3 && active < 0.7, `ReLU units active on ${active} of random rows`);
    }
    const ids = randomIds(5, 2, 12); // seq 12 < maxLen 16: the pos gradient is padded
    const fast = grads(forward, params, cfg, ids);
    const ref = grads(forwardReference, params, cfg, ids);
    const names = Object.keys(params).filter((n) => params[n as keyof Params]!.trainable);
    const got = Object.keys(fast).map((id) =>
      Object.keys(params).find((n) => params[n as keyof Params]!.name === id)
    );
    check(
      got.length === names.length && names.every((n) => got.includes(n)),
      `gradients for [${got}] but the trainable parameters are [${names}]`,
    );
    for (const n of names) {
      const id = params[n as keyof Params]!.name;
      const scale = tf.tidy(() => ref[id].abs().max().dataSync()[0]);
      assertAllClose(fast[id], ref[id], {
        atol: 1e-4 * scale,
        rtol: 1e-3,
        what: `d loss / d ${n}`,
      });
    }
    tf.dispose([...Object.values(fast), ...Object.values(ref), ids]);
    disposeParams(params);
  }
});

/** A ragged loss mask [batch, seq]: sequence 1 reads no row, sequence 2 every row. */
function lossMask(seed: number, batch: number, seq: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const m = Float32Array.from({ length: batch * seq }, (_, i) => {
    const b = Math.floor(i / seq);
    return b === 1 ? 0 : b === 2 ? 1 : rng.int(4) === 0 ? 1 : 0;
  });
  return tf.tensor2d(m, [batch, seq]);
}

/** Gradients of a scalar loss that reads only the rows of `mask`, through `f`. */
function maskedGrads(
  f: (p: Params, c: ModelConfig, ids: tf.Tensor2D) => tf.Tensor3D,
  params: Params,
  cfg: ModelConfig,
  ids: tf.Tensor2D,
  mask: tf.Tensor2D,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  return tf.tidy(() => {
    const weights = tf.randomNormal([...ids.shape, cfg.vocabSize], 0, 1, "float32", 5)
      .mul(mask.expandDims(-1));
    const { value, grads } = tf.variableGrads(() =>
      f(params, cfg, ids).mul(weights).sum() as tf.Scalar
    );
    return { loss: value, grads };
  });
}

Deno.test("forward: with lossRows, the kept rows' logits and the loss's gradients equal the reference", () => {
  const cases: ModelConfig[] = [
    config,
    { ...config, finalFfn: true, trainable: PARAM_NAMES.filter((n) => n !== "wF1" && n !== "wF2") },
    relu,
    { ...relu, trainable: PARAM_NAMES.filter((n) => n !== "wF") },
  ];
  for (const cfg of cases) {
    const params = initParams(cfg);
    const ids = randomIds(8, 4, 12); // seq 12 < maxLen 16
    const mask = lossMask(9, 4, 12);
    for (const lossRows of [mask, tf.onesLike(mask)]) {
      const rows = forward(params, cfg, ids, { lossRows }).logits;
      const ref = forwardReference(params, cfg, ids).logits;
      assertAllClose(rows, ref.mul(lossRows.expandDims(-1)), {
        atol: 1e-4,
        what: "logits: the reference's at the kept rows, exactly 0 elsewhere",
      });
      const fast = maskedGrads(
        (p, c, z) => forward(p, c, z, { lossRows }).logits,
        params,
        cfg,
        ids,
        lossRows,
      );
      const slow = maskedGrads(
        (p, c, z) => forwardReference(p, c, z).logits,
        params,
        cfg,
        ids,
        lossRows,
      );
      assertAllClose(fast.loss, slow.loss, { atol: 1e-3, rtol: 1e-4, what: "loss" });
      for (const n of cfg.trainable) {
        const id = params[n]!.name;
        check(id in fast.grads, `a gradient for ${n}`);
        const scale = tf.tidy(() => slow.grads[id].abs().max().dataSync()[0]);
        assertAllClose(fast.grads[id], slow.grads[id], {
          atol: 1e-4 * scale,
          rtol: 1e-3,
          what: `d loss / d ${n}, ${lossRows === mask ? "a ragged mask" : "every row"}`,
        });
      }
      tf.dispose([
        rows,
        ref,
        fast.loss,
        slow.loss,
        ...Object.values(fast.grads),
        ...Object.values(slow.grads),
      ]);
    }
    tf.dispose([ids, mask]);
    disposeParams(params);
  }
});

Deno.test(`forward: on wasm, lossRows gives the whole computation's very bits (backend ${tf.getBackend()})`, () => {
  // Training amplifies any rounding difference (the cpu run's birth step moves with it): on wasm
  // the kept rows' path adds the same float32 terms in the same order as the whole one.
  const exact = tf.getBackend() === "wasm";
  const params = initParams(config);
  const ids = randomIds(12, 4, 16);
  const mask = lossMask(13, 4, 16);
  const whole = maskedGrads((p, c, z) => forward(p, c, z).logits, params, config, ids, mask);
  const rows = maskedGrads(
    (p, c, z) => forward(p, c, z, { lossRows: mask }).logits,
    params,
    config,
    ids,
    mask,
  );
  const tolerance = { atol: exact ? 0 : 1e-6, rtol: exact ? 0 : 1e-4 };
  assertAllClose(rows.loss, whole.loss, { ...tolerance, what: "loss" });
  for (const id of Object.keys(whole.grads)) {
    assertAllClose(rows.grads[id], whole.grads[id], { ...tolerance, what: `gradient ${id}` });
  }
  tf.dispose([whole.loss, rows.loss, ...Object.values(whole.grads), ...Object.values(rows.grads)]);
  tf.dispose([ids, mask]);
  disposeParams(params);
});

/**
 * Two SGD steps through the fast path, every float they produce in order (each step's loss and
 * gradients, then the parameters), with the wasm shortcuts on or off (lib/model/batch_matmul.ts).
 */
function trainFloats(cfg: ModelConfig, batch: number, rows: boolean, on: boolean): Float32Array[] {
  const saved = { ...shortcuts };
  for (const key of Object.keys(shortcuts) as (keyof typeof shortcuts)[]) shortcuts[key] = on;
  const params = initParams(cfg);
  const [ids, mask] = [randomIds(21, batch, cfg.maxLen), lossMask(22, batch, cfg.maxLen)];
  const floats: Float32Array[] = [];
  try {
    for (let step = 0; step < 2; step++) {
      const lossRows = rows ? mask : undefined;
      const f = (p: Params, c: ModelConfig, z: tf.Tensor2D) =>
        forward(p, c, z, { lossRows }).logits;
      const { loss, grads } = maskedGrads(f, params, cfg, ids, mask);
      floats.push(loss.dataSync() as Float32Array);
      for (const n of cfg.trainable) {
        const g = grads[params[n]!.name];
        floats.push(g.dataSync() as Float32Array);
        params[n]!.assign(tf.tidy(() => params[n]!.sub(g.mul(0.5))));
      }
      tf.dispose([loss, ...Object.values(grads)]);
    }
    for (const n of cfg.trainable) floats.push(params[n]!.dataSync() as Float32Array);
  } finally {
    Object.assign(shortcuts, saved);
    tf.dispose([ids, mask]);
    disposeParams(params);
  }
  return floats;
}

Deno.test(`forward: on wasm, the shortcuts give the plain computation's very bits over two training steps (backend ${tf.getBackend()})`, () => {
  const cpuLike: ModelConfig = { ...defaultModelConfig, dim: 128, maxLen: 64 }; // the cpu run's model
  const every = {
    ...config,
    finalFfn: true,
    trainable: PARAM_NAMES.filter((n) => n !== "wF1" && n !== "wF2"),
  };
  const cases: [string, ModelConfig, number, boolean][] = [
    ["cpu run's shapes, lossRows", cpuLike, 16, true],
    ["cpu run's shapes, every row", cpuLike, 4, false],
    ["small, every parameter trained, lossRows", every, 4, true],
    ["small, every parameter trained, every row", every, 4, false],
  ];
  for (const [what, cfg, batch, rows] of cases) {
    const plain = trainFloats(cfg, batch, rows, false);
    const fast = trainFloats(cfg, batch, rows, true);
    check(fast.length === plain.length, `${what}: ${fast.length} arrays for ${plain.length}`);
    plain.forEach((expected, i) => {
      const bits = (x: Float32Array) => new Uint32Array(x.buffer, x.byteOffset, x.length);
      const [a, b] = [bits(expected), bits(fast[i])];
      const bad = a.reduce((n, bits, j) => n + (bits === b[j] ? 0 : 1), 0);
      check(bad === 0, `${what}: array ${i} (loss, gradients, parameters): ${bad} floats differ`);
    });
  }
});

Deno.test("forward: lossRows with no row at all gives zero logits and zero gradients", () => {
  const params = initParams(config);
  const ids = randomIds(10, 2, 8);
  const lossRows = tf.zeros([2, 8]) as tf.Tensor2D;
  const { loss, grads } = maskedGrads(
    (p, c, z) => forward(p, c, z, { lossRows }).logits,
    params,
    config,
    ids,
    lossRows,
  );
  assertAllClose(loss, 0, { atol: 0, what: "loss" });
  check(Object.keys(grads).length === config.trainable.length, "a gradient per trainable matrix");
  for (const g of Object.values(grads)) assertAllClose(g.abs().max(), 0, { atol: 0, what: "grad" });
  tf.dispose([loss, ...Object.values(grads), ids, lossRows]);
  disposeParams(params);
});

Deno.test("forward: lossRows of the wrong shape, or with attention, gets a readable message", () => {
  const params = initParams(config);
  const ids = randomIds(11, 2, 8);
  const cases: [ForwardOptions, RegExp][] = [
    [{ lossRows: tf.ones([2, 7]) as tf.Tensor2D }, /lossRows must be a \[batch, seq\] = \[2, 8\]/],
    [{ lossRows: lossMask(1, 2, 8), attention: true }, /do not combine attention with lossRows/],
  ];
  for (const [options, pattern] of cases) {
    let message = "";
    try {
      forward(params, config, ids, options);
    } catch (e) {
      message = (e as Error).message;
    }
    check(pattern.test(message), `expected ${pattern} but got "${message}"`);
    options.lossRows!.dispose();
  }
  ids.dispose();
  disposeParams(params);
});

Deno.test("forward: a step's tensors are all freed (numTensors flat)", () => {
  const params = initParams(config);
  const ids = randomIds(6, 2, 16);
  const mask = lossMask(6, 2, 16);
  const step = () => {
    const { value, grads } = tf.variableGrads(() =>
      forward(params, config, ids).logits.square().mean() as tf.Scalar
    );
    tf.dispose([value, ...Object.values(grads)]);
    const out = forward(params, config, ids, { attention: true });
    tf.dispose([out.logits, out.attn1!, out.attn2!]);
    const rows = tf.variableGrads(() =>
      forward(params, config, ids, { lossRows: mask }).logits.square().mean() as tf.Scalar
    );
    tf.dispose([rows.value, ...Object.values(rows.grads)]);
  };
  step();
  const before = tf.memory().numTensors;
  // on wasm: the backend's memory too (kept packed operands, XNNPACK's operators)
  const heap = () =>
    (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.length;
  const heapBefore = heap();
  for (let i = 0; i < 6; i++) step();
  check(
    tf.memory().numTensors === before,
    `numTensors grew from ${before} to ${tf.memory().numTensors}`,
  );
  check(heap() === heapBefore, `the wasm memory grew from ${heapBefore} to ${heap()} bytes`);
  check(keptViewCount() === 0, `${keptViewCount()} packed views kept after the steps`);
  tf.dispose([ids, mask]);
  disposeParams(params);
});

Deno.test("forward: a frozen parameter can be unfrozen between calls", () => {
  const params = initParams(config);
  const ids = randomIds(7, 2, 8);
  params.wK1!.trainable = false;
  const g1 = grads(forward, params, config, ids);
  check(!(params.wK1!.name in g1), "a variable with trainable = false gets no gradient");
  params.wK1!.trainable = true;
  const g2 = grads(forward, params, config, ids);
  check(params.wK1!.name in g2, "after trainable = true it gets one again");
  tf.dispose([...Object.values(g1), ...Object.values(g2), ids]);
  disposeParams(params);
});

Deno.test("forward: bad inputs get a readable message", () => {
  const params = initParams(config);
  const cases: [tf.Tensor, RegExp][] = [
    [tf.zeros([2, 4]), /int32/],
    [tf.zeros([4], "int32"), /2-D/],
    [tf.zeros([1, 17], "int32"), /longer than the model's maxLen 16/],
  ];
  for (const [ids, pattern] of cases) {
    let message = "";
    try {
      forward(params, config, ids as tf.Tensor2D);
    } catch (e) {
      message = (e as Error).message;
    }
    check(pattern.test(message), `expected ${pattern} but got "${message}"`);
    ids.dispose();
  }
  disposeParams(params);
});

Deno.test("causalMaskBias: 0 on and below the diagonal, -1e9 above", async () => {
  const mask = await assertNoLeak(() => causalMaskBias(4), "causalMaskBias");
  assertShape(mask, [4, 4], "mask");
  const m = -1e9;
  assertArrayEqual(mask, [
    [0, m, m, m],
    [0, 0, m, m],
    [0, 0, 0, m],
    [0, 0, 0, 0],
  ], "causalMaskBias(4)");
  const one = causalMaskBias(1);
  assertArrayEqual(one, [[0]], "causalMaskBias(1)");
  tf.dispose([mask, one]);
});

Deno.test("causalMaskBias: added to scores, softmax gives exactly 0 to future keys", () => {
  const mask = causalMaskBias(5);
  const weights = tf.tidy(() =>
    tf.softmax(tf.randomNormal([5, 5], 0, 30, "float32", 3).add(mask)).arraySync() as number[][]
  );
  for (let t = 0; t < 5; t++) {
    for (let s = t + 1; s < 5; s++) check(weights[t][s] === 0, `weight (${t}, ${s}) must be 0`);
    assertAllClose(weights[t].reduce((a, b) => a + b), 1, { atol: 1e-5, what: `row ${t} sum` });
  }
  assertAllClose(weights[0][0], 1, { atol: 0, what: "the first query sees only itself" });
  mask.dispose();
});
