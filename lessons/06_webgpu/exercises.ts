// Your exercise file for lesson 6: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 6`; `deno task lesson 6 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/06_webgpu/exercises.ts by `deno task stubs`.)

/**
 * Lesson 6: WebGPU-accelerated training. You measure what a training step costs (kernels,
 * tensors), write a fused WGSL kernel for the causal attention weights of one layer and its
 * gradient, register them with TensorFlow.js's WebGPU backend, and train the model of lessons
 * 4-5 with them: the trainer runs with your lesson 1 and lesson 5 code (imported below through
 * `@exercises/`), only its forward pass is this lesson's.
 *
 * The kernels run on the `webgpu` backend. On any other backend the provided dispatchers
 * ({@linkcode causalSoftmax}, {@linkcode causalSoftmaxGrad}) fall back to the plain tfjs
 * composition, so everything here also runs, more slowly, without a GPU.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedCausalSoftmax } from "@exercises/06_webgpu/exercises.ts";
 * const q = tf.randomNormal([2, 8, 16]) as tf.Tensor3D;
 * const attn = fusedCausalSoftmax(q, q); // [2, 8, 8], rows sum to 1, zero above the diagonal
 * ```
 * @module
 */
import { notImplemented } from "@lib/testing/mod.ts";
import * as tf from "@tensorflow/tfjs";
import {
  checkInputs,
  type ForwardOutput,
  type ModelConfig,
  need,
  type ParamName,
  type Params,
} from "@lib/model/mod.ts";
import type { TrainConfig } from "@lib/train/config.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { trainerParts, type TrainingStep } from "@lib/train/parts.ts";
import { stepWithForward } from "@lib/train/step.ts";
import type { ShardGradients } from "@lib/train/parallel.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import {
  causalSoftmaxComposed,
  causalSoftmaxGradComposed,
  checkQK,
  registerWebGPUKernel,
  runKernel,
  type WebGPUProgram,
} from "@lib/webgpu/mod.ts";

// ------------------------------------------------------------------------------ 6.1 profiling

/** What one call of a function costs, as {@linkcode profileStep} measures it. */
export interface StepProfile {
  /** How many kernels (GPU dispatches, or wasm/cpu op calls) the function launched. */
  kernels: number;
  /** The same, by kernel name, e.g. `{ BatchMatMul: 12, Softmax: 2, ... }`. */
  byName: Record<string, number>;
  /** Tensors alive after the call minus before it: 0 for a step that frees what it makes. */
  newTensors: number;
}

/**
 * Exercise 6.1. Runs `fn` once under `tf.profile` and reports how many kernels it launched (in
 * total and by name) and how many tensors it left behind.
 *
 * @param fn One training step, or any tfjs computation. What it returns is its result, not a
 *   leak: `profileStep` frees the tensors in it (so `fn` should return only tensors it made),
 *   and they do not count as left behind.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { profileStep } from "@exercises/06_webgpu/exercises.ts";
 * const a = tf.ones([2, 2]);
 * const p = await profileStep(() => tf.tidy(() => a.add(a).mul(a).sum()));
 * // p.kernels: 3, p.byName: { Add: 1, Multiply: 1, Sum: 1 }, p.newTensors: 0 (the result is freed)
 * ```
 */
export async function profileStep(fn: () => unknown): Promise<StepProfile> {
  throw notImplemented("profileStep");
}

// ------------------------------------------------------------------ 6.2 the forward kernel

/**
 * Exercise 6.2. The WGSL program for the causal attention weights of one layer, fused into one
 * kernel: for every sequence b and query t,
 * ```
 * result[b, t, s] = exp(S_ts − m_t) / Σ_{s'≤t} exp(S_ts' − m_t)  for s <= t, else 0,
 * S_ts = q[b, t, :] · k[b, s, :] / √dim,   m_t = max_{s<=t} S_ts
 * ```
 * Inputs (in this order of `variableNames`): `q` and `k`, `[batch, seq, dim]`; output
 * `[batch, seq, seq]`. The shader must read `uniforms` (e.g. `uniforms.qShape`: vec3(batch,
 * seq, dim)), or WebGPU drops that binding and the dispatch fails.
 *
 * The reference solution gives each workgroup of 64 invocations four query rows; each
 * invocation computes a 4×4 block of scores with `vec4` loads (so `dim` must be a multiple of
 * 4), writes the raw scores to `result`, and the workgroup then reduces the row maxima and sums
 * in shared memory. A simpler kernel (one workgroup per row, one invocation per key) is correct
 * too; it is just slower.
 *
 * @example
 * ```ts
 * import { causalSoftmaxProgram } from "@exercises/06_webgpu/exercises.ts";
 * const p = causalSoftmaxProgram(2, 16, 32);
 * p.outputShape; // [2, 16, 16]
 * p.variableNames; // ["q", "k"]
 * ```
 */
export function causalSoftmaxProgram(batch: number, seq: number, dim: number): WebGPUProgram {
  throw notImplemented("causalSoftmaxProgram");
}

// ------------------------------------------------------------------ 6.3 the gradient kernel

/**
 * Exercise 6.3. The WGSL program for the gradient of the causal attention weights with respect
 * to the unscaled scores S = q kᵀ, fused into one kernel:
 * ```
 * result[b, t, s] = A_ts (dA_ts − Σ_{s'} dA_ts' A_ts') / √dim
 * ```
 * Inputs (in this order): `attn` (A) and `dy` (dL/dA), both `[batch, seq, seq]`; output the same
 * shape. Masked entries have A = 0, so their gradient comes out 0 by itself.
 *
 * @example
 * ```ts
 * import { causalSoftmaxGradProgram } from "@exercises/06_webgpu/exercises.ts";
 * causalSoftmaxGradProgram(2, 16, 32).variableNames; // ["attn", "dy"]
 * ```
 */
export function causalSoftmaxGradProgram(batch: number, seq: number, dim: number): WebGPUProgram {
  throw notImplemented("causalSoftmaxGradProgram");
}

// ------------------------------------------------- provided: the kernels as tfjs operations

/** Which copy of this file this is (`lessons`, `solutions`, ...): one kernel name per copy. */
const COPY = new URL("..", import.meta.url).pathname.split("/").filter(Boolean).at(-1);
/**
 * The name of the forward kernel in tfjs's kernel registry. Each copy of this file (yours in
 * `lessons/`, the reference in `solutions/`) registers its own, so they never replace each other.
 */
export const CAUSAL_SOFTMAX_KERNEL = `CourseCausalSoftmax_${COPY}`;
/** The name of the gradient kernel in tfjs's kernel registry (one per copy of this file). */
export const CAUSAL_SOFTMAX_GRAD_KERNEL = `CourseCausalSoftmaxGrad_${COPY}`;

let registered = false;

/**
 * Registers your two programs as the `webgpu` kernels {@linkcode CAUSAL_SOFTMAX_KERNEL} and
 * {@linkcode CAUSAL_SOFTMAX_GRAD_KERNEL} (once per process). Provided.
 *
 * @example
 * ```ts
 * import { registerCausalSoftmaxKernels } from "@exercises/06_webgpu/exercises.ts";
 * registerCausalSoftmaxKernels();
 * ```
 */
export function registerCausalSoftmaxKernels(): void {
  if (registered) return;
  registerWebGPUKernel(CAUSAL_SOFTMAX_KERNEL, ({ q }) => {
    const [batch, seq, dim] = q.shape;
    return causalSoftmaxProgram(batch, seq, dim);
  });
  registerWebGPUKernel(CAUSAL_SOFTMAX_GRAD_KERNEL, ({ attn }, { dim }) => {
    const [batch, seq] = attn.shape;
    return causalSoftmaxGradProgram(batch, seq, dim as number);
  });
  registered = true;
}

/**
 * The causal attention weights: your forward kernel on `webgpu`, the plain tfjs composition on
 * any other backend. Provided.
 *
 * @param q Queries `[batch, seq, dim]`.
 * @param k Keys `[batch, seq, dim]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSoftmax } from "@exercises/06_webgpu/exercises.ts";
 * causalSoftmax(tf.ones([1, 4, 8]), tf.ones([1, 4, 8])).shape; // [1, 4, 4]
 * ```
 */
export function causalSoftmax(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  checkQK("causalSoftmax", q, k);
  if (tf.getBackend() !== "webgpu") return causalSoftmaxComposed(q, k);
  registerCausalSoftmaxKernels();
  return runKernel<tf.Tensor3D>(CAUSAL_SOFTMAX_KERNEL, { q, k });
}

/**
 * dL/dS for S = q kᵀ, from the weights A and dL/dA: your gradient kernel on `webgpu`, tfjs ops
 * elsewhere. Provided.
 *
 * @param attn A `[batch, seq, seq]`.
 * @param dy dL/dA, the same shape.
 * @param dim The width of q and k (the scores were divided by √dim).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { causalSoftmaxGrad } from "@exercises/06_webgpu/exercises.ts";
 * const a = tf.tensor3d([[[1, 0], [0.5, 0.5]]]);
 * causalSoftmaxGrad(a, tf.tensor3d([[[1, 0], [1, 0]]]), 4); // [[[0, 0], [0.125, -0.125]]]
 * ```
 */
export function causalSoftmaxGrad(attn: tf.Tensor3D, dy: tf.Tensor3D, dim: number): tf.Tensor3D {
  if (tf.getBackend() !== "webgpu") return causalSoftmaxGradComposed(attn, dy, dim);
  registerCausalSoftmaxKernels();
  return runKernel<tf.Tensor3D>(CAUSAL_SOFTMAX_GRAD_KERNEL, { attn, dy }, { dim });
}

// ------------------------------------------------------------- 6.4 a differentiable tfjs op

/**
 * Exercise 6.4. The causal attention weights as a differentiable tfjs operation: the forward
 * value from {@linkcode causalSoftmax}, and a gradient written with `tf.customGrad`:
 * dS = {@linkcode causalSoftmaxGrad}(A, dA, dim), then dL/dq = dS k and dL/dk = dSᵀ q.
 *
 * @param q Queries `[batch, seq, dim]` (in the model: the layer's input h).
 * @param k Keys `[batch, seq, dim]` (in the model: W_K h).
 * @returns A `[batch, seq, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fusedCausalSoftmax } from "@exercises/06_webgpu/exercises.ts";
 * const q = tf.randomNormal([1, 4, 8]) as tf.Tensor3D;
 * const dq = tf.grad((x: tf.Tensor) => fusedCausalSoftmax(x as tf.Tensor3D, q).square().sum())(q);
 * ```
 */
export function fusedCausalSoftmax(q: tf.Tensor3D, k: tf.Tensor3D): tf.Tensor3D {
  throw notImplemented("fusedCausalSoftmax");
}

// ------------------------------------------------------------ 6.5 the kernel inside the model

/** An operation computing causal attention weights from queries and keys `[batch, seq, dim]`. */
export type CausalSoftmaxOp = (q: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D;

/** `W u` for every row u of x: x `[rows, in]`, W `[out, in]` (math convention) -> `[rows, out]`. */
function applyRows(w: tf.Tensor2D, x: tf.Tensor2D): tf.Tensor2D {
  return tf.matMul(x, w, false, true);
}

/**
 * x_t = w_E(z_t) + p_t as rows `[batch * seq, d]` (the lookup as oneHot @ W_E, which trains on
 * every backend). Provided.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { embedRows } from "@exercises/06_webgpu/exercises.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * embedRows(initParams(config), config, tf.zeros([2, 8], "int32")).shape; // [16, 16]
 * ```
 */
export function embedRows(params: Params, config: ModelConfig, inputs: tf.Tensor2D): tf.Tensor2D {
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  return tf.tidy(() => {
    const oneHot = tf.oneHot(inputs.reshape([-1]), n).toFloat(); // [rows, N]
    const tokens = tf.matMul(oneHot, need(params, "wE")).reshape([batch, seq, d]);
    return tokens.add(need(params, "pos").slice([0, 0], [seq, d])).reshape([batch * seq, d]);
  });
}

/**
 * Exercise 6.5. The model's forward pass (lesson 4's equations) with the attention weights of
 * both layers computed by `softmaxOp`:
 * ```
 * h1 = x + W_O1 Σ_s β1_{t,s} W_V1 x_s,    β1 = softmaxOp(x, W_K1 x)
 * h2 = h1 + W_O2 Σ_s β2_{t,s} W_V2 h1_s,  β2 = softmaxOp(h1, W_K2 h1)
 * h3 = h2 + W_F h2 (with finalFfn),       logits = W_U h3
 * ```
 * With {@linkcode fusedCausalSoftmax} it trains through your kernels; with the plain composition
 * it is lib/model's `forwardReference`.
 *
 * @param inputs Token ids, int32 `[batch, seq]`.
 * @param softmaxOp The attention-weights operation (default: {@linkcode fusedCausalSoftmax}).
 * @returns The logits `[batch, seq, N]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { forwardWithSoftmax } from "@exercises/06_webgpu/exercises.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * forwardWithSoftmax(initParams(config), config, tf.zeros([2, 8], "int32")).logits.shape;
 * // [2, 8, 65]
 * ```
 */
export function forwardWithSoftmax(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  softmaxOp: CausalSoftmaxOp = fusedCausalSoftmax,
): ForwardOutput {
  checkInputs(inputs, config);
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  const logits = tf.tidy(() => {
    throw notImplemented("forwardWithSoftmax");
  });
  return { logits: logits as tf.Tensor3D };
}

/** The arguments of lesson 5's training step: params, model config, batch, options. */
type StepArgs = Parameters<TrainingStep>;

/**
 * Lesson 5's training step with the forward pass {@linkcode forwardWithSoftmax} and your fused
 * kernels: the masked cross-entropy, the gradients of the trainable matrices, the optimizer's
 * update. Pass it to lesson 5's `Trainer` as `parts.trainingStep`. Provided.
 *
 * @example
 * ```ts
 * import * as data from "@exercises/01_bigram_data/exercises.ts";
 * import * as training from "@exercises/05_training/exercises.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * import { kernelTrainingStep } from "@exercises/06_webgpu/exercises.ts";
 * const parts = trainerParts(data, training, { trainingStep: kernelTrainingStep });
 * const trainer = new Trainer(presets.tiny, parts);
 * trainer.step();
 * ```
 */
export const kernelTrainingStep: TrainingStep = (
  params,
  config,
  batch,
  options,
) => trainingStepWith(fusedCausalSoftmax, params, config, batch, options);

/**
 * A lesson-5 training step whose forward pass computes attention weights with `softmaxOp`, and
 * whose loss is your lesson-5 `maskedCrossEntropy`. Provided; the benchmark compares the
 * composition with your kernel through it.
 *
 * @example
 * ```ts
 * import { causalSoftmaxComposed } from "@lib/webgpu/mod.ts";
 * import { trainingStepWith } from "@exercises/06_webgpu/exercises.ts";
 * // trainingStepWith(causalSoftmaxComposed, params, config, batch, options)
 * ```
 */
export function trainingStepWith(
  softmaxOp: CausalSoftmaxOp,
  params: Params,
  config: ModelConfig,
  batch: StepArgs[2],
  options: StepArgs[3],
): tf.Scalar {
  const forwardFn = (p: Params, c: ModelConfig, ids: tf.Tensor2D) =>
    forwardWithSoftmax(p, c, ids, softmaxOp).logits;
  return stepWithForward(forwardFn, training.maskedCrossEntropy)(params, config, batch, options);
}

/**
 * Lesson 5's `Trainer` for `config`, training through your kernels, with your lesson 1 data
 * generator and your lesson 5 loss, optimizer update and freezing schedule. Provided.
 *
 * @example
 * ```ts
 * import { presets } from "@lib/train/config.ts";
 * import { kernelTrainer } from "@exercises/06_webgpu/exercises.ts";
 * const trainer = kernelTrainer(presets.tiny);
 * trainer.step();
 * trainer.dispose();
 * ```
 */
export function kernelTrainer(config: TrainConfig): Trainer {
  return new Trainer(config, trainerParts(data, training, { trainingStep: kernelTrainingStep }));
}

// ----------------------------------------------------- 6.6 data-parallel training on all cores

/** One shard's gradients and its count of loss targets (lib/train/parallel.ts). */
export type { ShardGradients };

/**
 * Exercise 6.6. The all-reduce of data-parallel training: the gradient of the whole batch's
 * masked mean loss from the gradients of its shards. Shard k's loss is the mean over its own
 * n_k loss targets, L_k = S_k / n_k (lesson 5's `maskedCrossEntropy`, which divides by
 * max(n_k, 1)); the whole batch's is L = Σ_k S_k / Σ_k n_k. So
 *
 *   dL/dW = Σ_k n_k dL_k/dW / max(Σ_k n_k, 1)
 *
 * for every matrix W present in the shards' gradients: a weighted mean, not a plain one (shards
 * hold different numbers of in-context targets). A shard with n_k = 0 adds nothing. The result
 * holds new tensors (the caller disposes the shards' and the result's separately); intermediate
 * tensors are freed.
 *
 * @param shards Each shard's gradients (the same matrices in every shard) and its count n_k.
 * @returns One gradient per matrix, the same shapes.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { averageGradients } from "@exercises/06_webgpu/exercises.ts";
 * const g = averageGradients([
 *   { grads: { wK1: tf.tensor2d([[1]]) }, count: 3 },
 *   { grads: { wK1: tf.tensor2d([[5]]) }, count: 1 },
 * ]);
 * g.wK1!.arraySync(); // [[2]]: (3·1 + 1·5) / 4
 * ```
 */
export function averageGradients(shards: ShardGradients[]): Partial<Record<ParamName, tf.Tensor>> {
  throw notImplemented("averageGradients");
}
