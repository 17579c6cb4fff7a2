/**
 * Tests of lesson 4's exercises: the two-layer model built from the learner's lesson-2 attention
 * (checked against the course library's forward pass on the same parameters), the hand-wired
 * induction head, the metrics and probes (checked against the library's), the ablations, and the
 * whitened key memory (checked both ways: it reaches 99% where the plain memory does not).
 * Experiments use the lesson's CPU-friendly size: d = 256, T = 64, 16 sequences.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  copyMemory,
  crossEntropyOn,
  DEFAULT_GAINS,
  embedTokens,
  evaluateBatch,
  handWireInduction,
  inContextAccuracy,
  inductionForward,
  inductionKeyMemory,
  type InductionOutput,
  inductionProbe,
  keySecondMoment,
  memoryScale,
  previousTokenProbe,
  readoutNoise,
  removePreviousTokenMemory,
  runAblations,
  smallExperiment,
  whitenedKeyMemory,
} from "@exercises/04_induction_transformer/exercises.ts";
import {
  defaultDataConfig,
  loadStats,
  makeBatch,
  topTriggers,
} from "../../solutions/01_bigram_data/exercises.ts";
// The wiring's one home is Exercise 4.4; the tests of the later exercises take the reference's
// (a fixture, like lesson 1's reference above), so that each checks its own exercise alone.
import {
  handWireInduction as referenceWiring,
  keySecondMoment as referenceKeySecondMoment,
  whitenedKeyMemory as referenceWhitened,
} from "../../solutions/04_induction_transformer/exercises.ts";
import {
  attentionProbes,
  batchMetrics,
  defaultModelConfig,
  disposeParams,
  forward,
  type ForwardOutput,
  initParams,
  inverseSpd,
  memoryProbes,
  type ModelConfig,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertNoLeak,
  assertShape,
  check,
  CourseAssertionError,
  deepFreeze,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

// Shared inputs are frozen: an exercise that modifies one fails in its own test.
const stats = deepFreeze(loadStats());
const triggers = deepFreeze(topTriggers(stats.unigram, 5)); // ' ', e, t, o, a
const small: ModelConfig = deepFreeze({
  ...defaultModelConfig,
  dim: smallExperiment.dim,
  maxLen: smallExperiment.seqLen,
});
const int = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

/** A batch of the lesson's small experiment (reference lesson-1 generator). */
function smallBatch(seed: number, offset = 0) {
  return makeBatch(
    new Rng(seed),
    stats,
    { ...defaultDataConfig, seqLen: small.maxLen, triggerOffset: offset },
    smallExperiment.batchSize,
  );
}

/** Random ids `[batch, seq]`, seeded. */
function randomIds(seed: number, batch: number, seq: number): tf.Tensor2D {
  const rng = new Rng(seed);
  return tf.tensor2d(
    Int32Array.from({ length: batch * seq }, () => rng.int(65)),
    [batch, seq],
    "int32",
  );
}

/** Params with tiny hand-made matrices: d = 2, N = 3, T = 3. */
function tinyParams(): Params {
  const v = (rows: number[][]) => tf.variable(tf.tensor2d(rows), false);
  const eye = [[1, 0], [0, 1]];
  return {
    wE: v([[1, 0], [0, 1], [1, 1]]),
    pos: v([[0.5, 0], [0, 0.5], [0.5, 0.5]]),
    wK1: v(eye),
    wV1: v([[2, 0], [0, 1]]),
    wO1: v([[0, 1], [1, 0]]),
    wK2: v(eye),
    wV2: v([[1, 1], [0, 1]]),
    wO2: v(eye),
    wU: v([[1, 0], [0, 1], [1, -1]]),
  };
}

// ---------------------------------------------------------------- 4.1 embedTokens

Deno.test(exerciseCase("embedTokens", "shape [batch, seq, d]", () => {
  const params = initParams({ ...defaultModelConfig, dim: 16, maxLen: 8 });
  const ids = randomIds(1, 3, 5);
  assertShape(embedTokens(params, ids), [3, 5, 16], "embedTokens of 3 sequences of 5 ids, d = 16");
  disposeParams(params);
}));

Deno.test(exerciseCase("embedTokens", "a hand-computed case: w_E(z_t) + p_t", () => {
  const params = tinyParams();
  const x = embedTokens(params, int([[2, 0], [1, 1]]));
  assertAllClose(x, [[[1.5, 1], [1, 0.5]], [[0.5, 1], [0, 1.5]]], {
    what: "x for ids [[2, 0], [1, 1]] (row t adds p_t)",
  });
  disposeParams(params);
}));

Deno.test(
  exerciseCase("embedTokens", "matches the library on random parameters, shorter sequences", () => {
    const params = initParams({ ...defaultModelConfig, dim: 32, maxLen: 16 });
    const ids = randomIds(2, 2, 10);
    const want = tf.tidy(() =>
      tf.gather(params.wE!, ids.reshape([-1])).reshape([2, 10, 32]).add(
        params.pos!.slice([0, 0], [10, 32]),
      )
    );
    assertAllClose(embedTokens(params, ids), want, { atol: 1e-5, what: "embedTokens" });
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("embedTokens", "has a gradient for W_E on the backend lesson 5 trains with", () => {
    // Lesson 5 trains through embedTokens on wasm, where tf.gather has no gradient.
    const params = initParams({ ...defaultModelConfig, dim: 4, maxLen: 4, trainable: ["wE"] });
    const ids = int([[2, 0, 2], [1, 1, 64]]);
    const rng = new Rng(8);
    const r = tf.tensor3d(rng.normals(2 * 3 * 4), [2, 3, 4]); // a fixed random direction
    let grad: tf.Tensor;
    try {
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(embedTokens(params, ids), r)), [
        params.wE!,
      ]);
      grad = grads[params.wE!.name];
    } catch (e) {
      throw new CourseAssertionError(
        `TensorFlow.js could not compute the gradient of embedTokens for W_E on the ` +
          `${tf.getBackend()} backend (${(e as Error).message.split("\n")[0]}). The usual cause: ` +
          "`tf.gather` has no gradient on wasm, the backend lesson 5 trains with; write the lookup as a " +
          "matrix product, oneHot(z) W_E (`tf.matMul(tf.oneHot(ids, N).toFloat(), wE)`).",
      );
    }
    // d/dW_E[k] of Σ r[b][t] · x[b][t] is the sum of r[b][t] over the positions holding token k.
    const rv = r.arraySync() as number[][][];
    const want = Array.from({ length: 65 }, () => [0, 0, 0, 0]);
    (ids.arraySync() as number[][]).forEach((row, b) =>
      row.forEach((k, t) => rv[b][t].forEach((v, j) => (want[k][j] += v)))
    );
    assertAllClose(grad, want, { atol: 1e-5, what: "the gradient of embedTokens for W_E" });
    tf.dispose([ids, r, grad]);
    disposeParams(params);
  }),
);

// ---------------------------------------------------------------- 4.2 inductionForward

/**
 * The logits of the model with one residual connection left out (layer 2's, or W_F's), the
 * classic mistakes a stage-by-stage comparison recognises.
 */
function logitsWithout(
  params: Params,
  config: ModelConfig,
  ids: tf.Tensor2D,
  missing: "layer 2 residual" | "W_F residual",
): tf.Tensor3D {
  return tf.tidy(() => {
    const [b, t] = ids.shape;
    const d = config.dim;
    const x = tf.oneHot(ids.reshape([-1]), config.vocabSize).toFloat().matMul(params.wE!)
      .reshape([b, t, d]).add(params.pos!.slice([0, 0], [t, d])) as tf.Tensor3D;
    const future = tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)).mul(-1e9);
    const layer = (h: tf.Tensor3D, wK: tf.Tensor2D, wV: tf.Tensor2D, wO: tf.Tensor2D) => {
      const rows = h.reshape([b * t, d]) as tf.Tensor2D;
      const keys = rows.matMul(wK, false, true).reshape([b, t, d]);
      const beta = tf.softmax(tf.matMul(h, keys, false, true).div(Math.sqrt(d)).add(future));
      const values = rows.matMul(wV, false, true).reshape([b, t, d]);
      return tf.matMul(beta, values).reshape([b * t, d]).matMul(wO, false, true)
        .reshape([b, t, d]) as tf.Tensor3D;
    };
    const h1 = x.add(layer(x, params.wK1!, params.wV1!, params.wO1!)) as tf.Tensor3D;
    const a2 = layer(h1, params.wK2!, params.wV2!, params.wO2!);
    let h = (missing === "layer 2 residual" ? a2 : h1.add(a2)).reshape([b * t, d]) as tf.Tensor2D;
    if (config.finalFfn) {
      const f = h.matMul(params.wF!, false, true);
      h = (missing === "W_F residual" ? f : h.add(f)) as tf.Tensor2D;
    }
    return h.matMul(params.wU!, false, true).reshape([b, t, config.vocabSize]) as tf.Tensor3D;
  });
}

/**
 * Compares a forward pass with the library's stage by stage (layer-1 attention, layer-2
 * attention, logits), so that a failure names the first stage that differs, and recognises a
 * missing residual connection in the logits.
 */
function assertSameStages(
  mine: InductionOutput,
  ref: ForwardOutput,
  mistakes: { value: tf.Tensor; means: string }[],
  tolerance: { attn: number; logits: number },
): void {
  assertAllClose(mine.attn1, ref.attn1!, {
    atol: tolerance.attn,
    what: "stage 1 of 3, layer 1's attention β1 (vs @lib/model), the first stage that differs: " +
      "check x = embedTokens(...) and layer 1, residualAttention(x, W_K^1, W_V^1, W_O^1)",
  });
  assertAllClose(mine.attn2, ref.attn2!, {
    atol: tolerance.attn,
    what: "stage 2 of 3, layer 2's attention β2 (vs @lib/model), the first stage that differs " +
      "(layer 1's matches): layer 2 reads h1 = x + attn1(x), the output of layer 1's " +
      "residualAttention, for its queries, keys and values",
  });
  assertAllClose(mine.logits, ref.logits, {
    atol: tolerance.logits,
    rtol: 1e-4,
    what: "stage 3 of 3, the logits (vs @lib/model; both attention maps match, so the " +
      "difference comes after them: h2 = h1 + attn2(h1), h3 = h2 + W_F h2 when " +
      "config.finalFfn, logits = W_U h)",
    mistakes,
  });
}

Deno.test(exerciseCase("inductionForward", "shapes of logits and attention maps", () => {
  const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
  const params = initParams(config);
  const out = inductionForward(params, config, randomIds(3, 2, 8));
  assertShape(out.logits, [2, 8, 65], "logits");
  assertShape(out.attn1, [2, 8, 8], "attn1");
  assertShape(out.attn2, [2, 8, 8], "attn2");
  disposeParams(params);
}));

Deno.test(
  exerciseCase("inductionForward", "equals the library's forward on the same parameters", () => {
    const config = { ...defaultModelConfig, dim: 32, maxLen: 16, seed: 3 };
    const params = initParams(config);
    const ids = randomIds(4, 3, 16);
    const mine = inductionForward(params, config, ids);
    const ref = forward(params, config, ids, { attention: true });
    const noResidual = logitsWithout(params, config, ids, "layer 2 residual");
    assertSameStages(mine, ref, [{
      value: noResidual,
      means: "These are the logits of a model without layer 2's residual connection: " +
        "h2 = h1 + attn2(h1) (residualAttention adds its input back; attention alone does not).",
    }], { attn: 1e-5, logits: 1e-4 });
    tf.dispose([
      noResidual,
      mine.logits,
      mine.attn1,
      mine.attn2,
      ref.logits,
      ref.attn1!,
      ref.attn2!,
    ]);
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("inductionForward", "with the final W_F layer, on a hand-wired model", () => {
    const config = { ...small, finalFfn: true, trainable: ["wK1", "wK2", "wO2", "wF"] as const };
    const cfg = { ...config, trainable: [...config.trainable] };
    const params = initParams(cfg);
    referenceWiring(params, cfg, { triggers });
    const batch = smallBatch(5);
    const ids = batch.inputs.slice([0, 0], [4, 64]) as tf.Tensor2D;
    const mine = inductionForward(params, cfg, ids);
    const ref = forward(params, cfg, ids, { attention: true });
    const noResidual = logitsWithout(params, cfg, ids, "W_F residual");
    const noResidual2 = logitsWithout(params, cfg, ids, "layer 2 residual");
    assertSameStages(mine, ref, [{
      value: noResidual,
      means: "These are the logits of W_F h2 without its residual connection: the final layer " +
        "is h3 = h2 + W_F h2.",
    }, {
      value: noResidual2,
      means: "These are the logits of a model without layer 2's residual connection: " +
        "h2 = h1 + attn2(h1).",
    }], { attn: 1e-4, logits: 1e-3 });
    tf.dispose([
      noResidual,
      noResidual2,
      mine.logits,
      mine.attn1,
      mine.attn2,
      ref.logits,
      ref.attn1!,
      ref.attn2!,
    ]);
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("inductionForward", "causal: a later token does not change earlier logits", () => {
    const config = { ...defaultModelConfig, dim: 32, maxLen: 12 };
    const params = initParams(config);
    const a = randomIds(6, 1, 12);
    const rows = a.arraySync();
    rows[0][7] = (rows[0][7] + 5) % 65;
    const la = inductionForward(params, config, a).logits;
    const lb = inductionForward(params, config, int(rows)).logits;
    assertAllClose(lb.slice([0, 0, 0], [1, 7, 65]), la.slice([0, 0, 0], [1, 7, 65]), {
      atol: 1e-5,
      what: "logits at positions 0..6 after changing token 7",
    });
    disposeParams(params);
  }),
);

// ---------------------------------------------------------------- 4.3 memories

Deno.test(exerciseCase("inductionKeyMemory", "a hand-computed case", () => {
  const params = tinyParams();
  // W_O1 W_V1 = [[0, 1], [2, 0]]; w_1(0) = [0, 2], w_1(2) = [1, 2]
  // Σ_{k in {0, 2}} w_E(k) w_1(k)^T = [1,0]^T[0,2] + [1,1]^T[1,2] = [[1, 4], [1, 2]]
  assertAllClose(inductionKeyMemory(params, [0, 2]), [[1, 4], [1, 2]], {
    what: "inductionKeyMemory(params, [0, 2]) on the tiny model",
    mistakes: [{
      value: [[1, 1], [4, 2]],
      means: "Your matrix is the transpose: W_K^2 = Σ_k w_E(k) w_1(k)^T maps a key holding " +
        "w_1(k) onto the query w_E(k) (E^T W1 for rows, not W1^T E).",
    }],
  });
  disposeParams(params);
}));

Deno.test(exerciseCase("inductionKeyMemory", "all tokens by default; shape [d, d]", () => {
  const params = tinyParams();
  // adds w_E(1) w_1(1)^T = [0,1]^T [1, 0]
  assertAllClose(inductionKeyMemory(params), [[1, 4], [2, 2]], {
    what: "over all 3 tokens",
    mistakes: [{
      value: [[1, 2], [4, 2]],
      means: "Your matrix is the transpose: W_K^2 = Σ_k w_E(k) w_1(k)^T.",
    }],
  });
  disposeParams(params);
}));

Deno.test(
  exerciseCase("inductionKeyMemory", "recalls every trigger (W_K^2 probe = 1 at d = 256)", () => {
    const params = initParams(small);
    const w = inductionKeyMemory(params, triggers);
    assertShape(w, [256, 256], "W_K^2");
    params.wK2!.assign(w);
    const probes = memoryProbes(params, small, triggers);
    params.wK2!.assign(w.transpose());
    const transposed = memoryProbes(params, small, triggers).wK2;
    check(
      probes.wK2 === 1,
      `the W_K^2 recall probe over the 5 triggers should be 1, got ${probes.wK2}` +
        (transposed === 1
          ? ": your matrix is the transpose of W_K^2 (its transpose recalls every trigger). " +
            "W_K^2 = Σ_k w_E(k) w_1(k)^T: the query side w_E(k) on the left."
          : probes.wK2 <= 0.4
          ? " (near chance, 1/5): is each trigger stored as w_E(k) w_1(k)^T?"
          : "."),
    );
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("copyMemory", "a hand-computed case", () => {
  const params = tinyParams();
  // W_V2 w_E(k): [1,0], [1,1], [2,1]; Σ_k w_U(k) (W_V2 w_E(k))^T
  // = [1,0]^T[1,0] + [0,1]^T[1,1] + [1,-1]^T[2,1] = [[3, 1], [-1, 0]]
  assertAllClose(copyMemory(params), [[3, 1], [-1, 0]], {
    what: "copyMemory on the tiny model",
    mistakes: [{
      value: [[3, -1], [1, 0]],
      means: "Your matrix is the transpose: W_O^2 = Σ_k w_U(k) (W_V^2 w_E(k))^T maps a value " +
        "onto its unembedding (U^T V for rows, not V^T U).",
    }],
  });
  disposeParams(params);
}));

Deno.test(exerciseCase("copyMemory", "copies every token (W_O^2 probe = 1 at d = 256)", () => {
  const params = initParams(small);
  const w = copyMemory(params);
  params.wO2!.assign(w);
  const probes = memoryProbes(params, small, null);
  params.wO2!.assign(w.transpose());
  const transposed = memoryProbes(params, small, null).wO2;
  check(
    probes.wO2 === 1,
    `the W_O^2 recall probe over 65 tokens should be 1, got ${probes.wO2}` +
      (transposed === 1
        ? ": your matrix is the transpose of W_O^2 (its transpose copies every token). " +
          "W_O^2 = Σ_k w_U(k) (W_V^2 w_E(k))^T: the output side w_U(k) on the left."
        : probes.wO2 < 0.1
        ? " (near chance, 1/65): is each token stored as w_U(k) (W_V^2 w_E(k))^T?"
        : "."),
  );
  disposeParams(params);
}));

Deno.test(exerciseCase("copyMemory", "not the transposed memory: w_U(k) on the output side", () => {
  const params = initParams({ ...small, dim: 64 });
  const w = copyMemory(params);
  const readBack = tf.tidy(() => {
    // w_U(k)^T W (W_V2 w_E(k)) should be large and positive for every k
    const v = tf.matMul(params.wE!, params.wV2!, false, true);
    return tf.matMul(params.wU!, tf.matMul(w, v, false, true)).arraySync() as number[][];
  });
  const diag = readBack.map((row, k) => row[k]);
  check(diag.every((x) => x > 0), "w_U(k)^T W_O^2 W_V^2 w_E(k) should be positive for every k");
  disposeParams(params);
}));

// ---------------------------------------------------------------- 4.4 scales and wiring

Deno.test(exerciseCase("memoryScale", "a hand-computed case", () => {
  const s = memoryScale(tf.tensor2d([[2, 0], [0, 2]]), tf.tensor2d([[0, 1], [1, 1]]), 6);
  assertAllClose(s, 6 / (4 * 1.5), { what: "memoryScale: mean |u|² = 4, mean |v|² = 1.5, gain 6" });
}));

Deno.test(exerciseCase("memoryScale", "the stored pairs read back the gain on average", () => {
  const rng = new Rng(7);
  const u = tf.tensor2d(rng.normals(20 * 128), [20, 128]);
  const v = tf.tensor2d(rng.normals(20 * 128, 0.5), [20, 128]);
  const s = memoryScale(u, v, 5);
  const mean = tf.tidy(() => {
    const w = tf.matMul(v, u, true, false).mul(s); // s Σ v_i u_i^T
    return tf.matMul(v, tf.matMul(w, u, false, true)).mul(tf.eye(20)).sum().div(20).dataSync()[0];
  });
  assertAllClose(mean, 5, { rtol: 0.05, what: "mean of v_i^T W u_i" });
}));

Deno.test(exerciseCase(
  "memoryScale",
  "inverse in the norms: twice the embeddings, a quarter of the scale",
  () => {
    const u = tf.tensor2d([[1, 2], [3, 0]]);
    const v = tf.tensor2d([[0, 1], [2, 2]]);
    const a = memoryScale(u, v, 1);
    const b = memoryScale(u.mul(2) as tf.Tensor2D, v, 1);
    assertAllClose(b, a / 4, { what: "memoryScale(2u, v) / memoryScale(u, v)" });
  },
));

Deno.test(exerciseCase(
  "handWireInduction",
  "every memory probe is 1; the stored scores are the gains",
  () => {
    const params = initParams(small);
    const before = memoryProbes(params, small, triggers);
    check(
      before.wO2 < 0.1 && before.wK1 < 0.1,
      `random init probes should be near chance: ${JSON.stringify(before)}`,
    );
    handWireInduction(params, small, { triggers });
    const after = memoryProbes(params, small, triggers);
    for (const [name, v] of Object.entries(after)) {
      check(v === 1, `after wiring, the ${name} recall probe should be 1, got ${v}`);
    }
    // score of query p_t for key p_(t-1), after the 1/√d, averaged over t: about gains.wK1
    const score = tf.tidy(() => {
      const p = params.pos!;
      const q = p.slice([1, 0], [63, 256]);
      const k = p.slice([0, 0], [63, 256]);
      return tf.matMul(q, tf.matMul(params.wK1!, k, false, true)).mul(tf.eye(63)).sum().div(63 * 16)
        .dataSync()[0];
    });
    assertAllClose(score, DEFAULT_GAINS.wK1, {
      rtol: 0.1,
      what: "mean score of key t-1 for query t",
    });
    disposeParams(params);
  },
));

Deno.test(
  exerciseCase("handWireInduction", "each memory reads back its own gain (gains option)", () => {
    // Other gains than the defaults, all different: each memory must use its own.
    const gains = { wK1: 6, wK2: 8, wO2: 20 };
    const cfg = { ...small, dim: 128 };
    const params = initParams(cfg);
    handWireInduction(params, cfg, { triggers, gains });
    const rootD = Math.sqrt(cfg.dim);
    const [wK1, wK2, wO2] = tf.tidy(() => {
      const p = params.pos!;
      const meanDiag = (a: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor2D) =>
        tf.matMul(a, tf.matMul(w, b, false, true)).mul(tf.eye(a.shape[0])).sum().div(a.shape[0]);
      const q = p.slice([1, 0], [63, 128]) as tf.Tensor2D;
      const k = p.slice([0, 0], [63, 128]) as tf.Tensor2D;
      const { e, w1 } = triggerRows(params, triggers);
      const values = tf.matMul(params.wE!, params.wV2!, false, true) as tf.Tensor2D;
      return [
        meanDiag(q, params.wK1!, k).div(rootD), // score of key t-1 for query t, after 1/√d
        meanDiag(e, params.wK2!, w1).div(rootD), // score of w_1(k) for query w_E(k), after 1/√d
        meanDiag(params.wU!, params.wO2!, values), // logit of the copied token (no 1/√d)
      ].map((t) => t.dataSync()[0]);
    });
    disposeParams(params);
    const names = { wK1: "W_K^1: score of key t-1", wK2: "W_K^2: score of key w_1(k)" };
    for (const [name, got] of [["wK1", wK1], ["wK2", wK2]] as const) {
      assertAllClose(got, gains[name], {
        rtol: 0.1,
        what: `${names[name]} after the 1/√d, with gains ${JSON.stringify(gains)} (it should be ` +
          `gains.${name})`,
      });
    }
    const ratio = wO2 / gains.wO2;
    check(
      Math.abs(ratio - 1) < 0.1,
      `W_O^2: the copied token's logit w_U(k)^T W_O^2 W_V^2 w_E(k) averages ${wO2.toFixed(2)} ` +
        `with gains ${JSON.stringify(gains)}, but it should be gains.wO2 = ${gains.wO2}` +
        (Math.abs(ratio - rootD) < 0.1 * rootD
          ? `: it is √d = ${rootD.toFixed(1)} times too large. A logit has no 1/√d: pass ` +
            "gains.wO2 itself to memoryScale (only the attention memories get gain · √d)."
          : Math.abs(wO2 - gains.wK2) < 0.1 * gains.wK2 ||
              Math.abs(wO2 - gains.wK1) < 0.1 * gains.wK1
          ? ": that is another memory's gain. W_O^2 uses gains.wO2."
          : "."),
    );
  }),
);

Deno.test(
  exerciseCase("handWireInduction", "an induction head with no training (d = 256, T = 64)", () => {
    const params = initParams(small);
    handWireInduction(params, small, { triggers });
    const batch = smallBatch(11);
    const out = forward(params, small, batch.inputs, { attention: true }); // the library's forward
    const probes = attentionProbes(
      out.attn1!,
      out.attn2!,
      batch.inputs,
      batch.targets,
      batch.labels,
    );
    check(
      probes.prevToken > 0.99,
      `layer 1 should attend to t-1 at outputs, got ${probes.prevToken}`,
    );
    check(
      probes.induction > 0.8,
      `layer 2 should attend after earlier occurrences, got ${probes.induction}`,
    );
    const acc = inContextAccuracyRef(out.logits, batch.targets, batch.labels);
    check(acc > 0.8, `hand-wired in-context accuracy should be above 0.8 (about 0.9), got ${acc}`);
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("handWireInduction", "accuracy grows with d: cross-talk shrinks like 1/√d", () => {
    const accs = [64, 256].map((dim) => {
      const cfg = { ...small, dim };
      const params = initParams(cfg);
      handWireInduction(params, cfg, { triggers });
      const batch = smallBatch(12);
      const { logits } = forward(params, cfg, batch.inputs);
      disposeParams(params);
      return inContextAccuracyRef(logits, batch.targets, batch.labels);
    });
    check(
      accs[1] > accs[0] + 0.3,
      `in-context accuracy at d = 64 and 256: ${accs.map((a) => a.toFixed(3))}`,
    );
  }),
);

/** The in-context accuracy computed here, independently of the learner's metric. */
function inContextAccuracyRef(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): number {
  const pred = (logits.argMax(-1).arraySync() as number[][]).flat();
  const y = (targets.arraySync() as number[][]).flat();
  const lab = (labels.arraySync() as number[][]).flat();
  let hits = 0;
  let n = 0;
  lab.forEach((l, i) => {
    if (l >= 2) {
      n++;
      if (pred[i] === y[i]) hits++;
    }
  });
  return hits / n;
}

// ---------------------------------------------------------------- 4.5 metrics

const tinyLogits = () =>
  tf.tensor3d([[[0, 0, 0], [0, Math.log(2), 0], [0, 0, Math.log(3)], [1, 0, 0]]]);

Deno.test(exerciseCase("inContextAccuracy", "a hand-computed case: only label >= 2 counts", () => {
  // predictions: 0, 1, 2, 0; targets 0, 1, 0, 0; labels 0, 2, 3, 1
  const acc = inContextAccuracy(tinyLogits(), int([[0, 1, 0, 0]]), int([[0, 2, 3, 1]]));
  assertAllClose(acc, 0.5, { what: "in-context accuracy (1 right of 2 with label >= 2)" });
}));

Deno.test(
  exerciseCase(
    "inContextAccuracy",
    "matches the library on a hand-wired model's batch",
    async () => {
      const params = initParams(small);
      referenceWiring(params, small, { triggers });
      const batch = smallBatch(13);
      const { logits } = forward(params, small, batch.inputs);
      const want = (await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc;
      assertAllClose(inContextAccuracy(logits, batch.targets, batch.labels), want, {
        atol: 1e-6,
        what: "in-context accuracy (vs @lib/model batchMetrics)",
      });
      disposeParams(params);
    },
  ),
);

Deno.test(exerciseCase("inContextAccuracy", "NaN, not 0, when no target is in context", () => {
  const acc = inContextAccuracy(tinyLogits(), int([[0, 1, 0, 0]]), int([[0, 0, 1, 1]]));
  check(Number.isNaN(acc), `expected NaN (0 of 0 in-context targets), got ${acc}`);
}));

Deno.test(exerciseCase("crossEntropyOn", "a hand-computed case", () => {
  const ce = crossEntropyOn(tinyLogits(), int([[0, 1, 0, 2]]), tf.tensor2d([[0, 1, 1, 0]]));
  assertAllClose(ce, (-Math.log(2 / 4) - Math.log(1 / 5)) / 2, { what: "mean CE over the mask" });
}));

Deno.test(exerciseCase("crossEntropyOn", "stable with large logits (no Infinity, no NaN)", () => {
  const ce = crossEntropyOn(tf.tensor3d([[[1000, 0]]]), int([[1]]), tf.ones([1, 1]) as tf.Tensor2D);
  assertAllClose(ce, 1000, { rtol: 1e-5, what: "CE of logits [1000, 0] for target 1" });
}));

Deno.test(exerciseCase("crossEntropyOn", "uniform logits give log N", () => {
  const ce = crossEntropyOn(
    tf.zeros([2, 3, 65]) as tf.Tensor3D,
    randomIds(9, 2, 3),
    tf.ones([2, 3]) as tf.Tensor2D,
  );
  assertAllClose(ce, Math.log(65), { rtol: 1e-5, what: "CE of uniform logits over 65 tokens" });
}));

Deno.test(exerciseCase("evaluateBatch", "a hand-computed case", () => {
  const m = evaluateBatch(tinyLogits(), int([[0, 1, 0, 2]]), int([[0, 2, 3, 1]]));
  assertAllClose(m.lossGlobal, Math.log(3), { what: "loss on global tokens (label 0)" });
  assertAllClose(m.lossInContext, (-Math.log(2 / 4) - Math.log(1 / 5)) / 2, {
    what: "in-context loss",
  });
  assertAllClose(m.inContextAcc, 0.5, { what: "in-context accuracy" });
}));

Deno.test(
  exerciseCase("evaluateBatch", "matches the library's batchMetrics on random logits", async () => {
    const batch = smallBatch(14);
    const logits = tf.randomNormal([16, 64, 65], 0, 2, "float32", 3) as tf.Tensor3D;
    const want = await batchMetrics(logits, batch.targets, batch.labels);
    const got = evaluateBatch(logits, batch.targets, batch.labels);
    assertAllClose(
      [got.inContextAcc, got.lossGlobal, got.lossInContext],
      [want.inContextAcc, want.lossGlobal, want.lossInContext],
      { atol: 1e-4, what: "[inContextAcc, lossGlobal, lossInContext] (vs @lib/model)" },
    );
  }),
);

Deno.test(
  exerciseCase("evaluateBatch", "a hand-wired model: low in-context loss, high global loss", () => {
    const params = initParams(small);
    referenceWiring(params, small, { triggers });
    const batch = smallBatch(15);
    const { logits } = forward(params, small, batch.inputs);
    const m = evaluateBatch(logits, batch.targets, batch.labels);
    check(m.lossInContext < 1.5, `in-context loss should be low (about 1), got ${m.lossInContext}`);
    check(
      m.lossGlobal > 3,
      `nothing stores the global bigrams: loss should stay high, got ${m.lossGlobal}`,
    );
    disposeParams(params);
  }),
);

// ---------------------------------------------------------------- 4.6 probes

/** tokens z = [5, 7, 5, 7]: the trigger 5 at t = 0 (label 1) and t = 2 (label 2). */
const probeCase = () => ({
  inputs: int([[5, 7, 5, 7]]),
  targets: int([[7, 5, 7, 0]]),
  labels: int([[1, 0, 2, 0]]),
  prev: tf.tensor3d([[[1, 0, 0, 0], [0.9, 0.1, 0, 0], [0, 0.8, 0.2, 0], [0, 0, 0.7, 0.3]]]),
  ind: tf.tensor3d([[[1, 0, 0, 0], [1, 0, 0, 0], [0.1, 0.6, 0.3, 0], [0, 0, 0, 1]]]),
  eye: tf.eye(4).expandDims(0) as tf.Tensor3D,
});

Deno.test(
  exerciseCase("previousTokenProbe", "a hand-built case: right maps 1, identity maps 0", () => {
    const c = probeCase();
    assertAllClose(previousTokenProbe(c.prev, c.labels), 1, { what: "previous-token map" });
    assertAllClose(previousTokenProbe(c.eye, c.labels), 0, { what: "identity map" });
  }),
);

Deno.test(
  exerciseCase(
    "previousTokenProbe",
    "looks at the output position t+1, not at the trigger t",
    () => {
      const c = probeCase();
      // position 1 attends to 0 (right) but position 3 attends to 3 (wrong): 1 of 2
      const half = tf.tensor3d([[[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]]);
      assertAllClose(previousTokenProbe(half, c.labels), 0.5, { what: "one of two outputs right" });
    },
  ),
);

Deno.test(exerciseCase("previousTokenProbe", "matches the library on a hand-wired model", () => {
  const params = initParams(small);
  referenceWiring(params, small, { triggers });
  // W_K^1 = 0, written here (not with 4.7's removePreviousTokenMemory): uniform layer 1, so the
  // probe is low, not 1.
  params.wK1!.assign(tf.zerosLike(params.wK1!));
  const batch = smallBatch(16);
  const out = forward(params, small, batch.inputs, { attention: true });
  const want = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
  assertAllClose(previousTokenProbe(out.attn1!, batch.labels), want.prevToken, {
    atol: 1e-9,
    what: "previous-token probe (vs @lib/model attentionProbes)",
  });
  disposeParams(params);
}));

Deno.test(exerciseCase("inductionProbe", "a hand-built case: right map 1, identity map 0", () => {
  const c = probeCase();
  assertAllClose(inductionProbe(c.ind, c.inputs, c.labels), 1, { what: "induction map" });
  assertAllClose(inductionProbe(c.eye, c.inputs, c.labels), 0, { what: "identity map" });
}));

Deno.test(
  exerciseCase("inductionProbe", "s* = 0 counts as wrong (it has no previous token)", () => {
    const c = probeCase();
    const first = tf.tensor3d([[[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]]);
    assertAllClose(inductionProbe(first, c.inputs, c.labels), 0, { what: "attending to s = 0" });
  }),
);

Deno.test(exerciseCase("inductionProbe", "matches the library on a hand-wired model", () => {
  const params = initParams(small);
  referenceWiring(params, small, { triggers });
  const batch = smallBatch(17);
  const out = forward(params, small, batch.inputs, { attention: true });
  const want = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
  assertAllClose(inductionProbe(out.attn2!, batch.inputs, batch.labels), want.induction, {
    atol: 1e-9,
    what: "induction probe (vs @lib/model attentionProbes)",
  });
  disposeParams(params);
}));

// ---------------------------------------------------------------- 4.7 ablations

Deno.test(
  exerciseCase("removePreviousTokenMemory", "W_K^1 becomes 0 and layer 1 attends uniformly", () => {
    const config = { ...defaultModelConfig, dim: 32, maxLen: 8 };
    const params = initParams(config);
    removePreviousTokenMemory(params);
    assertAllClose(params.wK1!, tf.zeros([32, 32]), { atol: 0, what: "W_K^1" });
    const { attn1 } = forward(params, config, randomIds(18, 1, 8), { attention: true });
    const uniform = tf.linalg.bandPart(tf.ones([8, 8]), -1, 0).div(tf.range(1, 9).reshape([8, 1]));
    assertAllClose(attn1!, uniform.expandDims(0), {
      atol: 1e-6,
      what: "layer 1 weights: 1/(t+1) on s <= t",
    });
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("removePreviousTokenMemory", "leaves the other memories alone", () => {
  const params = initParams(small);
  referenceWiring(params, small, { triggers });
  const wK2 = params.wK2!.clone();
  removePreviousTokenMemory(params);
  assertAllClose(params.wK2!, wK2, { atol: 0, what: "W_K^2 after removing W_K^1" });
  disposeParams(params);
}));

Deno.test(
  exerciseCase("removePreviousTokenMemory", "in-context accuracy collapses without layer 1", () => {
    const params = initParams(small);
    referenceWiring(params, small, { triggers });
    const batch = smallBatch(19);
    const wired = inContextAccuracyRef(
      forward(params, small, batch.inputs).logits,
      batch.targets,
      batch.labels,
    );
    removePreviousTokenMemory(params);
    const ablated = inContextAccuracyRef(
      forward(params, small, batch.inputs).logits,
      batch.targets,
      batch.labels,
    );
    check(
      ablated < wired - 0.3,
      `accuracy with and without W_K^1: ${wired.toFixed(3)}, ${ablated.toFixed(3)}`,
    );
    disposeParams(params);
  }),
);

Deno.test(exerciseCase("runAblations", "the ablation table of the small experiment", () => {
  const r = runAblations(smallExperiment);
  for (const [k, v] of Object.entries(r)) {
    check(v >= 0 && v <= 1, `${k} should be an accuracy, got ${v}`);
  }
  check(r.wired > 0.8, `wired: ${r.wired}`);
  check(r.layer1Removed < r.wired - 0.3, `layer1Removed ${r.layer1Removed} vs wired ${r.wired}`);
  check(
    r.otherTriggers < 0.2,
    `a head wired for ' ', e, t, o, a on other triggers: ${r.otherTriggers}`,
  );
  check(
    r.allTokensWiring > 0.5 && r.allTokensWiring > r.otherTriggers + 0.4,
    `wiring all tokens works for any trigger set: ${r.allTokensWiring}`,
  );
}));

/**
 * The ablation table computed here with the reference's wiring and the library's forward pass, as the lesson
 * describes it; `shared: true` draws every batch from one stream (a classic mistake).
 */
function referenceAblations(
  size: typeof smallExperiment,
  shared = false,
): Record<"wired" | "layer1Removed" | "otherTriggers" | "allTokensWiring", number> {
  const config: ModelConfig = { ...small, dim: size.dim, maxLen: size.seqLen, seed: size.seed };
  const params = initParams(config);
  const fixedData = { ...defaultDataConfig, seqLen: size.seqLen };
  const otherData = { ...fixedData, triggerOffset: 5 };
  const stream = new Rng(size.seed + 1000);
  const accuracy = (data: typeof fixedData) => {
    const batch = makeBatch(
      shared ? stream : new Rng(size.seed + 1000),
      stats,
      data,
      size.batchSize,
    );
    const { logits } = forward(params, config, batch.inputs);
    const acc = inContextAccuracyRef(logits, batch.targets, batch.labels);
    tf.dispose([logits, ...Object.values(batch)]);
    return acc;
  };
  referenceWiring(params, config, { triggers });
  const wired = accuracy(fixedData);
  const otherTriggers = accuracy(otherData);
  referenceWiring(params, config);
  const allTokensWiring = accuracy(otherData);
  referenceWiring(params, config, { triggers });
  params.wK1!.assign(tf.zerosLike(params.wK1!));
  const layer1Removed = accuracy(fixedData);
  disposeParams(params);
  return { wired, layer1Removed, otherTriggers, allTokensWiring };
}

Deno.test(
  exerciseCase("runAblations", "each row: the lesson's wiring, on the lesson's data", () => {
    const size = { ...smallExperiment, batchSize: 8, seed: 2 };
    const mine = runAblations(size);
    const want = referenceAblations(size);
    const close = (a: number, b: number) => Math.abs(a - b) <= 0.01; // about 1 of 150 targets
    const rows = ["wired", "otherTriggers", "allTokensWiring", "layer1Removed"] as const;
    const what = {
      wired: "W_K^2 wired for the 5 fixed triggers, on lesson 1's default data (seqLen long)",
      otherTriggers: "the same wiring on data whose fixed triggers are the next 5 tokens " +
        "(triggerOffset: 5)",
      allTokensWiring: "W_K^2 rewired over all N tokens, measured on that other data " +
        "(triggerOffset: 5), not on the fixed-trigger data",
      layer1Removed:
        "the fixed-trigger wiring rebuilt (handWireInduction with the 5 triggers, after " +
        "the all-token wiring) and then W_K^1 removed, on the data of `wired`",
    };
    const bad = rows.filter((k) => !close(mine[k], want[k]));
    if (bad.length === 0) return;
    const shared = referenceAblations(size, true);
    const fromShared = rows.every((k) => close(mine[k], shared[k]));
    check(
      false,
      `runAblations(${JSON.stringify(size)}): ` +
        bad.map((k) => `${k} is ${mine[k].toFixed(3)} but should be ${want[k].toFixed(3)}`).join(
          "; ",
        ) +
        (fromShared
          ? ". Your table is what one shared random stream gives: draw each batch with a fresh " +
            "`new Rng(seed + 1000)`, so that every data set starts from the same seed."
          : `. ${bad.map((k) => `${k}: ${what[k]}.`).join(" ")} Each batch is drawn with a fresh ` +
            "`new Rng(seed + 1000)`."),
    );
  }),
);

Deno.test(exerciseCase("runAblations", "seeded: the same size and seed give the same table", () => {
  const size = { ...smallExperiment, batchSize: 4, seed: 3 };
  const a = runAblations(size);
  const b = runAblations(size);
  assertAllClose(Object.values(a), Object.values(b), { atol: 0, what: "two runs of runAblations" });
}));

Deno.test(exerciseCase("runAblations", "frees its tensors", () => {
  const size = { ...smallExperiment, batchSize: 2, seed: 4 };
  runAblations(size);
  const before = tf.memory().numTensors;
  runAblations(size);
  check(
    tf.memory().numTensors === before,
    `numTensors went from ${before} to ${tf.memory().numTensors}`,
  );
}));

// ---------------------------------------------------------------- 4.8 cross-talk

/** Rows w_E(k) and w_1(k) = W_O1 W_V1 w_E(k) of the given tokens, `[K, d]` each. */
function triggerRows(params: Params, tokens: number[]): { e: tf.Tensor2D; w1: tf.Tensor2D } {
  return tf.tidy(() => {
    const e = tf.gather(params.wE!, tf.tensor1d(tokens, "int32")) as tf.Tensor2D;
    const w1 = tf.matMul(e, tf.matMul(params.wO1!, params.wV1!), false, true) as tf.Tensor2D;
    return { e, w1 };
  });
}

/** Σ_i a_i b_i^T / n for rows a_i, b_i given as plain arrays. */
function meanOuter(rows: number[][], n: number): number[][] {
  const d = rows[0].length;
  return Array.from(
    { length: d },
    (_, i) => Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[i] * r[j], 0) / n),
  );
}

Deno.test(exerciseCase("keySecondMoment", "a hand-computed case (d = 2, N = 3, T = 3)", () => {
  const params = tinyParams();
  const m = [[0, 1], [2, 0]]; // W_O1 W_V1 of the tiny model
  const apply = (v: number[]) => [m[0][0] * v[0] + m[0][1] * v[1], m[1][0] * v[0] + m[1][1] * v[1]];
  const e = params.wE!.arraySync();
  const p = params.pos!.arraySync();
  const q = p.map((ps, s) => {
    const prev = apply(p[Math.max(0, s - 1)]); // q_0 = p_0 + M p_0
    return [ps[0] + prev[0], ps[1] + prev[1]];
  });
  const tokens = meanOuter([...e, ...e.map(apply)], 3);
  const positions = meanOuter(q, 3);
  const want = tokens.map((row, i) => row.map((x, j) => x + positions[i][j]));
  assertAllClose(
    keySecondMoment(params, { ...defaultModelConfig, dim: 2, maxLen: 3, vocabSize: 3 }),
    want,
    {
      what: "C = (1/N) Σ_k [w_E w_E^T + w_1 w_1^T] + (1/T) Σ_s q_s q_s^T on the tiny model",
    },
  );
  disposeParams(params);
}));

Deno.test(exerciseCase("keySecondMoment", "symmetric; trace ≈ 2.2 d, as the norms predict", () => {
  const params = initParams(small);
  const c = keySecondMoment(params, small);
  assertShape(c, [256, 256], "C");
  assertAllClose(c, tf.transpose(c), { atol: 1e-3, what: "C against its transpose" });
  // |w_E|² ≈ d, |w_1|² ≈ d/9 (two matrices of variance 1/(3d)), |q_s|² ≈ d + d/9
  const trace = tf.tidy(() => c.mul(tf.eye(256)).sum().dataSync()[0]) / 256;
  check(trace > 2.0 && trace < 2.45, `tr(C) / d should be about 2 + 2/9 = 2.22, got ${trace}`);
  disposeParams(params);
}));

Deno.test(exerciseCase("keySecondMoment", "matches the reference on random parameters", () => {
  const config = { ...defaultModelConfig, dim: 64, maxLen: 32, seed: 5 };
  const params = initParams(config);
  assertAllClose(keySecondMoment(params, config), referenceKeySecondMoment(params, config), {
    atol: 1e-3,
    rtol: 1e-4,
    what: "keySecondMoment (vs the reference's)",
  });
  disposeParams(params);
}));

Deno.test(exerciseCase("readoutNoise", "a hand-computed case", () => {
  const c = tf.tensor2d([[4, 0], [0, 1]]);
  const r = tf.tensor2d([[1, 0], [1, 1]]);
  const stored = tf.tensor2d([[2, 0], [0, 2]]);
  // row 0: sqrt(4) / 2 = 1; row 1: sqrt(4 + 1) / 2
  assertAllClose(readoutNoise(r, stored, c), [1, Math.sqrt(5) / 2], { what: "noise / signal" });
}));

Deno.test(exerciseCase("readoutNoise", "does not depend on the scale of the read-out", () => {
  const rng = new Rng(8);
  const r = tf.tensor2d(rng.normals(3 * 16), [3, 16]);
  const w = tf.tensor2d(rng.normals(3 * 16), [3, 16]).add(r) as tf.Tensor2D;
  const a = tf.tensor2d(rng.normals(16 * 16), [16, 16]);
  const c = tf.matMul(a, a, false, true).div(16) as tf.Tensor2D; // a second-moment matrix
  assertAllClose(readoutNoise(r.mul(3) as tf.Tensor2D, w, c), readoutNoise(r, w, c), {
    rtol: 1e-4,
    what: "readoutNoise(3 r) against readoutNoise(r)",
  });
}));

Deno.test(exerciseCase(
  "readoutNoise",
  "plain read-out ≈ 0.3 of the signal at d = 256; whitening halves it",
  () => {
    const params = initParams(small);
    const { w1 } = triggerRows(params, triggers);
    const c = referenceKeySecondMoment(params, small);
    const plain = readoutNoise(w1, w1, c);
    const whitened = tf.tidy(() => {
      const lambda = c.mul(tf.eye(256)).sum().div(256).mul(0.1);
      return tf.matMul(w1, inverseSpd(c.add(tf.eye(256).mul(lambda)) as tf.Tensor2D));
    }) as tf.Tensor2D;
    const better = readoutNoise(whitened, w1, c);
    for (const [k, x] of plain.entries()) {
      check(
        x > 0.2 && x < 0.5,
        `plain read-out of trigger ${k}: noise/signal ${x}, expected ≈ 0.3`,
      );
      check(
        better[k] < 0.65 * x,
        `whitened read-out of trigger ${k} should be much quieter: ${better[k]} vs ${x}`,
      );
    }
    disposeParams(params);
  },
));

// ---------------------------------------------------------------- 4.9 whitened memory

Deno.test(
  exerciseCase("whitenedKeyMemory", "[d, d]; equals the reference's whitened memory", () => {
    const config = { ...defaultModelConfig, dim: 64, maxLen: 32, seed: 6 };
    const params = initParams(config);
    const mine = whitenedKeyMemory(params, config, { triggers });
    assertShape(mine, [64, 64], "whitened W_K^2");
    const want = referenceWhitened(params, config, { triggers });
    const scale = tf.tidy(() => want.abs().max().dataSync()[0]);
    assertAllClose(mine, want, {
      atol: 1e-3 * scale,
      what: "whitenedKeyMemory (vs the reference's)",
    });
    want.dispose();
    disposeParams(params);
  }),
);

Deno.test(
  exerciseCase("whitenedKeyMemory", "stored pairs score the gain; key 0 is cancelled", () => {
    const params = initParams(small);
    const { e, w1 } = triggerRows(params, triggers);
    /** Mean over the triggers q of e_q^T W k_q / √d, for the key vectors k_q (rows). */
    const meanScore = (w: tf.Tensor2D, keys: tf.Tensor2D) =>
      tf.tidy(() => tf.matMul(e, w).mul(keys).sum().div(triggers.length * 16).dataSync()[0]);
    // key 0 of a sequence that starts with q: h_0 = (I + W_O1 W_V1)(w_E(q) + p_0)
    const key0 = tf.tidy(() => {
      const x = e.add(params.pos!.slice([0, 0], [1, 256]));
      return x.add(tf.matMul(x, tf.matMul(params.wO1!, params.wV1!), false, true));
    }) as tf.Tensor2D;
    const w = whitenedKeyMemory(params, small, { triggers, gain: 10 });
    assertAllClose(meanScore(w, w1), 10, { rtol: 0.15, what: "mean score of a stored pair" });
    const cancelled = meanScore(w, key0);
    check(Math.abs(cancelled) < 3, `key 0 should score about 0 of the gain 10, got ${cancelled}`);
    const kept = meanScore(
      whitenedKeyMemory(params, small, { triggers, cancelFirstKey: false }),
      key0,
    );
    check(kept > 6, `without the cancellation key 0 scores like a stored copy (≈ 10), got ${kept}`);
    disposeParams(params);
  }),
);

/** In-context accuracy and induction probe of the library's forward on one small batch. */
function smallAccuracy(params: Params, seed: number) {
  const batch = smallBatch(seed);
  const out = forward(params, small, batch.inputs, { attention: true });
  const probes = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
  return { acc: inContextAccuracyRef(out.logits, batch.targets, batch.labels), ...probes };
}

Deno.test(exerciseCase(
  "whitenedKeyMemory",
  "≥ 99% in context at d = 256, T = 64; the plain one is lower",
  () => {
    const params = initParams(small);
    referenceWiring(params, small, { triggers });
    const plain = smallAccuracy(params, 21);
    params.wK2!.assign(whitenedKeyMemory(params, small, { triggers }));
    const whitened = smallAccuracy(params, 21);
    check(
      whitened.acc >= 0.99,
      `whitened in-context accuracy should be ≥ 0.99, got ${whitened.acc}`,
    );
    check(whitened.induction >= 0.99, `whitened induction probe ${whitened.induction}`);
    check(
      plain.acc < 0.98 && plain.acc < whitened.acc - 0.02,
      `the plain memory should stay cross-talk limited: ${plain.acc} vs ${whitened.acc}`,
    );
    disposeParams(params);
  },
));

Deno.test(
  exerciseCase("whitenedKeyMemory", "seeded: ≥ 99% for three more models and batches", () => {
    const plain: number[] = [];
    const whitened: number[] = [];
    for (const seed of [1, 2, 3]) {
      const cfg = { ...small, seed };
      const params = initParams(cfg);
      referenceWiring(params, cfg, { triggers });
      plain.push(smallAccuracy(params, 30 + seed).acc);
      params.wK2!.assign(whitenedKeyMemory(params, cfg, { triggers }));
      whitened.push(smallAccuracy(params, 30 + seed).acc);
      disposeParams(params);
    }
    const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / a.length;
    check(Math.min(...whitened) >= 0.99, `whitened accuracies ${whitened}`);
    check(mean(plain) < mean(whitened) - 0.03, `plain ${plain} vs whitened ${whitened}`);
  }),
);

Deno.test(exerciseCase("whitenedKeyMemory", "frees its tensors", () => {
  const config = { ...defaultModelConfig, dim: 32, maxLen: 16 };
  const params = initParams(config);
  whitenedKeyMemory(params, config).dispose();
  const before = tf.memory().numTensors;
  whitenedKeyMemory(params, config, { triggers }).dispose();
  check(
    tf.memory().numTensors === before,
    `numTensors went from ${before} to ${tf.memory().numTensors}`,
  );
  disposeParams(params);
}));

// ---------------------------------------------------------------- no leaks (every tensor exercise)

/** A small wired model and a batch for the leak checks. */
function leakProblem() {
  const config = { ...defaultModelConfig, dim: 32, maxLen: 16, seed: 5 };
  const params = initParams(config);
  referenceWiring(params, config, { triggers });
  const ids = randomIds(8, 2, 16);
  const out = forward(params, config, ids, { attention: true });
  const labels = tf.tensor2d(
    Int32Array.from({ length: 32 }, (_, i) => [0, 1, 2, 3][i % 4]),
    [2, 16],
    "int32",
  );
  const dispose = () => {
    disposeParams(params);
    tf.dispose([ids, out.logits, out.attn1!, out.attn2!, labels]);
  };
  return { config, params, ids, out, labels, dispose };
}

Deno.test(exerciseCase("embedTokens", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(await assertNoLeak(() => embedTokens(p.params, p.ids), "embedTokens"));
  p.dispose();
}));

Deno.test(exerciseCase("inductionForward", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  const out = await assertNoLeak(
    () => inductionForward(p.params, p.config, p.ids),
    "inductionForward",
  );
  tf.dispose([out.logits, out.attn1, out.attn2]);
  p.dispose();
}));

Deno.test(exerciseCase("inductionKeyMemory", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(
    await assertNoLeak(() => inductionKeyMemory(p.params, triggers), "inductionKeyMemory"),
  );
  p.dispose();
}));

Deno.test(exerciseCase("copyMemory", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(await assertNoLeak(() => copyMemory(p.params), "copyMemory"));
  p.dispose();
}));

Deno.test(exerciseCase("inContextAccuracy", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => inContextAccuracy(p.out.logits, p.ids, p.labels), "inContextAccuracy");
  p.dispose();
}));

Deno.test(exerciseCase("crossEntropyOn", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  const mask = tf.tidy(() => p.labels.greaterEqual(2).toFloat()) as tf.Tensor2D;
  await assertNoLeak(() => crossEntropyOn(p.out.logits, p.ids, mask), "crossEntropyOn");
  mask.dispose();
  p.dispose();
}));

Deno.test(exerciseCase("evaluateBatch", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => evaluateBatch(p.out.logits, p.ids, p.labels), "evaluateBatch");
  p.dispose();
}));

Deno.test(exerciseCase("previousTokenProbe", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => previousTokenProbe(p.out.attn1!, p.labels), "previousTokenProbe");
  p.dispose();
}));

Deno.test(exerciseCase("inductionProbe", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => inductionProbe(p.out.attn2!, p.ids, p.labels), "inductionProbe");
  p.dispose();
}));

Deno.test(exerciseCase("keySecondMoment", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(await assertNoLeak(() => keySecondMoment(p.params, p.config), "keySecondMoment"));
  p.dispose();
}));
