/**
 * Tests of lesson 9's exercises: the one-layer model, the MLP, layer normalisation, the split
 * into heads and the induction score. The one-layer model is checked against the library's
 * two-layer forward pass with W_O^1 = 0 (then layer 1 adds nothing), the rest against small
 * hand-computed cases, seeded properties, and the plausible mistakes, each named when made.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  inductionScore,
  layerNorm,
  mergeHeads,
  mlp,
  oneLayerForward,
  splitHeads,
} from "@exercises/09_beyond_simplified/exercises.ts";
import { defaultModelConfig, disposeParams, forward, initParams } from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertArrayEqual,
  assertNoLeak,
  assertShape,
  check,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

const randomIds = (seed: number, batch: number, seq: number, n = 65) => {
  const rng = new Rng(seed);
  const ids = Array.from({ length: batch }, () => Array.from({ length: seq }, () => rng.int(n)));
  return tf.tensor2d(ids, [batch, seq], "int32");
};

// ---------------------------------------------------------------- 9.1 oneLayerForward

const small = { ...defaultModelConfig, dim: 16, maxLen: 8, trainable: [] };

/** What a one-layer forward pass with a classic mistake computes, for the messages. */
function oneLayerMistakes(
  params: ReturnType<typeof initParams>,
  ids: tf.Tensor2D,
): { value: tf.Tensor; means: string }[] {
  const [batch, seq] = ids.shape;
  const d = small.dim;
  return tf.tidy(() => {
    const x = tf.matMul(tf.oneHot(ids.reshape([-1]), 65).toFloat(), params.wE!)
      .reshape([batch, seq, d]).add(params.pos!.slice([0, 0], [seq, d])) as tf.Tensor3D;
    const flat = x.reshape([-1, d]) as tf.Tensor2D;
    const rows = (w: tf.Tensor2D, r: tf.Tensor2D) => tf.matMul(r, w, false, true);
    const keys = rows(params.wK2!, flat).reshape([batch, seq, d]);
    const values = rows(params.wV2!, flat).reshape([batch, seq, d]);
    const mask = tf.sub(1, tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0)).mul(-1e9);
    const variant = (scale: number, masked: boolean, residual: boolean) => {
      const scores = tf.matMul(x, keys, false, true).mul(scale);
      const beta = tf.softmax(masked ? scores.add(mask) : scores);
      const mixed = rows(params.wO2!, tf.matMul(beta, values).reshape([-1, d]) as tf.Tensor2D);
      const h = residual ? flat.add(mixed) : mixed;
      return tf.keep(rows(params.wU!, h as tf.Tensor2D).reshape([batch, seq, 65]));
    };
    return [
      {
        value: variant(1 / Math.sqrt(d), false, true),
        means: "the attention sees future positions: add the causal mask (-1e9 above the diagonal)",
      },
      {
        value: variant(1, true, true),
        means: "the scores are not divided by sqrt(d)",
      },
      {
        value: variant(1 / Math.sqrt(d), true, false),
        means: "the residual is missing: h_t = x_t + W_O2 (...), not the attention output alone",
      },
    ];
  });
}

Deno.test(exerciseCase("oneLayerForward", "shape, and finite logits", () => {
  const params = initParams(small);
  const ids = randomIds(1, 3, 8);
  const logits = oneLayerForward(params, small, ids);
  assertShape(logits, [3, 8, 65], "oneLayerForward's logits");
  check(logits.dtype === "float32", "the logits should be float32");
  tf.dispose([logits, ids]);
  disposeParams(params);
}));

Deno.test(exerciseCase(
  "oneLayerForward",
  "equals the two-layer model with W_O^1 = 0 (layer 1 adds nothing)",
  () => {
    for (const seed of [0, 3]) {
      const config = { ...small, seed };
      const params = initParams(config);
      params.wO1!.assign(tf.zeros([16, 16]));
      const ids = randomIds(seed + 10, 2, 8);
      const expected = forward(params, config, ids).logits;
      const mistakes = oneLayerMistakes(params, ids);
      const got = oneLayerForward(params, config, ids);
      assertAllClose(got, expected, {
        atol: 1e-3,
        what: `logits of the one-layer model (init seed ${seed})`,
        mistakes,
      });
      tf.dispose([got, expected, ids, ...mistakes.map((m) => m.value)]);
      disposeParams(params);
    }
  },
));

Deno.test(exerciseCase(
  "oneLayerForward",
  "position t reads only z_1..z_t: changing a later token leaves earlier logits alone",
  () => {
    const params = initParams(small);
    const a = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], "int32");
    const b = tf.tensor2d([[1, 2, 3, 4, 5, 60]], [1, 6], "int32");
    const la = oneLayerForward(params, small, a);
    const lb = oneLayerForward(params, small, b);
    const early = (l: tf.Tensor3D) => l.slice([0, 0, 0], [1, 5, 65]);
    const [ea, eb] = [early(la), early(lb)];
    assertAllClose(eb, ea, {
      atol: 1e-4,
      what: "logits of positions 1..5 when only token 6 changes (is the attention causal?)",
    });
    tf.dispose([a, b, la, lb, ea, eb]);
    disposeParams(params);
  },
));

Deno.test(exerciseCase("oneLayerForward", "frees its intermediate tensors", async () => {
  const params = initParams(small);
  const ids = randomIds(2, 2, 8);
  const out = await assertNoLeak(() => oneLayerForward(params, small, ids), "oneLayerForward");
  tf.dispose([out, ids]);
  disposeParams(params);
}));

// ---------------------------------------------------------------- 9.2 mlp

Deno.test(exerciseCase("mlp", "a hand-computed case", () => {
  // h = [1, -2]; W1 = [[1, 0], [0, 1], [1, 1]] -> W1 h = [1, -2, -1], relu -> [1, 0, 0]
  // W2 = [[1, 2, 3], [4, 5, 6]] -> W2 [1, 0, 0] = [1, 4]
  const h = tf.tensor2d([[1, -2]]);
  const w1 = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
  const w2 = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const got = mlp(h, w1, w2);
  assertAllClose(got, [[1, 4]], {
    what: "mlp([1, -2])",
    mistakes: [
      { value: [[-4, -10]], means: "the ReLU is missing: W_2 relu(W_1 h)" },
      { value: [[2, 2]], means: "the residual is added: mlp returns W_2 relu(W_1 h) alone" },
    ],
  });
  tf.dispose([h, w1, w2, got]);
}));

Deno.test(exerciseCase("mlp", "shapes: [rows, d] through [hidden, d] and [d, hidden]", () => {
  const rng = new Rng(4);
  const h = tf.tensor2d(rng.normals(5 * 8), [5, 8]);
  const w1 = tf.tensor2d(rng.normals(32 * 8), [32, 8]);
  const w2 = tf.tensor2d(rng.normals(8 * 32), [8, 32]);
  const got = mlp(h, w1, w2);
  assertShape(got, [5, 8], "mlp(h) with d = 8, hidden = 32");
  tf.dispose([h, w1, w2, got]);
}));

Deno.test(exerciseCase(
  "mlp",
  "seeded: matches W_2 relu(W_1 h) row by row, and relu's kink",
  () => {
    const rng = new Rng(5);
    const [rows, d, hidden] = [6, 4, 16];
    const hv = rng.normals(rows * d);
    const w1v = rng.normals(hidden * d);
    const w2v = rng.normals(d * hidden);
    const expected: number[][] = [];
    const noRelu: number[][] = [];
    for (let r = 0; r < rows; r++) {
      const u = Array.from({ length: hidden }, (_, j) => {
        let s = 0;
        for (let i = 0; i < d; i++) s += w1v[j * d + i] * hv[r * d + i];
        return s;
      });
      const out = (f: (x: number) => number) =>
        Array.from({ length: d }, (_, i) => {
          let s = 0;
          for (let j = 0; j < hidden; j++) s += w2v[i * hidden + j] * f(u[j]);
          return s;
        });
      expected.push(out((x) => Math.max(x, 0)));
      noRelu.push(out((x) => x));
    }
    const [h, w1, w2] = [
      tf.tensor2d(hv, [rows, d]),
      tf.tensor2d(w1v, [hidden, d]),
      tf.tensor2d(w2v, [d, hidden]),
    ];
    const got = mlp(h, w1, w2);
    assertAllClose(got, expected, {
      atol: 1e-4,
      what: "mlp on 6 random rows",
      mistakes: [{ value: noRelu, means: "the ReLU is missing" }],
    });
    tf.dispose([h, w1, w2, got]);
  },
));

Deno.test(exerciseCase("mlp", "frees its intermediate tensors", async () => {
  const h = tf.ones([3, 4]) as tf.Tensor2D;
  const w1 = tf.ones([8, 4]) as tf.Tensor2D;
  const w2 = tf.ones([4, 8]) as tf.Tensor2D;
  const out = await assertNoLeak(() => mlp(h, w1, w2), "mlp");
  tf.dispose([h, w1, w2, out]);
}));

// ---------------------------------------------------------------- 9.3 layerNorm

Deno.test(exerciseCase("layerNorm", "a hand-computed row, with gain and bias", () => {
  // x = [1, 2, 3, 6]: mean 3, biased variance (4 + 1 + 0 + 9) / 4 = 3.5
  const x = tf.tensor2d([[1, 2, 3, 6]]);
  const g = tf.tensor1d([1, 2, 1, 1]);
  const b = tf.tensor1d([0, 0, 0, 1]);
  const got = layerNorm(x, g, b, 0);
  const s = Math.sqrt(3.5);
  const su = Math.sqrt(14 / 3); // the unbiased variance
  assertAllClose(got, [[-2 / s, -2 / s, 0, 3 / s + 1]], {
    what: "layerNorm([1, 2, 3, 6]) with gain [1, 2, 1, 1], bias [0, 0, 0, 1], eps 0",
    mistakes: [
      {
        value: [[-2 / su, -2 / su, 0, 3 / su + 1]],
        means: "the variance is divided by d - 1: LayerNorm uses the biased variance (divide by d)",
      },
      {
        value: [[-2 / 3.5, -4 / 3.5, 0, 3 / 3.5 + 1]],
        means: "divided by the variance, not by its square root (the standard deviation)",
      },
    ],
  });
  tf.dispose([x, g, b, got]);
}));

Deno.test(exerciseCase(
  "layerNorm",
  "seeded: each row has mean 0 and variance 1 with unit gain; eps inside the square root",
  () => {
    const rng = new Rng(6);
    const x = tf.tensor3d(rng.normals(2 * 3 * 8).map((v) => 5 * v + 3), [2, 3, 8]);
    const got = layerNorm(x, tf.ones([8]) as tf.Tensor1D, tf.zeros([8]) as tf.Tensor1D);
    assertShape(got, [2, 3, 8], "layerNorm of a [2, 3, 8] tensor");
    const { mean, variance } = tf.moments(got, -1);
    assertAllClose(mean, tf.zeros([2, 3]), {
      atol: 1e-4,
      what: "the mean of each row (normalise over the last axis)",
    });
    assertAllClose(variance, tf.ones([2, 3]), {
      atol: 1e-3,
      what: "the variance of each row (normalise over the last axis)",
    });
    // a constant row: variance 0, so only eps keeps it finite: (x - mean) / sqrt(0 + eps) = 0
    const flat = tf.fill([1, 4], 7) as tf.Tensor2D;
    const zero = layerNorm(flat, tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 1e-5);
    assertAllClose(zero, [[0, 0, 0, 0]], {
      what: "layerNorm of a constant row (is eps added inside the square root?)",
    });
    tf.dispose([x, got, mean, variance, flat, zero]);
  },
));

Deno.test(exerciseCase("layerNorm", "frees its intermediate tensors", async () => {
  const x = tf.ones([3, 4]);
  const g = tf.ones([4]) as tf.Tensor1D;
  const b = tf.zeros([4]) as tf.Tensor1D;
  const out = await assertNoLeak(() => layerNorm(x, g, b), "layerNorm");
  tf.dispose([x, g, b, out]);
}));

// ---------------------------------------------------------------- 9.4 splitHeads, mergeHeads

Deno.test(exerciseCase("splitHeads", "a hand-computed split: head h holds its own columns", () => {
  // one sequence of 2 positions, d = 4, 2 heads: head 0 = columns 0-1, head 1 = columns 2-3
  const x = tf.tensor3d([[[0, 1, 2, 3], [4, 5, 6, 7]]]);
  const got = splitHeads(x, 2);
  assertShape(got, [1, 2, 2, 2], "splitHeads of [1, 2, 4] into 2 heads");
  assertAllClose(got, [[[[0, 1], [4, 5]], [[2, 3], [6, 7]]]], {
    what: "splitHeads(x, 2)",
    mistakes: [{
      value: [[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]],
      means: "a reshape alone mixes positions into heads: reshape to [b, T, H, dh], then " +
        "transpose to [b, H, T, dh]",
    }],
  });
  tf.dispose([x, got]);
}));

Deno.test(exerciseCase("splitHeads", "d not divisible by the heads is an error", () => {
  const x = tf.zeros([1, 2, 6]) as tf.Tensor3D;
  let threw = false;
  try {
    splitHeads(x, 4).dispose();
  } catch (e) {
    threw = !(e instanceof Error && e.name === "NotImplementedError");
    if (!threw) throw e;
  }
  check(threw, "splitHeads(x with d = 6, 4 heads) should throw: 6 is not divisible by 4");
  x.dispose();
}));

Deno.test(exerciseCase("mergeHeads", "undoes splitHeads (seeded), and a hand case", () => {
  const rng = new Rng(7);
  const x = tf.tensor3d(rng.normals(2 * 5 * 12), [2, 5, 12]);
  const heads = splitHeads(x, 3);
  const back = mergeHeads(heads);
  assertShape(back, [2, 5, 12], "mergeHeads(splitHeads(x, 3))");
  assertArrayEqual(back, x, "mergeHeads(splitHeads(x, 3)), which should be x");
  const hand = mergeHeads(tf.tensor4d([[[[0, 1], [4, 5]], [[2, 3], [6, 7]]]]));
  assertAllClose(hand, [[[0, 1, 2, 3], [4, 5, 6, 7]]], {
    what: "mergeHeads of 2 heads of 2 positions",
    mistakes: [{
      value: [[[0, 1, 4, 5], [2, 3, 6, 7]]],
      means: "a reshape alone: transpose [b, H, T, dh] back to [b, T, H, dh] first",
    }],
  });
  tf.dispose([x, heads, back, hand]);
}));

Deno.test(exerciseCase("mergeHeads", "frees its intermediate tensors", async () => {
  const x = tf.ones([1, 3, 8]) as tf.Tensor3D;
  const s = await assertNoLeak(() => splitHeads(x, 2), "splitHeads");
  const m = await assertNoLeak(() => mergeHeads(s), "mergeHeads");
  tf.dispose([x, s, m]);
}));

// ---------------------------------------------------------------- 9.5 inductionScore

/** A uniform causal attention map `[1, 1, T, T]`. */
const uniform = (seq: number) =>
  tf.tensor4d(
    Array.from({ length: seq }, (_, t) =>
      Array.from({ length: seq }, (_, s) => (s <= t ? 1 / (t + 1) : 0))).flat(),
    [1, 1, seq, seq],
  );

Deno.test(exerciseCase("inductionScore", "a hand-computed sequence, three heads", () => {
  // z = a b a b (0 1 0 1). Queries with an earlier copy: t = 2 (a: after the a at 0 comes s = 1)
  // and t = 3 (b: after the b at 1 comes s = 2).
  const induction = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]];
  const onCopy = [[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0]]; // attends to the copy
  const previous = [[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]; // t -> t - 1
  const attn = tf.tensor4d([[induction, onCopy, previous]]);
  const got = inductionScore(attn, [[0, 1, 0, 1]]);
  check(Array.isArray(got) && got.length === 3, `expected 3 scores (one per head), got ${got}`);
  assertAllClose(got, [1, 0, 1], {
    what:
      "induction scores of an induction head, a head on the earlier copy, a previous-token head on a b a b",
    mistakes: [
      {
        value: [0, 1, 0],
        means: "you scored attention to the earlier copy itself (z_s = z_t); the induction head " +
          "attends to the token after it (z_{s-1} = z_t)",
      },
      {
        value: [0.5, 0, 0.5],
        means: "you averaged over every query; average over the queries that have an earlier copy",
      },
    ],
  });
  attn.dispose();
}));

Deno.test(exerciseCase("inductionScore", "no repeated token scores 0; uniform attention", () => {
  const none = uniform(4);
  const zero = inductionScore(none, [[0, 1, 2, 3]]);
  assertAllClose(zero, [0], { what: "the score when no token repeats (no query counts)" });
  // z = 5 5 5: t = 1 -> s in {1}; t = 2 -> s in {1, 2}. Uniform: 1/2 and 2/3, mean 7/12
  const u = uniform(3);
  const got = inductionScore(u, [[5, 5, 5]]);
  assertAllClose(got, [7 / 12], {
    what: "uniform attention on z = 5 5 5 (s = t counts when z_{t-1} = z_t)",
    mistakes: [1 / 3, 1 / 6].map((v) => ({
      value: [v],
      means: "s = t is left out: when z_{t-1} = z_t, position t itself follows an earlier copy",
    })),
  });
  tf.dispose([none, u]);
}));

Deno.test(exerciseCase(
  "inductionScore",
  "seeded: an exact induction map scores 1 over several sequences, shuffled heads follow",
  () => {
    const rng = new Rng(8);
    const [batch, seq] = [3, 12];
    const tokens = Array.from(
      { length: batch },
      () => Array.from({ length: seq }, () => rng.int(4)),
    );
    // head 0: all weight spread over the positions after earlier copies; head 1: uniform
    const maps: number[][][][] = tokens.map((z) => {
      const ind = Array.from({ length: seq }, (_, t) => {
        const row = new Array(seq).fill(0);
        const after = [];
        for (let s = 1; s <= t; s++) if (z[s - 1] === z[t]) after.push(s);
        if (after.length === 0) row[t] = 1;
        else for (const s of after) row[s] = 1 / after.length;
        return row;
      });
      const uni = Array.from(
        { length: seq },
        (_, t) => Array.from({ length: seq }, (_, s) => (s <= t ? 1 / (t + 1) : 0)),
      );
      return [ind, uni];
    });
    const attn = tf.tensor4d(maps);
    const [ind, uni] = inductionScore(attn, tokens);
    assertAllClose(ind, 1, { what: "the score of an exact induction head" });
    check(uni > 0 && uni < 0.6, `a uniform head should score well below 1, got ${uni}`);
    const swapped = tf.tensor4d(maps.map(([a, b]) => [b, a]));
    const [u2, i2] = inductionScore(swapped, tokens);
    assertAllClose([u2, i2], [uni, ind], { what: "the scores with the two heads swapped" });
    tf.dispose([attn, swapped]);
  },
));
