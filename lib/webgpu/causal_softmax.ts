/**
 * The attention weights of one causal layer written with plain TensorFlow.js ops: the
 * composition that lesson 6's fused WGSL kernel replaces, and the reference it is checked
 * against on the same backend.
 *
 * For queries q and keys k (`[batch, seq, dim]`, one row per position):
 * ```
 * A_{t,s} = softmax_s( q_t · k_s / √dim )  over s <= t,   A_{t,s} = 0 for s > t
 * ```
 * which is four kernels (a batched matmul, a scale, the mask, a softmax) and as many trips
 * through memory for the `[batch, seq, seq]` scores.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSoftmaxComposed } from "@lib/webgpu/causal_softmax.ts";
 * const q = tf.ones([1, 3, 4]) as tf.Tensor3D;
 * causalSoftmaxComposed(q, q).arraySync()[0][2]; // [1/3, 1/3, 1/3]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { causalMaskBias } from "@lib/model/mod.ts";

/**
 * softmax_s(q_t · k_s / √dim) over s <= t, zero above the diagonal: `[batch, seq, seq]`.
 *
 * @param q Queries `[batch, seq, dim]`.
 * @param k Keys `[batch, seq, dim]`.
 * @param mask The additive causal mask `[seq, seq]` (0 on and below the diagonal, -1e9 above);
 *   built here when not given. Pass one built once per forward pass to save its kernels.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSoftmaxComposed } from "@lib/webgpu/causal_softmax.ts";
 * const a = causalSoftmaxComposed(tf.ones([2, 5, 8]), tf.ones([2, 5, 8]));
 * a.shape; // [2, 5, 5]
 * ```
 */
export function causalSoftmaxComposed(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  mask?: tf.Tensor2D,
): tf.Tensor3D {
  checkQK("causalSoftmaxComposed", q, k);
  return tf.tidy(() => {
    const [, seq, dim] = q.shape;
    const scores = tf.matMul(q, k, false, true).div(Math.sqrt(dim)); // [batch, t, s]
    return tf.softmax(scores.add(mask ?? causalMaskBias(seq))) as tf.Tensor3D;
  });
}

/**
 * The gradient of {@linkcode causalSoftmaxComposed} with respect to the unscaled scores
 * S = q kᵀ, given the weights A and dL/dA:
 * ```
 * dS_{t,s} = A_{t,s} (dA_{t,s} − Σ_{s'} dA_{t,s'} A_{t,s'}) / √dim
 * ```
 * (masked entries have A = 0, so their gradient is 0). Then dL/dq = dS k and dL/dk = dSᵀ q.
 *
 * @param attn The weights A `[batch, seq, seq]`.
 * @param dAttn dL/dA, the same shape.
 * @param dim The width the scores were scaled by.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSoftmaxGradComposed } from "@lib/webgpu/causal_softmax.ts";
 * const a = tf.tensor3d([[[1, 0], [0.5, 0.5]]]);
 * causalSoftmaxGradComposed(a, tf.tensor3d([[[1, 0], [1, 0]]]), 4).arraySync();
 * // [[[0, 0], [0.125, -0.125]]]
 * ```
 */
export function causalSoftmaxGradComposed(
  attn: tf.Tensor3D,
  dAttn: tf.Tensor3D,
  dim: number,
): tf.Tensor3D {
  return tf.tidy(() => {
    const rowDot = attn.mul(dAttn).sum(-1, true); // [batch, seq, 1]: Σ_s dA A
    return attn.mul(dAttn.sub(rowDot)).div(Math.sqrt(dim)) as tf.Tensor3D;
  });
}

/**
 * Checks that q and k are `[batch, seq, dim]` tensors of the same shape, with a clear message.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkQK } from "@lib/webgpu/causal_softmax.ts";
 * checkQK("myOp", tf.zeros([1, 2, 4]), tf.zeros([1, 2, 4])); // ok
 * ```
 */
export function checkQK(op: string, q: tf.Tensor, k: tf.Tensor): void {
  if (!(q instanceof tf.Tensor) || !(k instanceof tf.Tensor) || q.rank !== 3 || k.rank !== 3) {
    throw new Error(`${op}: q and k must be 3-D tensors [batch, seq, dim]`);
  }
  if (q.shape.join() !== k.shape.join()) {
    throw new Error(`${op}: q has shape [${q.shape}] but k has [${k.shape}]; they must match`);
  }
}
