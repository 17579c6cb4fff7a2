/**
 * Lesson 2: causal self-attention as the simplified transformer of Bietti et al. (2023) writes
 * it (section 2.1 of the spec): the query matrix is the identity, so
 * score_{t,s} = x_t · (W_K x_s) / √d, position t sees keys s ≤ t (itself included), and the
 * output is W_O Σ_s β_{t,s} W_V x_s. Then a hand-built previous-token head,
 * W_K = Σ_t p_t p_{t-1}^T, and a measure of how sharply it attends to t - 1.
 *
 * Every function works on a batch, `[batch, seq, dim]`, with TensorFlow.js ops only, and is
 * differentiable (lessons 4 and 5 train through it).
 *
 * @example
 * ```ts
 * import { attention, previousTokenKey, randomPositions } from "@exercises/02_attention/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const pos = randomPositions(new Rng(0), 16, 64); // [seq, dim]
 * const eye = tf.eye(64) as tf.Tensor2D;
 * const { weights } = attention(pos.expandDims(0) as tf.Tensor3D, previousTokenKey(pos), eye, eye);
 * weights.shape; // [1, 16, 16]; row t puts almost all its weight on t - 1
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "@lib/rng/mod.ts";

/** What {@linkcode attention} and {@linkcode residualAttention} return. */
export interface AttentionResult {
  /** The block's output, `[batch, seq, dim]`. */
  output: tf.Tensor3D;
  /** β: the attention weights, `[batch, seq(queries), seq(keys)]`; each row sums to 1. */
  weights: tf.Tensor3D;
}

/** Options of {@linkcode attention}. */
export interface AttentionOptions {
  /**
   * Where the queries come from, `[batch, seq, dim]` (default: `x` itself, self-attention).
   * Keys and values always come from `x`.
   */
  queries?: tf.Tensor3D;
}

/** How sharply a head attends to the previous position (see {@linkcode previousTokenSharpness}). */
export interface Sharpness {
  /** The mean of β_{t,t-1} over queries t = 1..T-1 and the batch. */
  meanWeight: number;
  /** The fraction of those queries whose largest weight is on key t - 1. */
  accuracy: number;
}

/**
 * Random positional embeddings p_0 .. p_{T-1}, one row each, with N(0, std²) entries. The
 * paper's code uses `torch.randn`, i.e. std = 1, so that ‖p_t‖ ≈ √d. (Provided.)
 *
 * @param rng The seeded generator.
 * @param seqLen T, the number of positions.
 * @param dim d.
 * @param std The entries' standard deviation (default 1).
 * @returns `[seq, dim]`.
 *
 * @example
 * ```ts
 * import { randomPositions } from "@exercises/02_attention/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * randomPositions(new Rng(1), 8, 32).shape; // [8, 32]
 * ```
 */
export function randomPositions(rng: Rng, seqLen: number, dim: number, std = 1): tf.Tensor2D {
  return tf.tensor2d(rng.normals(seqLen * dim, std), [seqLen, dim]);
}

/**
 * Exercise 2.1. Attention scores with the paper's convention (no query matrix):
 * score_{t,s} = q_t · (W_K x_s) / √d, where q_t = x_t unless other queries are given.
 *
 * @param x `[batch, seq, dim]`: the keys' inputs x_s (and the queries by default).
 * @param wK `[dim, dim]`: W_K, applied to the key, W_K x_s.
 * @param queries `[batch, seq, dim]`: the queries q_t (default `x`).
 * @returns `[batch, seq, seq]`: scores[b][t][s], query t in rows, key s in columns. No mask.
 *
 * @example
 * ```ts
 * import { attentionScores } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const x = tf.tensor3d([[[1, 0], [0, 1]]]); // [1, 2, 2]
 * const wK = tf.tensor2d([[0, 2], [0, 0]]); // W_K x_1 = [2, 0]
 * attentionScores(x, wK).arraySync(); // [[[0, 1.414], [0, 0]]]
 * ```
 */
export function attentionScores(
  x: tf.Tensor3D,
  wK: tf.Tensor2D,
  queries: tf.Tensor3D = x,
): tf.Tensor3D {
  requireShape("attentionScores", "wK", wK, [x.shape[2], x.shape[2]]);
  requireShape("attentionScores", "queries", queries, x.shape);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const [batch, seq, dim] = x.shape;
    // keys k_s = W_K x_s, for all rows at once: [batch * seq, dim] @ W_K^T.
    const keys = tf.matMul(x.reshape([batch * seq, dim]), tf.transpose(wK))
      .reshape([batch, seq, dim]); // [batch, seq, dim]
    const scores = tf.matMul(queries, keys, false, true); // q_t · k_s: [batch, seq, seq]
    return tf.div(scores, Math.sqrt(dim)) as tf.Tensor3D;
  });
  // END SOLUTION
}

/**
 * Exercise 2.2. The causal mask: key s is visible to query t only when s ≤ t (a position sees
 * itself). Entries above the diagonal (s > t) become -Infinity, so that softmax gives them
 * weight 0; the others are unchanged.
 *
 * @param scores `[batch, seq, seq]`.
 * @returns `[batch, seq, seq]`, with -Infinity where s > t.
 *
 * @example
 * ```ts
 * import { causalMask } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * causalMask(tf.tensor3d([[[1, 2], [3, 4]]])).arraySync(); // [[[1, -Infinity], [3, 4]]]
 * ```
 */
export function causalMask(scores: tf.Tensor3D): tf.Tensor3D {
  requireRank("causalMask", "scores", scores, 3);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const [, queries, keys] = scores.shape;
    const t = tf.range(0, queries, 1, "int32").reshape([queries, 1]);
    const s = tf.range(0, keys, 1, "int32").reshape([1, keys]);
    const visible = tf.greaterEqual(t, s); // [seq, seq]: true where s <= t
    return tf.where(visible, scores, tf.fill(scores.shape, -Infinity)) as tf.Tensor3D;
  });
  // END SOLUTION
}

/**
 * Exercise 2.3. A numerically stable softmax over the last axis (over the keys s, for each
 * query t): subtract each row's maximum before `exp`, so that scores of 1e4 give no Infinity
 * and no NaN. -Infinity entries get weight 0. (Each row needs at least one finite entry.)
 *
 * @param scores `[batch, seq, seq]`.
 * @returns `[batch, seq, seq]`, non-negative, each row summing to 1.
 *
 * @example
 * ```ts
 * import { softmaxLastAxis } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * softmaxLastAxis(tf.tensor3d([[[0, Math.log(3)], [1e4, 0]]])).arraySync();
 * // [[[0.25, 0.75], [1, 0]]]
 * ```
 */
export function softmaxLastAxis(scores: tf.Tensor3D): tf.Tensor3D {
  requireRank("softmaxLastAxis", "scores", scores, 3);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const shifted = tf.sub(scores, tf.max(scores, -1, true)); // every row's max is now 0
    const e = tf.exp(shifted); // in (0, 1]; exp(-Infinity) = 0
    return tf.div(e, tf.sum(e, -1, true)) as tf.Tensor3D;
  });
  // END SOLUTION
}

/**
 * Exercise 2.4. One causal attention head:
 * output_t = W_O Σ_{s ≤ t} β_{t,s} W_V x_s with β_{t,·} = softmax_s(q_t · (W_K x_s) / √d).
 * Use your three functions above.
 *
 * @param x `[batch, seq, dim]`: keys and values (and queries, by default).
 * @param wK `[dim, dim]`: W_K.
 * @param wV `[dim, dim]`: W_V (a `[dimV, dim]` matrix works too).
 * @param wO `[dim, dim]`: W_O (`[dimOut, dimV]` in general).
 * @param options `queries`: other queries, `[batch, seq, dim]`.
 * @returns The output `[batch, seq, dim]` and the weights β `[batch, seq, seq]`.
 *
 * @example
 * ```ts
 * import { attention } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const x = tf.randomNormal([2, 5, 8]) as tf.Tensor3D;
 * const eye = tf.eye(8) as tf.Tensor2D;
 * const { output, weights } = attention(x, eye, eye, eye);
 * output.shape; // [2, 5, 8]; weights.shape: [2, 5, 5]
 * ```
 */
export function attention(
  x: tf.Tensor3D,
  wK: tf.Tensor2D,
  wV: tf.Tensor2D,
  wO: tf.Tensor2D,
  options: AttentionOptions = {},
): AttentionResult {
  requireRank("attention", "x", x, 3);
  requireShape("attention", "wV", wV, [wV.shape[0], x.shape[2]]);
  requireShape("attention", "wO", wO, [wO.shape[0], wV.shape[0]]);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const [batch, seq, dim] = x.shape;
    const weights = softmaxLastAxis(causalMask(attentionScores(x, wK, options.queries)));
    // values W_V x_s as one 2-D matmul: [batch * seq, dim] @ W_V^T -> [batch, seq, dimV]
    const values = tf.matMul(x.reshape([batch * seq, dim]), tf.transpose(wV))
      .reshape([batch, seq, wV.shape[0]]) as tf.Tensor3D;
    const mixed = tf.matMul(weights, values); // Σ_s β_{t,s} W_V x_s: [batch, seq, dimV]
    const output = tf.matMul(mixed.reshape([batch * seq, wV.shape[0]]), tf.transpose(wO))
      .reshape([batch, seq, wO.shape[0]]) as tf.Tensor3D; // W_O (...): [batch, seq, dimOut]
    return { output, weights };
  });
  // END SOLUTION
}

/**
 * Exercise 2.5. A residual attention block, as in the paper's simplified model:
 * h_t = x_t + attention(x)_t (no LayerNorm, no MLP).
 *
 * @param x `[batch, seq, dim]`.
 * @param wK `[dim, dim]`.
 * @param wV `[dim, dim]`.
 * @param wO `[dim, dim]`.
 * @returns The output x + attention output, `[batch, seq, dim]`, and the weights `[batch, seq, seq]`.
 *
 * @example
 * ```ts
 * import { residualAttention } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const x = tf.randomNormal([1, 4, 8]) as tf.Tensor3D;
 * const eye = tf.eye(8) as tf.Tensor2D;
 * residualAttention(x, eye, eye, tf.zeros([8, 8])).output; // equals x: W_O = 0 adds nothing
 * ```
 */
export function residualAttention(
  x: tf.Tensor3D,
  wK: tf.Tensor2D,
  wV: tf.Tensor2D,
  wO: tf.Tensor2D,
): AttentionResult {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const { output, weights } = attention(x, wK, wV, wO);
    return { output: tf.add(x, output) as tf.Tensor3D, weights };
  });
  // END SOLUTION
}

/**
 * Exercise 2.6. The ideal previous-token key matrix W_K^1 = Σ_{t=1}^{T-1} p_t p_{t-1}^T: an
 * associative memory that maps the key embedding p_{t-1} onto the query embedding p_t, so that
 * query t scores key t - 1 highest.
 *
 * @param pos `[seq, dim]`: the positional embeddings p_0 .. p_{T-1}, one per row.
 * @returns `[dim, dim]`.
 *
 * @example
 * ```ts
 * import { previousTokenKey } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * previousTokenKey(tf.eye(3) as tf.Tensor2D).arraySync(); // [[0, 0, 0], [1, 0, 0], [0, 1, 0]]
 * ```
 */
export function previousTokenKey(pos: tf.Tensor2D): tf.Tensor2D {
  requireRank("previousTokenKey", "pos", pos, 2);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const [seq, dim] = pos.shape;
    const queries = pos.slice([1, 0], [seq - 1, dim]); // p_1 .. p_{T-1}: [seq - 1, dim]
    const keys = pos.slice([0, 0], [seq - 1, dim]); // p_0 .. p_{T-2}: [seq - 1, dim]
    return tf.matMul(tf.transpose(queries), keys); // Σ_t p_t p_{t-1}^T: [dim, dim]
  });
  // END SOLUTION
}

/**
 * Exercise 2.6. How sharp is a previous-token head? Over the queries t = 1..T-1 of every
 * sequence (position 0 has no previous token), the mean weight β_{t,t-1} and the fraction of
 * queries whose largest weight is on key t - 1.
 *
 * @param weights `[batch, seq, seq]` attention weights.
 * @returns `{ meanWeight, accuracy }`, both in [0, 1].
 *
 * @example
 * ```ts
 * import { previousTokenSharpness } from "@exercises/02_attention/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * previousTokenSharpness(tf.tensor3d([[[1, 0, 0], [0.8, 0.2, 0], [0.1, 0.6, 0.3]]]));
 * // { meanWeight: 0.7, accuracy: 1 }
 * ```
 */
export function previousTokenSharpness(weights: tf.Tensor3D): Sharpness {
  requireRank("previousTokenSharpness", "weights", weights, 3);
  // BEGIN SOLUTION
  const [meanWeight, accuracy] = tf.tidy(() => {
    const [batch, seq] = weights.shape;
    const rows = weights.slice([0, 1, 0], [batch, seq - 1, seq]); // queries 1..T-1
    const previous = tf.range(0, seq - 1, 1, "int32"); // key t - 1 for each of those rows
    const onPrevious = tf.sum(tf.mul(rows, tf.oneHot(previous, seq)), -1); // [batch, seq - 1]
    const hits = tf.cast(tf.equal(tf.argMax(rows, -1), previous), "float32");
    return [tf.mean(onPrevious), tf.mean(hits)];
  }).map((t) => {
    const v = t.dataSync()[0];
    t.dispose();
    return v;
  });
  return { meanWeight, accuracy };
  // END SOLUTION
}

/** Throws a clear error unless `t` has `rank` axes. */
function requireRank(fn: string, name: string, t: tf.Tensor, rank: number): void {
  if (!(t instanceof tf.Tensor)) {
    throw new Error(`${fn}: \`${name}\` should be a tensor, got ${typeof t}`);
  }
  if (t.rank !== rank) {
    throw new Error(
      `${fn}: \`${name}\` should have ${rank} axes but has shape [${t.shape.join(", ")}]`,
    );
  }
}

/** Throws a clear error unless `t` has exactly `shape`. */
function requireShape(
  fn: string,
  name: string,
  t: tf.Tensor,
  shape: readonly number[],
): void {
  requireRank(fn, name, t, shape.length);
  if (t.shape.some((n, i) => n !== shape[i])) {
    throw new Error(
      `${fn}: \`${name}\` should have shape [${shape.join(", ")}] but has shape [${
        t.shape.join(", ")
      }]`,
    );
  }
}
