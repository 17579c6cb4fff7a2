// Your exercise file for lesson 5: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 5`; `deno task lesson 5 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/05_training/exercises.ts by `deno task stubs`.)

/**
 * Lesson 5: training the two-layer model of lesson 4 on the data of lesson 1, and reading its
 * weights with the paper's memory-recall probes (Bietti et al. 2023, sections 5-6, Figure 3).
 *
 * The library trainer (`lib/train/`) runs these same functions: the loss, the optimizer update,
 * the training step and the freezing schedule. It has no copy of them: `deno task demo 5`,
 * `deno task train` and lesson 6 pass them in (`trainerParts` in `lib/train/parts.ts`).
 *
 * @example
 * ```ts
 * import { maskedCrossEntropy } from "@exercises/05_training/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const logits = tf.zeros([1, 2, 4]) as tf.Tensor3D;
 * const loss = maskedCrossEntropy(logits, tf.tensor2d([[0, 1]], [1, 2], "int32"), tf.tensor2d([[1, 0]]));
 * loss.dataSync()[0]; // log 4 = 1.386...
 * ```
 * @module
 */
import { notImplemented } from "@lib/testing/mod.ts";
import * as tf from "@tensorflow/tfjs";
import { forward, type ModelConfig, need, type ParamName, type Params } from "@lib/model/mod.ts";
import type { FreezeRule } from "@lib/train/config.ts";
import type { SgdOptions } from "@lib/train/optimizer.ts";
import type { StepOptions } from "@lib/train/parts.ts";

/** The tensors of a lesson-1 `Batch` that a training step reads. */
export interface StepBatch {
  /** z_1 .. z_T, int32 `[batch, seq]`. */
  inputs: tf.Tensor2D;
  /** z_2 .. z_{T+1}, int32 `[batch, seq]`. */
  targets: tf.Tensor2D;
  /** 1 where the target is in-context (label >= 2), else 0; float32 `[batch, seq]`. */
  inContextMask: tf.Tensor2D;
}

/**
 * The SGD hyperparameters eta, mu, lambda, and what {@linkcode trainingStep} needs besides the
 * model and the batch (the trainable matrices, the loss, the optimizer): both defined where the
 * trainer uses them, in `lib/train`.
 */
export type { SgdOptions, StepOptions };

/**
 * Exercise 5.1. Mean cross-entropy over the positions where `mask` is 1:
 * L = sum_{b,t} m_{b,t} * (logsumexp(logits_{b,t}) - logits_{b,t,y_{b,t}}) / max(sum m, 1).
 *
 * @param logits `[batch, seq, N]` unnormalised scores.
 * @param targets `[batch, seq]` int32 token ids y.
 * @param mask `[batch, seq]` float32 weights m (1 = counts, 0 = ignored).
 * @returns A scalar tensor (keep it on the device: no `dataSync`).
 *
 * @example
 * ```ts
 * import { maskedCrossEntropy } from "@exercises/05_training/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const l = maskedCrossEntropy(tf.zeros([1, 1, 65]), tf.zeros([1, 1], "int32"), tf.ones([1, 1]));
 * // l is log 65 = 4.17: uniform logits
 * ```
 */
export function maskedCrossEntropy(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Scalar {
  throw notImplemented("maskedCrossEntropy");
}

/**
 * Exercise 5.2. One step of SGD with momentum and weight decay, as PyTorch (and the paper's
 * code) does it, updating `param` and `velocity` in place with `assign`:
 *
 *   g = grad + lambda * W;   v = mu * v + g;   W = W - eta * v
 *
 * @param param The matrix W (a `tf.Variable`).
 * @param grad dL/dW, the same shape.
 * @param velocity The momentum buffer v (a `tf.Variable`, zeros before the first step).
 * @param options eta, mu, lambda.
 *
 * @example
 * ```ts
 * import { sgdMomentumUpdate } from "@exercises/05_training/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const w = tf.variable(tf.tensor1d([1])), v = tf.variable(tf.tensor1d([0]));
 * sgdMomentumUpdate(w, tf.tensor1d([2]), v, { lr: 0.1, momentum: 0.9, weightDecay: 0 });
 * // w is now [0.8], v is [2]
 * ```
 */
export function sgdMomentumUpdate(
  param: tf.Variable,
  grad: tf.Tensor,
  velocity: tf.Variable,
  options: SgdOptions,
): void {
  throw notImplemented("sgdMomentumUpdate");
}

/**
 * Exercise 5.3. One training step: the forward pass of lesson 4 (`forward` from
 * `@lib/model/mod.ts`), the loss of Exercise 5.1 on the in-context mask (or on every target),
 * the gradients of the trainable matrices only (`tf.variableGrads(f, varList)`), and
 * `options.optimizer.update(params, grads)`. Frees every tensor it makes except the loss.
 * Passing the loss's mask to the forward pass (`forward(..., { lossRows: mask })`) makes it
 * compute the second layer's queries and the output only where the loss reads: the same loss
 * and gradients, a third less work on the `cpu` preset (optional: correct without it).
 *
 * @returns The loss on this batch before the update, a scalar tensor the caller disposes.
 *
 * @example
 * ```ts
 * import { trainingStep } from "@exercises/05_training/exercises.ts";
 * // const loss = trainingStep(params, modelConfig, batch,
 * //   { trainable: ["wK1", "wK2", "wO2"], loss: "inContext", optimizer });
 * ```
 */
export function trainingStep(
  params: Params,
  config: ModelConfig,
  batch: StepBatch,
  options: StepOptions,
): tf.Scalar {
  throw notImplemented("trainingStep");
}

/**
 * The fraction of rows of `scores` whose largest entry sits at the column `correct[row]`:
 * top-1 recall, R = (1/n) sum_i 1[argmax_j scores_{i,j} = correct_i]. Provided.
 *
 * @param scores `[n, candidates]`.
 * @param correct `[n]` the right column of each row.
 *
 * @example
 * ```ts
 * import { top1Recall } from "@exercises/05_training/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * top1Recall(tf.tensor2d([[3, 1], [0, 2]]), [0, 0]); // 0.5
 * ```
 */
export function top1Recall(scores: tf.Tensor2D, correct: number[]): number {
  if (scores.shape[0] !== correct.length) {
    throw new Error(`top1Recall: ${scores.shape[0]} rows of scores but ${correct.length} answers`);
  }
  const argmax = tf.argMax(scores, 1); // [n]
  const best = argmax.dataSync();
  argmax.dispose();
  let hits = 0;
  for (let i = 0; i < correct.length; i++) if (best[i] === correct[i]) hits++;
  return hits / correct.length;
}

/**
 * Exercise 5.4. The W_O^2 probe (the authors' `wo1_acc`): does the output matrix copy?
 * For every token k, feed W_V^2 w_E(k) through W_O^2 and read it with the unembedding:
 * correct when argmax_j w_U(j)^T W_O^2 W_V^2 w_E(k) = k. Averaged over all N tokens.
 *
 * Math convention: a memory maps u to W u, so with row-vector embeddings (`wE` is `[N, d]`,
 * one w_E(k) per row) the product W u for every k at once is `wE @ W^T`.
 *
 * @example
 * ```ts
 * import { probeWO2 } from "@exercises/05_training/exercises.ts";
 * // probeWO2(params); // about 1/65 at random init, 1 for the hand-wired model
 * ```
 */
export function probeWO2(params: Params): number {
  throw notImplemented("probeWO2");
}

/**
 * Exercise 5.4. The W_K^2 probe (`wk1_acc`): does the induction head's key matrix match a
 * query token k with the key "k was the previous token", w_1(k) = W_O^1 W_V^1 w_E(k)?
 * Over a token set S (the fixed triggers, or all N tokens when `triggers` is null):
 * correct when argmax_{j in S} w_E(k)^T W_K^2 W_O^1 W_V^1 w_E(j) = k, averaged over k in S.
 *
 * @param triggers The fixed trigger ids, or null for all tokens.
 *
 * @example
 * ```ts
 * import { probeWK2 } from "@exercises/05_training/exercises.ts";
 * // probeWK2(params, [1, 43, 58, 53, 39]); // the top-5 triggers ' ', e, t, o, a
 * ```
 */
export function probeWK2(params: Params, triggers: number[] | null): number {
  throw notImplemented("probeWK2");
}

/**
 * Exercise 5.5. The W_K^1 probe (`wk0_acc`, and `wk0_64_acc` with `cutoff` 64): does the
 * previous-token head's key matrix send position t to t - 1? With the first L positions
 * (L = min(cutoff, number of positions), or all of them), queries p_t for t = 1..L-1 and keys
 * W_K^1 p_s for s = 0..L-2, **no causal mask**: correct when argmax_s p_t^T W_K^1 p_s = t - 1,
 * averaged over the L - 1 queries.
 *
 * @param cutoff Use only positions < cutoff (the paper's "t < 64" curve).
 *
 * @example
 * ```ts
 * import { probeWK1 } from "@exercises/05_training/exercises.ts";
 * // probeWK1(params); probeWK1(params, 64);
 * ```
 */
export function probeWK1(params: Params, cutoff?: number): number {
  throw notImplemented("probeWK1");
}

/**
 * Exercise 5.5. The W_F probe (`ff1_loss`), for models with a final linear layer: how far is the
 * model's global bigram from the true one? For each token i not in `exclude` (the fixed
 * triggers), q(.|i) = softmax(W_U W_F w_E(i)) (only the W_F path, no residual), and the probe is
 * the mean over those i of KL(pi_b(.|i) || q(.|i)) = sum_j pi_b(j|i) (log pi_b(j|i) - log q(j|i)),
 * with 0 log 0 = 0. Lower is better; 0 is a perfect bigram memory.
 *
 * @param bigram `[N, N]` pi_b, rows summing to 1.
 * @param exclude Tokens left out (the fixed triggers, whose next token is not a bigram).
 *
 * @example
 * ```ts
 * import { probeWF } from "@exercises/05_training/exercises.ts";
 * // probeWF(params, loadStats().bigram, [1, 43, 58, 53, 39]); // about 2.4 nats at a random init
 * ```
 */
export function probeWF(params: Params, bigram: number[][], exclude: number[] = []): number {
  throw notImplemented("probeWF");
}

/**
 * Exercise 5.6. The freezing schedule of Figure 3: the matrices that train at `step`, i.e. those
 * of `trainable` that no rule holds frozen (a rule freezes its matrix while step < untilStep).
 * Keep the order of `trainable`.
 *
 * @example
 * ```ts
 * import { trainableAt } from "@exercises/05_training/exercises.ts";
 * const freeze = [{ param: "wK1" as const, untilStep: 300 }];
 * trainableAt(0, ["wK1", "wK2", "wO2"], freeze); // ["wK2", "wO2"]
 * trainableAt(300, ["wK1", "wK2", "wO2"], freeze); // ["wK1", "wK2", "wO2"]
 * ```
 */
export function trainableAt(
  step: number,
  trainable: ParamName[],
  freeze: FreezeRule[],
): ParamName[] {
  throw notImplemented("trainableAt");
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
