/**
 * Lesson 9: beyond the simplified model. A one-layer model (and why it stays at the plateau), the
 * feed-forward layer that stores the global bigrams, and the pieces of the authors' "full"
 * transformer that the library's `lib/model/full.ts` assembles from your code: layer
 * normalisation, the split into heads, and the induction score that finds the induction head
 * among its 8 heads (Bietti et al. 2023; spec §2.3).
 *
 * @example
 * ```ts
 * import { layerNorm } from "@exercises/09_beyond_simplified/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const y = layerNorm(tf.tensor2d([[1, 2, 3]]), tf.ones([3]), tf.zeros([3]));
 * y.arraySync(); // about [[-1.22, 0, 1.22]]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { checkInputs, type ModelConfig, need, type Params } from "@lib/model/mod.ts";

/**
 * Exercise 9.1. The logits of the **one-layer** model: one attention layer, read from
 * x_t = w_E(z_t) + p_t, with the matrices of the two-layer model's second layer,
 * ```
 * h_t = x_t + W_O2 Σ_{s≤t} β_{t,s} W_V2 x_s,   β_{t,·} = softmax_s(x_t · W_K2 x_s / √d)
 * logits_t = W_U h_t
 * ```
 * (no W_F). Matrices are in the math convention (`W[out][in]`).
 *
 * @param inputs Token ids, int32 `[batch, seq]`.
 * @returns The logits `[batch, seq, N]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { oneLayerForward } from "@exercises/09_beyond_simplified/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * oneLayerForward(initParams(config), config, tf.zeros([2, 8], "int32")).shape; // [2, 8, 65]
 * ```
 */
export function oneLayerForward(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
): tf.Tensor3D {
  // BEGIN SOLUTION
  checkInputs(inputs, config);
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  return tf.tidy(() => {
    const rows = (w: tf.Tensor2D, x: tf.Tensor2D) => tf.matMul(x, w, false, true); // x W^T
    const oneHot = tf.oneHot(inputs.reshape([-1]), n).toFloat() as tf.Tensor2D; // [rows, N]
    const x = tf.matMul(oneHot, need(params, "wE")).reshape([batch, seq, d])
      .add(need(params, "pos").slice([0, 0], [seq, d])) as tf.Tensor3D; // [batch, seq, d]
    const flat = x.reshape([-1, d]) as tf.Tensor2D;
    const keys = rows(need(params, "wK2"), flat).reshape([batch, seq, d]); // W_K2 x_s
    const scores = tf.matMul(x, keys, false, true).div(Math.sqrt(d)); // [batch, t, s]
    const future = tf.sub(1, tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0)).mul(-1e9);
    const beta = tf.softmax(scores.add(future)) as tf.Tensor3D;
    const values = rows(need(params, "wV2"), flat).reshape([batch, seq, d]) as tf.Tensor3D;
    const mixed = tf.matMul(beta, values).reshape([-1, d]) as tf.Tensor2D;
    const h = flat.add(rows(need(params, "wO2"), mixed)) as tf.Tensor2D; // x + W_O2 Σ β W_V2 x
    return rows(need(params, "wU"), h).reshape([batch, seq, n]) as tf.Tensor3D;
  });
  // END SOLUTION
}

/**
 * Exercise 9.2. The ReLU feed-forward layer (an MLP) on rows h `[rows, d]`:
 * W_2 relu(W_1 h), with W_1 `[hidden, d]` and W_2 `[d, hidden]` in the math convention
 * (`W[out][in]`; the authors use hidden = 4d and no biases here). The caller adds the residual.
 * The full transformer's MLP, and the non-linear W_F of the simplified model.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mlp } from "@exercises/09_beyond_simplified/exercises.ts";
 * const h = tf.tensor2d([[1, -1]]);
 * mlp(h, tf.eye(2), tf.eye(2)).arraySync(); // [[1, 0]]
 * ```
 */
export function mlp(h: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D): tf.Tensor2D {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const hidden = tf.relu(tf.matMul(h, w1, false, true)); // [rows, hidden]: relu(W_1 h)
    return tf.matMul(hidden, w2, false, true) as tf.Tensor2D; // [rows, d]: W_2 relu(W_1 h)
  });
  // END SOLUTION
}

/**
 * Exercise 9.3. Layer normalisation over the last axis, as PyTorch's `nn.LayerNorm`:
 * y = (x - mean) / sqrt(var + eps) * gain + bias, with the mean and the **biased** variance
 * (divide by d) of each row.
 *
 * @param x `[..., d]`.
 * @param gain `[d]`.
 * @param bias `[d]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { layerNorm } from "@exercises/09_beyond_simplified/exercises.ts";
 * layerNorm(tf.tensor2d([[2, 2]]), tf.ones([2]), tf.zeros([2])).arraySync(); // [[0, 0]]
 * ```
 */
export function layerNorm<T extends tf.Tensor>(
  x: T,
  gain: tf.Tensor1D,
  bias: tf.Tensor1D,
  eps = 1e-5,
): T {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).div(tf.sqrt(variance.add(eps))).mul(gain).add(bias) as T;
  });
  // END SOLUTION
}

/**
 * Exercise 9.4. Splits the model dimension into `heads` heads: x `[batch, seq, d]` to
 * `[batch, heads, seq, d / heads]`, head h holding the columns h·d/H .. (h+1)·d/H - 1.
 * `mergeHeads` undoes it. d not divisible by `heads` is an error.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { splitHeads } from "@exercises/09_beyond_simplified/exercises.ts";
 * splitHeads(tf.zeros([2, 5, 8]) as tf.Tensor3D, 4).shape; // [2, 4, 5, 2]
 * ```
 */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D {
  // BEGIN SOLUTION
  const [batch, seq, d] = x.shape;
  if (!Number.isInteger(heads) || heads < 1 || d % heads !== 0) {
    throw new Error(`splitHeads: d = ${d} is not divisible by ${heads} heads`);
  }
  return tf.tidy(() =>
    x.reshape([batch, seq, heads, d / heads]).transpose([0, 2, 1, 3]) as tf.Tensor4D
  );
  // END SOLUTION
}

/**
 * Exercise 9.4. The inverse of {@linkcode splitHeads}: `[batch, heads, seq, dh]` to
 * `[batch, seq, heads * dh]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { mergeHeads } from "@exercises/09_beyond_simplified/exercises.ts";
 * mergeHeads(tf.zeros([2, 4, 5, 2]) as tf.Tensor4D).shape; // [2, 5, 8]
 * ```
 */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor3D {
  // BEGIN SOLUTION
  const [batch, heads, seq, dh] = x.shape;
  return tf.tidy(() => x.transpose([0, 2, 1, 3]).reshape([batch, seq, heads * dh]) as tf.Tensor3D);
  // END SOLUTION
}

/**
 * Exercise 9.5. The induction score of each head: how much attention goes, from a position t,
 * to the positions s whose **previous** token is the current one (z_{s-1} = z_t, 1 <= s <= t):
 * the tokens that followed an earlier copy of z_t. Averaged over the (sequence, t) pairs that
 * have at least one such s; a head with no such pair scores 0.
 *
 * @param attn Attention weights `[batch, heads, seq, seq]` (rows: queries t, columns: keys s).
 * @param tokens The input tokens z, `[batch][seq]`.
 * @returns One score per head, in [0, 1].
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inductionScore } from "@exercises/09_beyond_simplified/exercises.ts";
 * // z = a b a: at t = 2 (a), the token after the earlier a is at s = 1
 * const attn = tf.tensor4d([[[[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0]]]]);
 * inductionScore(attn, [[0, 1, 0]]); // [1]
 * ```
 */
export function inductionScore(attn: tf.Tensor4D, tokens: number[][]): number[] {
  // BEGIN SOLUTION
  const [batch, heads, seq] = attn.shape;
  const a = attn.dataSync();
  const sum = new Array(heads).fill(0);
  let count = 0;
  for (let b = 0; b < batch; b++) {
    const z = tokens[b];
    for (let t = 1; t < seq; t++) {
      const after: number[] = [];
      for (let s = 1; s <= t; s++) if (z[s - 1] === z[t]) after.push(s);
      if (after.length === 0) continue;
      count++;
      for (let h = 0; h < heads; h++) {
        const row = ((b * heads + h) * seq + t) * seq;
        for (const s of after) sum[h] += a[row + s];
      }
    }
  }
  return sum.map((x) => (count === 0 ? 0 : x / count));
  // END SOLUTION
}
