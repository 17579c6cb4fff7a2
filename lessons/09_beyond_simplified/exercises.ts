// Your exercise file for lesson 9: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 9`; `deno task lesson 9 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/09_beyond_simplified/exercises.ts by `deno task stubs`.)

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
import { notImplemented } from "@lib/testing/mod.ts";
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
  throw notImplemented("oneLayerForward");
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
  throw notImplemented("mlp");
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
  throw notImplemented("layerNorm");
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
  throw notImplemented("splitHeads");
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
  throw notImplemented("mergeHeads");
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
  throw notImplemented("inductionScore");
}
