/**
 * Tests of lesson 7's exercises: the ideal model, the population gradient, the copy gradient in
 * closed form, the chosen step, the three top-down steps and the copy read-out. The model comes
 * from the library (lib/model), the data from lesson 1's reference generator (a fixture). Small and seeded: T = 8 or 16, a few dozen sequences.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  chooseStep,
  copyGradient,
  copyReadout,
  evaluate,
  type Family,
  familyBlock,
  idealLayout,
  idealModel,
  populationGradient,
  sampleData,
  type SequenceData,
  topDownSteps,
  zeroMemories,
} from "@exercises/07_top_down/exercises.ts";
import {
  defaultModelConfig,
  disposeParams,
  forwardReference,
  initParams,
  memoryProbes,
  type ModelConfig,
  need,
  type Params,
  tokenLosses,
} from "@lib/model/mod.ts";
import {
  defaultDataConfig,
  loadStats,
  topTriggers,
} from "../../solutions/01_bigram_data/exercises.ts";
import {
  assertAllClose,
  assertArrayEqual,
  assertNoLeak,
  assertShape,
  check,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { correlation } from "@lib/model/metrics.ts";

await initBackend(backendFromEnv());

const stats = loadStats();
const N = 65;
const top5 = topTriggers(stats.unigram, 5);
const GRID = [0, ...Array.from({ length: 15 }, (_, i) => 10 ** ((i - 4) / 2))];

function data(seed: number, seqLen: number, count: number): SequenceData {
  return sampleData(seed, stats, { ...defaultDataConfig, seqLen }, count);
}

/** The largest |entry| of a tensor. */
function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => t.abs().max().dataSync()[0]);
}

/** The course's random model (small d), with W_O^2 = 0 and the other memories random. */
function randomModel(
  dim: number,
  maxLen: number,
  seed = 0,
): { config: ModelConfig; params: Params } {
  const config: ModelConfig = { ...defaultModelConfig, dim, maxLen, seed };
  return { config, params: initParams(config) };
}

/** dL/dW of matrix `name` by tfjs's autodiff through the paper's equations, all sequences at once. */
function referenceGradient(
  params: Params,
  config: ModelConfig,
  d: SequenceData,
  name: "wK1" | "wO2",
): tf.Tensor2D {
  return tf.tidy(() => {
    const inputs = tf.tensor2d(d.inputs, undefined, "int32");
    const targets = tf.tensor2d(d.targets, undefined, "int32");
    const mask = tf.tensor2d(d.mask);
    return tf.grad((w: tf.Tensor) => {
      const p = { ...params, [name]: w as tf.Variable<tf.Rank.R2> };
      const { logits } = forwardReference(p, config, inputs);
      return tf.sum(tf.mul(tokenLosses(logits, targets), mask)).div(tf.sum(mask));
    })(need(params, name)) as tf.Tensor2D;
  });
}

/** The rows of each family in the ideal model, as `[count, d]` tensors. */
function families(params: Params): Record<Family, tf.Tensor2D> {
  return tf.tidy(() => {
    const wE = need(params, "wE");
    return {
      wE,
      pos: need(params, "pos"),
      w1E: tf.matMul(
        tf.matMul(wE, need(params, "wV1"), false, true),
        need(params, "wO1"),
        false,
        true,
      ),
      v2E: tf.matMul(wE, need(params, "wV2"), false, true),
      wU: need(params, "wU"),
    } as Record<Family, tf.Tensor2D>;
  });
}

// ---------------------------------------------------------------- 7.1 the ideal model

Deno.test(
  exerciseCase("idealModel", "d = 4N + T, shapes, zero memories, and the trainable flags", () => {
    const { config, params } = idealModel(N, 8);
    check(
      config.dim === 4 * N + 8,
      `config.dim should be 4N + T = ${4 * N + 8}, got ${config.dim}`,
    );
    check(config.maxLen === 8 && config.vocabSize === N, "config.maxLen = T and vocabSize = N");
    check(!config.finalFfn, "the ideal model has no W_F");
    assertShape(params.wE, [N, config.dim], "wE");
    assertShape(params.pos, [8, config.dim], "pos");
    assertShape(params.wU, [N, config.dim], "wU");
    for (const name of ["wK1", "wV1", "wO1", "wK2", "wV2", "wO2"] as const) {
      assertShape(params[name], [config.dim, config.dim], name);
    }
    for (const name of ["wK1", "wK2", "wO2"] as const) {
      check(maxAbs(params[name]!) === 0, `${name} should start at exactly 0`);
      check(params[name]!.trainable, `${name} should be trainable`);
    }
    for (const name of ["wE", "pos", "wV1", "wO1", "wV2", "wU"] as const) {
      check(
        !params[name]!.trainable,
        `${name} is frozen: create its variable with trainable false`,
      );
    }
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("idealModel", "each family is orthonormal, cross products are exactly 0", () => {
    const { params } = idealModel(N, 8);
    const f = families(params);
    const names = Object.keys(f) as Family[];
    for (const a of names) {
      for (const b of names) {
        const gram = tf.matMul(f[a], f[b], false, true);
        if (a === b) {
          assertArrayEqual(gram, tf.eye(f[a].shape[0]), `the Gram matrix of ${a} (identity)`);
        } else {
          check(maxAbs(gram) === 0, `${a} and ${b} should be exactly orthogonal`);
        }
        gram.dispose();
      }
    }
    tf.dispose(Object.values(f).filter((t) => !(t instanceof tf.Variable)));
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("idealModel", "W_U W_O^1 W_V^1 = 0; the frozen maps act on tokens only", () => {
    const { params } = idealModel(N, 8);
    const layout = idealLayout(N, 8);
    tf.tidy(() => {
      const m1 = tf.matMul(need(params, "wO1"), need(params, "wV1"));
      check(maxAbs(tf.matMul(need(params, "wU"), m1)) === 0, "W_U W_O^1 W_V^1 should be 0");
      check(maxAbs(tf.matMul(need(params, "pos"), m1, false, true)) === 0, "W_O^1 W_V^1 p_t = 0");
      check(
        maxAbs(tf.matMul(need(params, "pos"), need(params, "wV2"), false, true)) === 0,
        "W_V^2 p_t should be 0",
      );
      // the layout: W_V^2 maps w_E(k) to e_{v2E + k}
      const v = tf.matMul(need(params, "wE"), need(params, "wV2"), false, true)
        .arraySync() as number[][];
      for (const k of [0, 7, N - 1]) {
        check(v[k][layout.offset.v2E + k] === 1, `W_V^2 w_E(${k}) should be e_{v2E + ${k}}`);
      }
    });
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("idealModel", "frees its intermediate tensors", async () => {
  const { params } = await assertNoLeak(() => idealModel(N, 4), "idealModel");
  disposeParams(params);
}));

// ---------------------------------------------------------------- 7.2 population gradient

Deno.test(
  exerciseCase(
    "populationGradient",
    "shape, count and log N at zero init of the ideal model",
    () => {
      const { config, params } = idealModel(N, 16);
      const d = data(1, 16, 24);
      const { grad, loss, count } = populationGradient(params, config, d, "wO2", 8);
      assertShape(grad, [config.dim, config.dim], "the W_O^2 gradient");
      const expected = d.mask.flat().reduce((s, m) => s + m, 0);
      check(
        count === expected,
        `count should be the number of in-context targets ${expected}, got ${count}`,
      );
      assertAllClose(loss, Math.log(N), { rtol: 1e-5, what: "the loss at zero init (uniform)" });
      check(maxAbs(grad) > 0, "the W_O^2 gradient at zero init should not be 0");
      grad.dispose();
      disposeParams(params);
    },
  ),
);

Deno.test(exerciseCase(
  "populationGradient",
  "the same whatever the chunking (to 1e-5), and = autodiff",
  () => {
    const { config, params } = randomModel(24, 12, 3);
    const d = data(2, 12, 20);
    const a = populationGradient(params, config, d, "wK1", 20);
    const b = populationGradient(params, config, d, "wK1", 3);
    const c = populationGradient(params, config, d, "wK1", 7);
    const scale = maxAbs(a.grad);
    check(scale > 0, "the W_K^1 gradient of a random model should not be 0");
    assertAllClose(b.grad, a.grad, {
      atol: 1e-5 * scale,
      rtol: 0,
      what: "chunks of 3 vs one chunk",
    });
    assertAllClose(c.grad, a.grad, {
      atol: 1e-5 * scale,
      rtol: 0,
      what: "chunks of 7 vs one chunk",
    });
    assertAllClose(b.loss, a.loss, { rtol: 1e-5, what: "the loss with chunks of 3" });
    // the same gradient from the paper's equations and tfjs's autodiff, all sequences at once
    const ref = referenceGradient(params, config, d, "wK1");
    assertAllClose(a.grad, ref, { atol: 1e-5 * scale, rtol: 1e-3, what: "dL/dW_K^1 vs autodiff" });
    tf.dispose([a.grad, b.grad, c.grad, ref]);
    disposeParams(params);
  },
));

Deno.test(
  exerciseCase("populationGradient", "dL/dW_K^2 is exactly 0 when W_O^2 = 0, at any width", () => {
    const d = data(3, 8, 12);
    for (const model of [idealModel(N, 8), randomModel(16, 8, 1), randomModel(40, 8, 2)]) {
      const { config, params } = model;
      tf.tidy(() => need(params, "wO2").assign(tf.zerosLike(need(params, "wO2"))));
      const { grad } = populationGradient(params, config, d, "wK2", 6);
      check(maxAbs(grad) === 0, `dL/dW_K^2 should be exactly 0 with W_O^2 = 0 (d = ${config.dim})`);
      grad.dispose();
      disposeParams(params);
    }
  }),
);

Deno.test(exerciseCase(
  "populationGradient",
  "dL/dW_K^1 is exactly 0 at zero init of the ideal model only",
  () => {
    const d = data(4, 8, 16);
    const ideal = idealModel(N, 8);
    const zero = populationGradient(ideal.params, ideal.config, d, "wK1", 8);
    check(maxAbs(zero.grad) === 0, "dL/dW_K^1 should be exactly 0 at zero init of the ideal model");
    // once W_O^2 copies (a step along -dL/dW_O^2) and W_K^2 is not 0, W_K^1 gets a gradient
    const copy = populationGradient(ideal.params, ideal.config, d, "wO2", 8);
    tf.tidy(() => need(ideal.params, "wO2").assign(copy.grad.mul(-1000)));
    const keys = tf.randomNormal(
      [ideal.config.dim, ideal.config.dim],
      0,
      1,
      "float32",
      7,
    ) as tf.Tensor2D;
    need(ideal.params, "wK2").assign(keys);
    const after = populationGradient(ideal.params, ideal.config, d, "wK1", 8);
    check(maxAbs(after.grad) > 0, "dL/dW_K^1 should not be 0 once W_O^2 and W_K^2 are not 0");
    // random embeddings: W_U W_O^1 W_V^1 != 0, so W_K^1 gets a gradient even at zero init
    const random = randomModel(24, 8);
    zeroMemories(random.params);
    const noisy = populationGradient(random.params, random.config, d, "wK1", 8);
    check(maxAbs(noisy.grad) > 0, "with random embeddings dL/dW_K^1 at zero init is not 0");
    tf.dispose([zero.grad, copy.grad, keys, after.grad, noisy.grad]);
    disposeParams(ideal.params);
    disposeParams(random.params);
  },
));

Deno.test(exerciseCase("populationGradient", "frees its intermediate tensors", async () => {
  const { config, params } = randomModel(16, 8);
  const d = data(5, 8, 10);
  const { grad } = await assertNoLeak(
    () => populationGradient(params, config, d, "wK2", 4),
    "populationGradient",
  );
  grad.dispose();
  disposeParams(params);
}));

// ---------------------------------------------------------------- 7.3 copy gradient

Deno.test(exerciseCase("copyGradient", "a hand-computed case", () => {
  // sequence [1, 0, 1]: targets at t = 1 (y = 1, context [1, 0]) and t = 2 (y = 0, [1, 0, 1])
  const g = copyGradient({ inputs: [[1, 0, 1]], targets: [[0, 1, 0]], mask: [[0, 1, 1]] }, 2);
  assertShape(g, [2, 2], "the copy gradient [N, N]");
  // t = 1: (1[y=j] - 1/2) * [1/2, 1/2]; t = 2: (1[y=j] - 1/2) * [1/3, 2/3]; mean of the two
  const expected = [
    [(-0.25 + 0.5 / 3) / 2, (-0.25 + 1 / 3) / 2],
    [(0.25 - 0.5 / 3) / 2, (0.25 - 1 / 3) / 2],
  ];
  assertAllClose(g, expected, { atol: 1e-12, what: "G[j][k]" });
}));

Deno.test(
  exerciseCase("copyGradient", "columns sum to 0 and the diagonal dominates on real data", () => {
    const g = copyGradient(data(6, 16, 64), N);
    assertShape(g, [N, N], "the copy gradient");
    for (let k = 0; k < N; k += 8) {
      const col = g.reduce((s, row) => s + row[k], 0);
      assertAllClose(col, 0, { atol: 1e-9, what: `the sum over j of column ${k}` });
    }
    let diagonal = 0;
    let off = 0;
    g.forEach((row, j) => row.forEach((x, k) => j === k ? diagonal += x : off += x));
    check(
      diagonal / N > 10 * Math.abs(off / (N * N - N)),
      "the mean diagonal entry (an in-context target is often in its context) should dominate",
    );
  }),
);

Deno.test(exerciseCase(
  "copyGradient",
  "equals the autodiff W_O^2 gradient of the ideal model to 1e-6",
  () => {
    const d = data(7, 16, 32);
    const { config, params } = idealModel(N, 16);
    const layout = idealLayout(N, 16);
    const grad = referenceGradient(params, config, d, "wO2");
    const block = familyBlock(grad, layout, "v2E", "wU").map((row) => row.map((x) => -x));
    assertAllClose(copyGradient(d, N), block, {
      atol: 1e-6,
      rtol: 0,
      what: "closed form vs autodiff",
    });
    grad.dispose();
    disposeParams(params);
  },
));

// ---------------------------------------------------------------- 7.4 chosen step

Deno.test(exerciseCase("chooseStep", "a zero gradient leaves W unchanged, with η = 0", () => {
  const { config, params } = randomModel(16, 8);
  const before = need(params, "wK2").dataSync().slice();
  const zero = tf.zeros([16, 16]) as tf.Tensor2D;
  const r = chooseStep(params, config, "wK2", zero, data(8, 8, 8), [0, 1, 10], 8);
  check(r.eta === 0, `a zero gradient should choose η = 0, got ${r.eta}`);
  check(r.losses.length === 3, "one held-out loss per step size of the grid");
  assertArrayEqual(need(params, "wK2").dataSync(), before, "W_K^2 after a zero step");
  zero.dispose();
  disposeParams(params);
}));

Deno.test(
  exerciseCase("chooseStep", "the held-out loss never increases, and W = W0 - η g/‖g‖", () => {
    const { config, params } = randomModel(16, 8, 4);
    const train = data(9, 8, 16);
    const heldOut = data(10, 8, 16);
    const base = evaluate(params, config, heldOut, 16).loss;
    const w0 = need(params, "wO2").clone();
    const { grad } = populationGradient(params, config, train, "wO2", 16);
    const grid = [0, 0.01, 0.1, 1, 10, 1000];
    const r = chooseStep(params, config, "wO2", grad, heldOut, grid, 5);
    assertAllClose(r.losses[0], base, { rtol: 1e-5, what: "the held-out loss at η = 0" });
    check(r.loss <= base, `the chosen loss ${r.loss} is above the loss without a step ${base}`);
    check(r.loss === Math.min(...r.losses), "the chosen η should have the lowest held-out loss");
    check(r.eta === grid[r.losses.indexOf(r.loss)], "eta should be the grid value of that loss");
    const expected = tf.tidy(() => w0.sub(grad.div(tf.norm(grad)).mul(r.eta)));
    assertAllClose(need(params, "wO2"), expected, { atol: 1e-6, what: "W_O^2 after the step" });
    assertAllClose(evaluate(params, config, heldOut, 16).loss, r.loss, {
      rtol: 1e-5,
      what: "the held-out loss of the model left behind",
    });
    tf.dispose([w0, grad, expected]);
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("chooseStep", "a step along +g (uphill) is never taken", () => {
  const { config, params } = idealModel(N, 16);
  const train = data(11, 16, 48);
  const { grad } = populationGradient(params, config, train, "wO2", 48);
  const uphill = grad.neg() as tf.Tensor2D; // -g: each η > 0 moves W uphill
  const r = chooseStep(params, config, "wO2", uphill, data(12, 16, 48), [0, 1, 10, 100], 48);
  check(r.eta === 0, `uphill steps raise the held-out loss: η should be 0, got ${r.eta}`);
  check(maxAbs(need(params, "wO2")) === 0, "W_O^2 should stay exactly 0");
  tf.dispose([grad, uphill]);
  disposeParams(params);
}));

Deno.test(exerciseCase("chooseStep", "frees its intermediate tensors", async () => {
  const { config, params } = randomModel(16, 8);
  const g = tf.randomNormal([16, 16], 0, 1, "float32", 1) as tf.Tensor2D;
  await assertNoLeak(
    () => chooseStep(params, config, "wK1", g, data(13, 8, 4), [0, 0.1, 1], 4),
    "chooseStep",
  );
  g.dispose();
  disposeParams(params);
}));

// ---------------------------------------------------------------- 7.5 three steps

const STEPS = { grid: GRID, chunkSize: 64, triggers: top5 };

Deno.test(exerciseCase("topDownSteps", "one record per step, after the starting point", () => {
  const { config, params } = idealModel(N, 8);
  const options = { ...STEPS, train: data(14, 8, 16), heldOut: data(15, 8, 16) };
  const records = topDownSteps(params, config, ["wO2"], options);
  check(records.length === 2, `[start, after W_O^2] expected, got ${records.length} records`);
  check(records[0].name === null && records[0].eta === 0, "record 0 is the start: name null, η 0");
  check(records[1].name === "wO2", "record 1 is the W_O^2 step");
  assertAllClose(records[0].loss, Math.log(N), { rtol: 1e-5, what: "the loss at zero init" });
  const start = memoryProbes(params, config, top5);
  check(records[1].probes.wO2 === start.wO2, "the probes after the last step are the model's");
  check(records[1].loss <= records[0].loss, "a chosen step never raises the held-out loss");
  disposeParams(params);
}));

Deno.test(
  exerciseCase("topDownSteps", "W_O^2, W_K^2, W_K^1: each probe rises in that order", () => {
    const { config, params } = idealModel(N, 32);
    const options = {
      grid: [0, ...Array.from({ length: 9 }, (_, i) => 10 ** (i / 2))], // 0, 1, 3.2, ..., 1e4
      chunkSize: 96,
      triggers: top5,
      train: data(16, 32, 96),
      heldOut: data(17, 32, 96),
    };
    const [start, o, k2, k1] = topDownSteps(params, config, ["wO2", "wK2", "wK1"], options);
    const p = [start, o, k2, k1].map((r) => r.probes);
    const seen = p.map((q) => `[${q.wO2.toFixed(2)}, ${q.wK2.toFixed(2)}, ${q.wK1.toFixed(2)}]`);
    const say = `probes [W_O^2, W_K^2, W_K^1] at start and after each step: ${seen.join(" ")}`;
    check(p[0].wO2 < 0.1 && p[1].wO2 > 0.3, `the copy probe should rise after W_O^2; ${say}`);
    check(p[2].wO2 === p[1].wO2 && p[3].wO2 === p[1].wO2, `W_O^2 moves only at its step; ${say}`);
    check(
      p[1].wK2 === p[0].wK2 && p[2].wK2 > 0.6,
      `the W_K^2 probe should rise at its step; ${say}`,
    );
    check(p[2].wK1 === p[0].wK1 && p[3].wK1 > 0.3, `the W_K^1 probe should rise last; ${say}`);
    check(o.gradNorm > 0 && k2.gradNorm > 0 && k1.gradNorm > 0, "each step has a gradient");
    check(k1.loss <= k2.loss && k2.loss <= o.loss && o.loss < start.loss, "the loss never rises");
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("topDownSteps", "the reverse order leaves W_K^1 and W_K^2 exactly 0", () => {
  const { config, params } = idealModel(N, 16);
  const options = { ...STEPS, train: data(18, 16, 48), heldOut: data(19, 16, 48) };
  const records = topDownSteps(params, config, ["wK1", "wK2", "wO2"], options);
  check(records[1].gradNorm === 0 && records[2].gradNorm === 0, "no gradient reaches the keys");
  check(maxAbs(need(params, "wK1")) === 0, "W_K^1 should stay exactly 0");
  check(maxAbs(need(params, "wK2")) === 0, "W_K^2 should stay exactly 0");
  check(records[3].probes.wO2 > records[0].probes.wO2, "W_O^2 still learns to copy");
  disposeParams(params);
}));

Deno.test(exerciseCase("topDownSteps", "frees its intermediate tensors", async () => {
  const { config, params } = randomModel(16, 8);
  const options = { ...STEPS, grid: [0, 1], train: data(20, 8, 4), heldOut: data(21, 8, 4) };
  await assertNoLeak(() => topDownSteps(params, config, ["wO2", "wK2"], options), "topDownSteps");
  disposeParams(params);
}));

// ---------------------------------------------------------------- 7.6 copy read-out

Deno.test(
  exerciseCase(
    "copyReadout",
    "in the ideal model it is the W_O^2 block, negated, for any G",
    () => {
      const { config, params } = idealModel(N, 4);
      const g = tf.randomNormal([config.dim, config.dim], 0, 1, "float32", 2) as tf.Tensor2D;
      const r = copyReadout(params, g);
      assertShape(r, [N, N], "the read-out [N (j), N (k)]");
      const block = familyBlock(g, idealLayout(N, 4), "v2E", "wU").map((row) => row.map((x) => -x));
      assertAllClose(r, block, { atol: 1e-6, what: "the read-out vs the block of -G" });
      tf.dispose([g, r]);
      disposeParams(params);
    },
  ),
);

Deno.test(exerciseCase("copyReadout", "a hand-computed case with random embeddings", () => {
  const { params } = randomModel(6, 4, 5);
  const g = tf.randomNormal([6, 6], 0, 1, "float32", 3) as tf.Tensor2D;
  const [wE, wV2, wU, G] = [need(params, "wE"), need(params, "wV2"), need(params, "wU"), g].map(
    (t) => t.arraySync() as number[][],
  );
  const mv = (m: number[][], v: number[]) =>
    m.map((row) => row.reduce((s, x, i) => s + x * v[i], 0));
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  const r = copyReadout(params, g).arraySync() as number[][];
  for (const [j, k] of [[0, 0], [3, 9], [64, 12]]) {
    const expected = -dot(wU[j], mv(G, mv(wV2, wE[k])));
    assertAllClose(r[j][k], expected, { atol: 1e-4, rtol: 1e-4, what: `read-out [${j}][${k}]` });
  }
  g.dispose();
  disposeParams(params);
}));

Deno.test(
  exerciseCase(
    "copyReadout",
    "random embeddings blur the closed form; the ideal ones do not",
    () => {
      const d = data(22, 16, 48);
      const closed = copyGradient(d, N).flat();
      const corr = correlation;
      const readout = (model: { config: ModelConfig; params: Params }) => {
        const { grad } = populationGradient(model.params, model.config, d, "wO2", 48);
        const r = copyReadout(model.params, grad);
        const flat = Array.from(r.dataSync());
        tf.dispose([grad, r]);
        disposeParams(model.params);
        return flat;
      };
      const ideal = corr(readout(idealModel(N, 16)), closed);
      const random = randomModel(64, 16);
      zeroMemories(random.params);
      const noisy = corr(readout(random), closed);
      check(ideal > 0.999, `ideal model: correlation with the closed form ${ideal}, expected 1`);
      check(noisy < 0.9, `random d = 64: correlation ${noisy} should be clearly below 1`);
    },
  ),
);

Deno.test(exerciseCase("copyReadout", "frees its intermediate tensors", async () => {
  const { params } = idealModel(N, 4);
  const g = tf.zeros([4 * N + 4, 4 * N + 4]) as tf.Tensor2D;
  const r = await assertNoLeak(() => copyReadout(params, g), "copyReadout");
  tf.dispose([g, r]);
  disposeParams(params);
}));
