/**
 * Tests of lesson 2's exercises (causal self-attention and the previous-token head). Each
 * exercise is compared with a slow, obviously-correct reference written below with plain
 * JavaScript loops over arrays, independent of the learner's code.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  attention,
  attentionScores,
  causalMask,
  previousTokenKey,
  previousTokenSharpness,
  randomPositions,
  residualAttention,
  softmaxLastAxis,
} from "@exercises/02_attention/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertFinite,
  assertNoLeak,
  assertShape,
  check,
  CourseAssertionError,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

// ---------------------------------------------------------------- slow references

type M = number[][];
type B = number[][][];

/** A `[rows, cols]` array of N(0, std²) draws. */
function randn(rng: Rng, rows: number, cols: number, std = 1): M {
  return Array.from({ length: rows }, () => Array.from(rng.normals(cols, std)));
}

/** W v for a matrix W `[out, in]` and a vector v `[in]`. */
function matVec(w: M, v: number[]): number[] {
  return w.map((row) => row.reduce((acc, wij, j) => acc + wij * v[j], 0));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((acc, ai, i) => acc + ai * b[i], 0);
}

/** score[t][s] = q_t · (W_K x_s) / √d, one sequence. */
function refScores(x: M, wK: M, q: M = x): M {
  const d = x[0].length;
  const keys = x.map((xs) => matVec(wK, xs));
  return q.map((qt) => keys.map((ks) => dot(qt, ks) / Math.sqrt(d)));
}

/** Softmax of each row over the visible keys s <= t (the others get exactly 0). */
function refCausalSoftmax(scores: M): M {
  return scores.map((row, t) => {
    const visible = row.slice(0, t + 1);
    const max = Math.max(...visible);
    const e = visible.map((v) => Math.exp(v - max));
    const z = e.reduce((a, b) => a + b, 0);
    return row.map((_, s) => (s <= t ? e[s] / z : 0));
  });
}

/** out_t = W_O Σ_s β_{t,s} W_V x_s, one sequence; also returns β. */
function refAttention(x: M, wK: M, wV: M, wO: M, q: M = x): { out: M; beta: M } {
  const beta = refCausalSoftmax(refScores(x, wK, q));
  const values = x.map((xs) => matVec(wV, xs));
  const out = beta.map((row) => {
    const mixed = values[0].map((_, i) => row.reduce((acc, b, s) => acc + b * values[s][i], 0));
    return matVec(wO, mixed);
  });
  return { out, beta };
}

/** Σ_{t=1}^{T-1} p_t p_{t-1}^T. */
function refPreviousTokenKey(pos: M): M {
  const d = pos[0].length;
  const w = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let t = 1; t < pos.length; t++) {
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) w[i][j] += pos[t][i] * pos[t - 1][j];
  }
  return w;
}

function t3(x: B): tf.Tensor3D {
  return tf.tensor3d(x);
}

function t2(x: M): tf.Tensor2D {
  return tf.tensor2d(x);
}

/** A random problem: x `[batch, seq, dim]`, and non-symmetric W_K, W_V, W_O. */
function problem(seed: number, batch: number, seq: number, dim: number) {
  const rng = new Rng(seed);
  const x = Array.from({ length: batch }, () => randn(rng, seq, dim));
  const wK = randn(rng, dim, dim, 1);
  const wV = randn(rng, dim, dim, 1 / Math.sqrt(dim));
  const wO = randn(rng, dim, dim, 1 / Math.sqrt(dim));
  return { x, wK, wV, wO };
}

// ---------------------------------------------------------------- 2.1 scores

Deno.test(exerciseCase("attentionScores", "shape [batch, seq, seq] and dtype float32", () => {
  const { x, wK } = problem(1, 2, 5, 4);
  const scores = attentionScores(t3(x), t2(wK));
  assertShape(scores, [2, 5, 5], "attentionScores(x [2, 5, 4], wK [4, 4])");
  check(scores.dtype === "float32", `scores should be float32, got ${scores.dtype}`);
  scores.dispose();
}));

Deno.test(exerciseCase(
  "attentionScores",
  "a tiny hand-computed case: x_t · (W_K x_s) / √d, not W_K^T",
  () => {
    // x_0 = e_0, x_1 = e_1, W_K = [[0, 2], [0, 0]]: W_K x_1 = [2, 0], so only q_0 · k_1 = 2 is
    // non-zero, and the score is 2 / √2. Using W_K^T would put it at [1][0] instead.
    const scores = attentionScores(t3([[[1, 0], [0, 1]]]), t2([[0, 2], [0, 0]]));
    assertAllClose(scores, [[[0, Math.SQRT2], [0, 0]]], {
      what: "scores of x = [e_0, e_1] with W_K = [[0, 2], [0, 0]] (row = query t, column = key s)",
      mistakes: [
        { value: [[[0, 2], [0, 0]]], means: "The scale 1/√d (here 1/√2) is missing." },
        {
          value: [[[0, 0], [Math.SQRT2, 0]]],
          means:
            "This is W_K^T (or transposed scores): the key is W_K x_s, and row t holds query " +
            "t's scores.",
        },
      ],
    });
    scores.dispose();
  },
));

Deno.test(
  exerciseCase(
    "attentionScores",
    "matches the slow reference on a seeded batch (scale 1/√d)",
    () => {
      const { x, wK } = problem(2, 3, 7, 8);
      const scores = attentionScores(t3(x), t2(wK));
      const wKT = wK.map((_, i) => wK.map((row) => row[i]));
      assertAllClose(scores, x.map((xb) => refScores(xb, wK)), {
        atol: 1e-3,
        rtol: 1e-3,
        what: "attention scores of a random batch (d = 8, so the scale is 1/√8)",
        mistakes: [
          {
            value: x.map((xb) => refScores(xb, wK).map((row) => row.map((v) => v * Math.sqrt(8)))),
            means: "Your scores are √8 times too large: the scale 1/√d is missing.",
          },
          {
            value: x.map((xb) => refScores(xb, wKT)),
            means: "These are the scores with W_K transposed: the key is W_K x_s, which for row " +
              "vectors is x_s W_K^T (`tf.matMul(x, wK, false, true)`).",
          },
          {
            value: x.map((xb) =>
              refScores(xb, wK)[0].map((_, s) => refScores(xb, wK).map((r) => r[s]))
            ),
            means: "Your scores are transposed: row t must hold query t's scores (q_t · k_s for " +
              "every key s), i.e. queries @ keys^T.",
          },
        ],
      });
      scores.dispose();
    },
  ),
);

Deno.test(exerciseCase("attentionScores", "separate queries: q_t · (W_K x_s) / √d", () => {
  const { x, wK } = problem(3, 2, 6, 4);
  const q = problem(4, 2, 6, 4).x;
  const scores = attentionScores(t3(x), t2(wK), t3(q));
  assertAllClose(scores, x.map((xb, b) => refScores(xb, wK, q[b])), {
    atol: 1e-3,
    rtol: 1e-3,
    what: "scores with queries from another tensor (keys still from x)",
  });
  scores.dispose();
}));

Deno.test(exerciseCase(
  "attentionScores",
  "is differentiable: the gradient for W_K is Σ r[t][s] x_t x_s^T / √d",
  () => {
    // loss = Σ_{b,t,s} r[b][t][s] · scores[b][t][s], so dloss/dW_K = Σ r[b][t][s] q_t x_s^T / √d.
    const { x, wK } = problem(6, 2, 4, 3);
    const r = problem(7, 2, 4, 4).x.map((rb) => rb.map((row) => row.slice(0, 4)));
    const [xt, wKt, rt] = [t3(x), t2(wK), t3(r)];
    let grad: tf.Tensor;
    try {
      grad = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(attentionScores(xt, w as tf.Tensor2D), rt)))(
        wKt,
      );
    } catch (e) {
      tf.dispose([xt, wKt, rt]);
      throw new CourseAssertionError(
        `TensorFlow.js could not compute the gradient of attentionScores for W_K ` +
          `(${(e as Error).message.split("\n")[0]}). A common cause: \`tf.matMul\` of a 3-D ` +
          `tensor by a 2-D matrix runs forward but has no working gradient in tfjs 4.22; ` +
          `reshape x to [batch * seq, dim] first, multiply, and reshape back.`,
      );
    }
    const want = wK.map((row, i) =>
      row.map((_, j) => {
        let acc = 0;
        for (let b = 0; b < x.length; b++) {
          for (let t = 0; t < 4; t++) {
            for (let s2 = 0; s2 < 4; s2++) acc += r[b][t][s2] * x[b][t][i] * x[b][s2][j];
          }
        }
        return acc / Math.sqrt(3);
      })
    );
    assertAllClose(grad, want, { atol: 1e-3, rtol: 1e-3, what: "d loss / d W_K" });
    tf.dispose([xt, wKt, rt, grad]);
  },
));

// ---------------------------------------------------------------- 2.2 mask

Deno.test(exerciseCase("causalMask", "keeps s <= t unchanged, including the diagonal", () => {
  const { x, wK } = problem(5, 2, 6, 4);
  const scores = x.map((xb) => refScores(xb, wK));
  const masked = causalMask(t3(scores));
  assertShape(masked, [2, 6, 6], "causalMask of [2, 6, 6] scores");
  const got = masked.arraySync() as B;
  masked.dispose();
  for (let b = 0; b < 2; b++) {
    for (let t = 0; t < 6; t++) {
      for (let s = 0; s <= t; s++) {
        assertAllClose(got[b][t][s], scores[b][t][s], {
          what: `masked[${b}][${t}][${s}] (key s = ${s} <= query t = ${t} must stay visible)`,
        });
      }
    }
  }
}));

Deno.test(exerciseCase(
  "causalMask",
  "a tiny 3x3 case: -Infinity (or hugely negative) above the diagonal",
  () => {
    const masked = causalMask(t3([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]));
    const got = masked.arraySync() as B;
    masked.dispose();
    for (const [t, s] of [[0, 1], [0, 2], [1, 2]]) {
      check(
        got[0][t][s] <= -1e9,
        `masked[0][${t}][${s}] (a future key s = ${s} > t = ${t}) should be -Infinity, got ${
          got[0][t][s]
        }`,
      );
    }
    assertAllClose([got[0][0][0], got[0][1][0], got[0][1][1], ...got[0][2]], [1, 4, 5, 7, 8, 9], {
      what: "the visible entries of the masked 3x3 scores",
    });
  },
));

Deno.test(exerciseCase(
  "causalMask",
  "after softmax, future weights are 0 and position 0 sees only itself",
  () => {
    const masked = causalMask(t3([[[5, 9, 9, 9], [1, 2, 50, 50], [0, 0, 0, 70], [1, 1, 1, 1]]]));
    const weights = tf.softmax(masked); // TensorFlow.js's own softmax, over the last axis
    const got = weights.arraySync() as B;
    tf.dispose([masked, weights]);
    assertAllClose(
      got[0],
      refCausalSoftmax([[5, 9, 9, 9], [1, 2, 50, 50], [0, 0, 0, 70], [1, 1, 1, 1]]),
      {
        what: "softmax of your masked scores (large future scores must not leak into the weights)",
      },
    );
  },
));

Deno.test(exerciseCase("causalMask", "is differentiable: no gradient flows to future keys", () => {
  const s = t3([[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]);
  const grad = tf.grad((x: tf.Tensor) =>
    tf.sum(
      tf.mul(tf.softmax(causalMask(x as tf.Tensor3D)), t3([[[1, 2, 3], [3, 1, 2], [2, 3, 1]]])),
    )
  )(s);
  assertFinite(grad, "the gradient through causalMask");
  const g = grad.arraySync() as B;
  tf.dispose([s, grad]);
  check(
    g[0][0][1] === 0 && g[0][0][2] === 0 && g[0][1][2] === 0,
    `the gradient at masked (future) entries should be exactly 0, got ${[
      g[0][0][1],
      g[0][0][2],
      g[0][1][2],
    ]}`,
  );
  check(Math.abs(g[0][1][0]) > 1e-3, "the gradient at visible entries should not be 0");
}));

// ---------------------------------------------------------------- 2.3 softmax

/**
 * Fails unless every row of `w` `[batch, seq, seq]` sums to 1, and says so when its columns do
 * instead (a softmax over the queries, axis 1, instead of the keys).
 */
function checkRowsSumToOne(w: tf.Tensor3D, what: string): void {
  assertFinite(w, what);
  const m = (w.arraySync() as B)[0];
  const rows = m.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = m[0].map((_, s) => m.reduce((a, row) => a + row[s], 0));
  const one = (v: number) => Math.abs(v - 1) < 1e-4;
  const bad = rows.findIndex((r) => !one(r));
  if (bad < 0) return;
  const fmt = (v: number) => String(+v.toFixed(3));
  throw new CourseAssertionError(
    `${what}: row ${bad} sums to ${fmt(rows[bad])}` +
      (cols.every(one)
        ? `, and the rows sum to ${rows.map(fmt).join(", ")} while the columns sum to 1: you ` +
          "normalised over axis 1 (the queries) instead of the last axis (the keys, -1)."
        : ", but each row (one query t) must sum to 1 over its keys s."),
  );
}

Deno.test(
  exerciseCase("softmaxLastAxis", "a tiny hand-computed case: [0, ln 3] -> [0.25, 0.75]", () => {
    const w = softmaxLastAxis(t3([[[0, Math.log(3)], [Math.log(2), Math.log(2)]]]));
    checkRowsSumToOne(w, "softmaxLastAxis([[0, ln 3], [ln 2, ln 2]])");
    assertAllClose(w, [[[0.25, 0.75], [0.5, 0.5]]], {
      what: "softmaxLastAxis([[0, ln 3], [ln 2, ln 2]])",
    });
    w.dispose();
  }),
);

Deno.test(exerciseCase(
  "softmaxLastAxis",
  "normalises over the keys (last axis), matching the reference",
  () => {
    const rng = new Rng(6);
    const scores = [randn(rng, 5, 5, 2), randn(rng, 5, 5, 2)];
    const w = softmaxLastAxis(t3(scores));
    checkRowsSumToOne(w, "softmax of random [2, 5, 5] scores");
    const expected = scores.map((m) =>
      m.map((row) => {
        const e = row.map((v) => Math.exp(v));
        const z = e.reduce((a, b) => a + b, 0);
        return e.map((v) => v / z);
      })
    );
    assertAllClose(w, expected, {
      atol: 1e-5,
      what: "softmax of random [2, 5, 5] scores (each row, a query, must sum to 1 over its keys)",
    });
    w.dispose();
  },
));

Deno.test(
  exerciseCase("softmaxLastAxis", "large scores (1e4) give no NaN: it subtracts the max", () => {
    const w = softmaxLastAxis(t3([[[1e4, 0, -1e4], [1e4, 1e4, 1e4], [-1e4, 5e3, 1e4]]]));
    assertFinite(w, "softmaxLastAxis of scores around 1e4");
    assertAllClose(w, [[[1, 0, 0], [1 / 3, 1 / 3, 1 / 3], [0, 0, 1]]], {
      what: "softmaxLastAxis of scores around 1e4",
    });
    w.dispose();
  }),
);

Deno.test(exerciseCase(
  "softmaxLastAxis",
  "each row subtracts its own max: a row far below the others",
  () => {
    // The whole tensor's max (1e4) is 2e4 above every score of row 1: exp underflows to 0 there,
    // and the row becomes 0 / 0 = NaN. Each row's own max keeps it finite.
    const w = softmaxLastAxis(t3([[[1e4, 0], [-1e4, -2e4]]]));
    const row1 = (w.arraySync() as B)[0][1];
    check(
      row1.every(Number.isFinite),
      `softmaxLastAxis([[1e4, 0], [-1e4, -2e4]]): row 1 is [${row1}], not finite. Its scores are ` +
        "far below row 0's maximum: subtract each row's maximum (`tf.max(scores, -1, true)`), not " +
        "the maximum of the whole tensor.",
    );
    assertAllClose(w, [[[1, 0], [1, 0]]], { what: "softmaxLastAxis([[1e4, 0], [-1e4, -2e4]])" });
    w.dispose();
  },
));

Deno.test(exerciseCase("softmaxLastAxis", "-Infinity entries get weight 0 (masked rows)", () => {
  const w = softmaxLastAxis(
    t3([[[3, -Infinity, -Infinity], [1, 1, -Infinity], [0, 0, Math.log(2)]]]),
  );
  assertFinite(w, "softmaxLastAxis of masked scores");
  assertAllClose(w, [[[1, 0, 0], [0.5, 0.5, 0], [0.25, 0.25, 0.5]]], {
    what: "softmaxLastAxis of masked scores",
  });
  w.dispose();
}));

// ---------------------------------------------------------------- 2.4 attention

Deno.test(exerciseCase("attention", "shapes, and causal weights whose rows sum to 1", () => {
  const { x, wK, wV, wO } = problem(7, 2, 6, 4);
  const { output, weights } = attention(t3(x), t2(wK), t2(wV), t2(wO));
  assertShape(output, [2, 6, 4], "attention(...).output");
  assertShape(weights, [2, 6, 6], "attention(...).weights");
  const beta = weights.arraySync() as B;
  tf.dispose([output, weights]);
  beta.forEach((m, b) =>
    m.forEach((row, t) => {
      const sum = row.reduce((a, c) => a + c, 0);
      check(
        Math.abs(sum - 1) < 1e-4,
        `weights[${b}][${t}] should sum to 1 over the keys, sums to ${sum}`,
      );
      row.forEach((v, s) =>
        check(s <= t || v === 0, `weights[${b}][${t}][${s}]: a future key got weight ${v}`)
      );
    })
  );
}));

Deno.test(exerciseCase("attention", "matches the slow reference W_O Σ_s β_{t,s} W_V x_s", () => {
  const { x, wK, wV, wO } = problem(8, 3, 7, 6);
  const { output, weights } = attention(t3(x), t2(wK), t2(wV), t2(wO));
  const refs = x.map((xb) => refAttention(xb, wK, wV, wO));
  assertAllClose(weights, refs.map((r) => r.beta), { atol: 1e-4, what: "attention weights β" });
  assertAllClose(output, refs.map((r) => r.out), {
    atol: 1e-4,
    rtol: 1e-3,
    what: "attention output",
  });
  tf.dispose([output, weights]);
}));

Deno.test(exerciseCase("attention", "position 0 sees only itself: output_0 = W_O W_V x_0", () => {
  const { x, wK, wV, wO } = problem(9, 1, 5, 4);
  const { output, weights } = attention(t3(x), t2(wK), t2(wV), t2(wO));
  const first = output.slice([0, 0, 0], [1, 1, 4]).reshape([4]);
  assertAllClose(first, matVec(wO, matVec(wV, x[0][0])), {
    atol: 1e-4,
    what: "output at position 0",
  });
  tf.dispose([output, weights, first]);
}));

Deno.test(
  exerciseCase("attention", "queries from another tensor (the option used in lesson 4)", () => {
    const { x, wK, wV, wO } = problem(10, 2, 5, 4);
    const q = problem(11, 2, 5, 4).x;
    const { output, weights } = attention(t3(x), t2(wK), t2(wV), t2(wO), { queries: t3(q) });
    const refs = x.map((xb, b) => refAttention(xb, wK, wV, wO, q[b]));
    assertAllClose(weights, refs.map((r) => r.beta), {
      atol: 1e-4,
      what: "weights with separate queries",
    });
    assertAllClose(output, refs.map((r) => r.out), {
      atol: 1e-4,
      rtol: 1e-3,
      what: "output with separate queries",
    });
    tf.dispose([output, weights]);
  }),
);

Deno.test(
  exerciseCase("attention", "large scores (about 1e4) give finite weights and outputs", () => {
    const { x, wV, wO } = problem(12, 1, 6, 4);
    const wK = [[3000, 0, 0, 0], [0, 3000, 0, 0], [0, 0, 3000, 0], [0, 0, 0, 3000]];
    const { output, weights } = attention(t3(x), t2(wK), t2(wV), t2(wO));
    assertFinite(weights, "weights when the scores are about 1e4");
    assertFinite(output, "output when the scores are about 1e4");
    assertAllClose(weights, [refAttention(x[0], wK, wV, wO).beta], {
      atol: 1e-3,
      what: "weights (large scores)",
    });
    tf.dispose([output, weights]);
  }),
);

Deno.test(exerciseCase(
  "attention",
  "is differentiable: gradients for W_K, W_V, W_O match a reference",
  () => {
    const { x, wK, wV, wO } = problem(13, 2, 5, 4);
    const probe = t3(problem(14, 2, 5, 4).x); // a fixed random direction for the loss
    const xs = t3(x);
    const loss = (k: tf.Tensor2D, v: tf.Tensor2D, o: tf.Tensor2D) =>
      tf.sum(tf.mul(attention(xs, k, v, o).output, probe));
    // Reference with TensorFlow.js's own building blocks (bandPart mask, tf.softmax).
    const apply = (w: tf.Tensor2D, v: tf.Tensor) =>
      // W v_s for every row: [2, 5, 4]
      tf.matMul(v.reshape([10, 4]), w, false, true).reshape([2, 5, 4]);
    const refLoss = (k: tf.Tensor2D, v: tf.Tensor2D, o: tf.Tensor2D) => {
      const scores = tf.div(tf.matMul(xs, apply(k, xs), false, true), 2); // √d = 2
      const lower = tf.linalg.bandPart(tf.ones([5, 5]), -1, 0);
      const beta = tf.softmax(tf.add(scores, tf.mul(tf.sub(1, lower), -1e9)));
      const out = apply(o, tf.matMul(beta, apply(v, xs)));
      return tf.sum(tf.mul(out, probe));
    };
    const args = [t2(wK), t2(wV), t2(wO)];
    const got = tf.grads(loss as (...a: tf.Tensor[]) => tf.Tensor)(args);
    const want = tf.grads(refLoss as (...a: tf.Tensor[]) => tf.Tensor)(args);
    ["W_K", "W_V", "W_O"].forEach((name, i) => {
      assertFinite(got[i], `the gradient for ${name}`);
      assertAllClose(got[i], want[i], { atol: 1e-3, rtol: 1e-3, what: `the gradient for ${name}` });
    });
    tf.dispose([...got, ...want, ...args, probe, xs]);
  },
));

// ---------------------------------------------------------------- 2.5 residual block

Deno.test(exerciseCase("residualAttention", "output = x + attention output (reference)", () => {
  const { x, wK, wV, wO } = problem(15, 2, 6, 4);
  const { output, weights } = residualAttention(t3(x), t2(wK), t2(wV), t2(wO));
  const expected = x.map((xb) => {
    const { out } = refAttention(xb, wK, wV, wO);
    return xb.map((row, t) => row.map((v, i) => v + out[t][i]));
  });
  assertAllClose(output, expected, { atol: 1e-4, rtol: 1e-3, what: "residualAttention output" });
  tf.dispose([output, weights]);
}));

Deno.test(exerciseCase("residualAttention", "returns the attention weights too", () => {
  const { x, wK, wV, wO } = problem(16, 2, 6, 4);
  const { output, weights } = residualAttention(t3(x), t2(wK), t2(wV), t2(wO));
  assertShape(output, [2, 6, 4], "residualAttention(...).output");
  assertAllClose(weights, x.map((xb) => refAttention(xb, wK, wV, wO).beta), {
    atol: 1e-4,
    what: "residualAttention(...).weights",
  });
  tf.dispose([output, weights]);
}));

Deno.test(exerciseCase("residualAttention", "with W_O = 0 the block is the identity", () => {
  const { x, wK, wV } = problem(17, 1, 5, 4);
  const zero = tf.zeros([4, 4]) as tf.Tensor2D;
  const { output, weights } = residualAttention(t3(x), t2(wK), t2(wV), zero);
  assertAllClose(output, x, { what: "residualAttention with W_O = 0 (should return x)" });
  tf.dispose([output, weights, zero]);
}));

// ---------------------------------------------------------------- 2.6 previous-token head

Deno.test(
  exerciseCase("previousTokenKey", "a tiny case: one-hot positions give a shift matrix", () => {
    // p_t = e_t: W = e_1 e_0^T + e_2 e_1^T + e_3 e_2^T, ones just below the diagonal.
    const w = previousTokenKey(tf.eye(4) as tf.Tensor2D);
    assertAllClose(w, [[0, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], {
      what: "previousTokenKey(one-hot positions e_0..e_3) = Σ_t p_t p_{t-1}^T",
    });
    w.dispose();
  }),
);

Deno.test(
  exerciseCase("previousTokenKey", "matches Σ_{t>=1} p_t p_{t-1}^T on random positions", () => {
    const pos = randn(new Rng(18), 9, 6);
    const w = previousTokenKey(t2(pos));
    assertShape(w, [6, 6], "previousTokenKey of [9, 6] positions");
    assertAllClose(w, refPreviousTokenKey(pos), {
      atol: 1e-3,
      rtol: 1e-4,
      what: "previousTokenKey",
    });
    w.dispose();
  }),
);

Deno.test(
  exerciseCase("previousTokenKey", "with d = 64, every position t >= 1 attends to t - 1", () => {
    const pos = randn(new Rng(19), 32, 64);
    const w = previousTokenKey(t2(pos));
    const wK = w.arraySync() as M;
    w.dispose();
    const beta = refCausalSoftmax(refScores(pos, wK));
    for (let t = 1; t < 32; t++) {
      const best = beta[t].indexOf(Math.max(...beta[t]));
      check(
        best === t - 1,
        `query ${t} should attend most to key ${t - 1}, but attends most to ${best}`,
      );
      check(
        beta[t][t - 1] > 0.99,
        `query ${t} should put > 99% on key ${t - 1}, puts ${beta[t][t - 1]}`,
      );
    }
  }),
);

Deno.test(
  exerciseCase("previousTokenSharpness", "a tiny hand-computed case (row 0 is ignored)", () => {
    const weights = t3([[[1, 0, 0], [0.8, 0.2, 0], [0.1, 0.6, 0.3]]]);
    const { meanWeight, accuracy } = previousTokenSharpness(weights);
    assertAllClose([meanWeight, accuracy], [0.7, 1], {
      what: "[meanWeight, accuracy] of a 3x3 example",
    });
    weights.dispose();
  }),
);

Deno.test(
  exerciseCase("previousTokenSharpness", "self-attention scores 0; averages over the batch", () => {
    const eye = tf.eye(4).reshape([1, 4, 4]);
    const shift = t3([[[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]]);
    const self = previousTokenSharpness(eye as tf.Tensor3D);
    assertAllClose([self.meanWeight, self.accuracy], [0, 0], {
      what: "sharpness of a head attending to itself",
    });
    const both = tf.concat([eye, shift]) as tf.Tensor3D;
    const mixed = previousTokenSharpness(both);
    assertAllClose([mixed.meanWeight, mixed.accuracy], [0.5, 0.5], {
      what: "sharpness of a batch with one self head and one perfect previous-token head",
    });
    tf.dispose([eye, shift, both]);
  }),
);

Deno.test(exerciseCase(
  "previousTokenSharpness",
  "accuracy counts argmax hits, meanWeight the mass on t - 1",
  () => {
    // Rows 1..3: t-1 gets 0.4 but loses the argmax in row 2; rows 1 and 3 win with 0.6 and 0.5.
    const weights = t3([[[1, 0, 0, 0], [0.6, 0.4, 0, 0], [0.1, 0.4, 0.5, 0], [
      0.2,
      0.1,
      0.5,
      0.2,
    ]]]);
    const { meanWeight, accuracy } = previousTokenSharpness(weights);
    assertAllClose([meanWeight, accuracy], [(0.6 + 0.4 + 0.5) / 3, 2 / 3], {
      what: "[meanWeight, accuracy] of a 4x4 example",
    });
    weights.dispose();
  },
));

Deno.test(exerciseCase(
  "previousTokenSharpness",
  "the hand-built head gets sharper as d grows (T = 64)",
  () => {
    const measure = (dim: number) => {
      const rng = new Rng(20 + dim);
      const pos = randomPositions(rng, 64, dim);
      const wK = refPreviousTokenKey(pos.arraySync() as M);
      const beta = refCausalSoftmax(refScores(pos.arraySync() as M, wK));
      pos.dispose();
      const weights = t3([beta]);
      const result = previousTokenSharpness(weights);
      weights.dispose();
      let hits = 0;
      for (let t = 1; t < 64; t++) hits += beta[t].indexOf(Math.max(...beta[t])) === t - 1 ? 1 : 0;
      return { result, expected: hits / 63 };
    };
    const small = measure(8);
    const large = measure(64);
    assertAllClose(small.result.accuracy, small.expected, { what: "accuracy at d = 8, T = 64" });
    assertAllClose(large.result.accuracy, large.expected, { what: "accuracy at d = 64, T = 64" });
    check(
      small.result.accuracy < 0.5 && large.result.accuracy > 0.95,
      `expected d = 8 to fail often (< 0.5) and d = 64 to succeed (> 0.95), got ${small.result.accuracy} and ${large.result.accuracy}`,
    );
  },
));

// ---------------------------------------------------------------- no leaks (every exercise)

Deno.test(exerciseCase("attentionScores", "frees its intermediate tensors", async () => {
  const { x, wK } = problem(30, 2, 5, 4);
  const [xt, wKt] = [t3(x), t2(wK)];
  tf.dispose(await assertNoLeak(() => attentionScores(xt, wKt), "attentionScores"));
  tf.dispose([xt, wKt]);
}));

Deno.test(exerciseCase("causalMask", "frees its intermediate tensors", async () => {
  const scores = t3(problem(31, 2, 5, 5).x);
  tf.dispose(await assertNoLeak(() => causalMask(scores), "causalMask"));
  scores.dispose();
}));

Deno.test(exerciseCase("softmaxLastAxis", "frees its intermediate tensors", async () => {
  const scores = t3(problem(32, 2, 5, 5).x);
  tf.dispose(await assertNoLeak(() => softmaxLastAxis(scores), "softmaxLastAxis"));
  scores.dispose();
}));

Deno.test(exerciseCase("attention", "frees its intermediate tensors", async () => {
  const { x, wK, wV, wO } = problem(33, 2, 5, 4);
  const ts = [t3(x), t2(wK), t2(wV), t2(wO)] as const;
  const result = await assertNoLeak(() => attention(...ts), "attention");
  tf.dispose([result.output, result.weights, ...ts]);
}));

Deno.test(exerciseCase("residualAttention", "frees its intermediate tensors", async () => {
  const { x, wK, wV, wO } = problem(34, 2, 5, 4);
  const ts = [t3(x), t2(wK), t2(wV), t2(wO)] as const;
  const result = await assertNoLeak(() => residualAttention(...ts), "residualAttention");
  tf.dispose([result.output, result.weights, ...ts]);
}));

Deno.test(exerciseCase("previousTokenKey", "frees its intermediate tensors", async () => {
  const pos = randomPositions(new Rng(35), 6, 4);
  tf.dispose(await assertNoLeak(() => previousTokenKey(pos), "previousTokenKey"));
  pos.dispose();
}));

Deno.test(exerciseCase("previousTokenSharpness", "frees its intermediate tensors", async () => {
  const weights = t3([refCausalSoftmax(problem(36, 1, 5, 5).x[0])]);
  await assertNoLeak(() => previousTokenSharpness(weights), "previousTokenSharpness");
  weights.dispose();
}));
