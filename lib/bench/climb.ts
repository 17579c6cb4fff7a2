/**
 * The CPU climb of lesson 6: the same training step written five ways, each adding one change
 * to the one before, so that the benchmark can measure what each change buys on the wasm
 * backend (whose fast matmul path takes only 2-D, non-transposed operands).
 *
 * | stage | forward pass | what changes |
 * | --- | --- | --- |
 * | `reference` | lib/model `forwardReference` | the paper's equations, tfjs autodiff |
 * | `fold` | {@linkcode forwardFolded} | frozen W_O1 W_V1 folded into one matrix, embeddings looked up (no one-hot product) |
 * | `flat` | {@linkcode forwardFlat} | every token-axis product a 2-D `[B·T, d] @ [d, d]` with non-transposed operands |
 * | `customgrad` | {@linkcode forwardFlat} + {@linkcode matMulFastGrad} | 2-D matmuls whose gradients use explicit transposes (autodiff's use transposed operands) |
 * | `batched` | {@linkcode forwardFlat} + lib/model `batchMatMul` | the per-sequence attention products as one fast 2-D matmul per sequence |
 * | `course` | lib/model `forward` | the hand-written backward pass: one custom-gradient node, only the needed gradients |
 *
 * The stages assume the paper's frozen embeddings (W_E, p_t not trainable); they compute the
 * same loss and gradients as the reference (checked in `climb_test.ts`).
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * import { climbStep } from "@lib/bench/climb.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const step = climbStep("flat", training.maskedCrossEntropy)!;
 * const trainer = new Trainer(presets.tiny, trainerParts(data, training, { trainingStep: step }));
 * trainer.step();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  batchMatMul,
  causalMaskBias,
  checkInputs,
  forwardReference,
  type ModelConfig,
  need,
  type ParamName,
  type Params,
} from "@lib/model/mod.ts";
import { stepWithForward, type TrainingStep } from "@lib/train/step.ts";
import type { MaskedLoss } from "@lib/train/parts.ts";

/** The stages of the climb, in order. */
export const CLIMB_STAGES = [
  "reference",
  "fold",
  "flat",
  "customgrad",
  "batched",
  "course",
] as const;

/** One stage of the climb. */
export type ClimbStage = typeof CLIMB_STAGES[number];

/** A training step with lesson 5's signature, as `Trainer` parts take it. */
export type { TrainingStep };

type MatMul = (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;

/**
 * `a @ b` for 2-D operands, with a gradient that transposes explicitly: dA = dY @ transpose(B),
 * dB = transpose(A) @ dY. Every product, forward and backward, then has non-transposed
 * operands, which is the only case wasm's XNNPACK matmul runs fast.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { matMulFastGrad } from "@lib/bench/climb.ts";
 * const g = tf.grad((a: tf.Tensor) => matMulFastGrad(a as tf.Tensor2D, tf.eye(2)).sum());
 * g(tf.ones([2, 2])).arraySync(); // [[1, 1], [1, 1]]
 * ```
 */
export function matMulFastGrad(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [x, y, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
    save([x, y]);
    return {
      value: tf.matMul(x, y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ys] = saved as tf.Tensor2D[];
        return [tf.matMul(dy as tf.Tensor2D, tf.transpose(ys)), tf.matMul(tf.transpose(xs), dy)];
      },
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/** The embeddings as rows `[B·T, d]`: a lookup, allowed because W_E and p_t are frozen. */
function embedLookup(params: Params, inputs: tf.Tensor2D): tf.Tensor2D {
  const [batch, seq] = inputs.shape;
  const d = need(params, "wE").shape[1];
  const tokens = tf.gather(need(params, "wE"), inputs.reshape([-1])); // [rows, d]
  const pos = need(params, "pos").slice([0, 0], [seq, d]).tile([batch, 1]); // [rows, d]
  return tokens.add(pos);
}

function assertFrozenEmbeddings(config: ModelConfig, stage: string): void {
  const moving = config.trainable.filter((p) => p === "wE" || p === "pos" || p === "wU");
  if (moving.length > 0) {
    throw new Error(
      `climb stage "${stage}" assumes frozen embeddings, but ${moving.join(", ")} are trainable`,
    );
  }
}

/**
 * Stage `fold`: the reference with less frozen work. The embedding is a lookup (its gradient is
 * never needed), the frozen W_O1 W_V1 is one matrix, and the per-layer products are still
 * autodiff'd `x @ Wᵀ` (transposed operands).
 *
 * @returns The logits `[batch, seq, N]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { forwardFolded } from "@lib/bench/climb.ts";
 * const c = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * forwardFolded(initParams(c), c, tf.zeros([2, 8], "int32")).shape; // [2, 8, 65]
 * ```
 */
export function forwardFolded(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
): tf.Tensor3D {
  checkInputs(inputs, config);
  assertFrozenEmbeddings(config, "fold");
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  return tf.tidy(() => {
    const mask = causalMaskBias(seq);
    const apply = (w: tf.Tensor2D, x: tf.Tensor3D) =>
      tf.matMul(x.reshape([-1, d]), w, false, true).reshape([batch, seq, -1]) as tf.Tensor3D;
    const attend = (x: tf.Tensor3D, wK: tf.Tensor2D, values: tf.Tensor3D) => {
      const scores = tf.matMul(x, apply(wK, x), false, true).div(Math.sqrt(d)); // [B, t, s]
      return tf.matMul(tf.softmax(scores.add(mask)), values) as tf.Tensor3D; // [B, T, d]
    };
    const x = embedLookup(params, inputs).reshape([batch, seq, d]) as tf.Tensor3D;
    const w = (name: ParamName) => need(params, name);
    const f1 = tf.matMul(w("wO1"), w("wV1")) as tf.Tensor2D; // W_O1 W_V1 (d³ work, not per token)
    const h1 = x.add(attend(x, w("wK1"), apply(f1, x))) as tf.Tensor3D;
    const g = attend(h1, w("wK2"), apply(w("wV2"), h1));
    let h = h1.add(apply(w("wO2"), g)) as tf.Tensor3D;
    if (config.finalFfn) h = h.add(apply(w("wF"), h));
    return apply(w("wU"), h).reshape([batch, seq, n]) as tf.Tensor3D;
  });
}

/**
 * Stages `flat`, `customgrad` and `batched`: every product with a token axis is a 2-D
 * `[B·T, d] @ [d, d]` product with non-transposed operands (W_K carried on the query side,
 * the other matrices transposed explicitly, a d×d transpose per step), the attention products
 * stay per sequence. `matMul` is `tf.matMul` (`flat`) or {@linkcode matMulFastGrad}
 * (`customgrad`, `batched`); with `batched`, the per-sequence products go through lib/model's
 * `batchMatMul` (on wasm: one fast 2-D matmul per sequence) instead of `tf.matMul`.
 *
 * @returns The logits `[batch, seq, N]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { forwardFlat, matMulFastGrad } from "@lib/bench/climb.ts";
 * const c = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * forwardFlat(initParams(c), c, tf.zeros([2, 8], "int32"), matMulFastGrad).shape; // [2, 8, 65]
 * ```
 */
export function forwardFlat(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  matMul: MatMul = (a, b) => tf.matMul(a, b),
  batched = false,
): tf.Tensor3D {
  checkInputs(inputs, config);
  assertFrozenEmbeddings(config, "flat");
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  const scale = 1 / Math.sqrt(d);
  return tf.tidy(() => {
    const mask = causalMaskBias(seq);
    const w = (name: ParamName) => need(params, name);
    const wT = (name: ParamName) => tf.transpose(w(name)) as tf.Tensor2D; // rows @ W^T = W x

    const perSeq = (t: tf.Tensor2D) => t.reshape([batch, seq, -1]) as tf.Tensor3D;
    /** Σ_s β_{t,s} values_s with β = softmax(a_t · keys_s + mask): rows in, rows out. */
    const attend = (a: tf.Tensor2D, keys: tf.Tensor2D, values: tf.Tensor2D) => {
      const scores = batched // [B, t, s]
        ? batchMatMul(perSeq(a), tf.transpose(perSeq(keys), [0, 2, 1]))
        : tf.matMul(perSeq(a), perSeq(keys), false, true);
      const beta = tf.softmax(scores.add(mask)) as tf.Tensor3D;
      const mixed = batched ? batchMatMul(beta, perSeq(values)) : tf.matMul(beta, perSeq(values));
      return mixed.reshape([batch * seq, d]) as tf.Tensor2D;
    };
    const x = embedLookup(params, inputs); // [rows, d]
    const f1T = tf.transpose(tf.matMul(w("wO1"), w("wV1"))) as tf.Tensor2D; // (W_O1 W_V1)^T
    // score_{t,s} = x_t · W_K x_s = (x_t W_K) · x_s: the query side carries W_K, untransposed.
    const scaled = (name: ParamName) => w(name).mul(scale) as tf.Tensor2D;
    const h1: tf.Tensor2D = x.add(attend(matMul(x, scaled("wK1")), x, matMul(x, f1T)));
    const g = attend(matMul(h1, scaled("wK2")), h1, matMul(h1, wT("wV2")));
    let h: tf.Tensor2D = h1.add(matMul(g, wT("wO2")));
    if (config.finalFfn) h = h.add(matMul(h, wT("wF")));
    return matMul(h, wT("wU")).reshape([batch, seq, n]) as tf.Tensor3D;
  });
}

/**
 * The training step of one stage of the climb, with `loss` (lesson 5's `maskedCrossEntropy`);
 * `undefined` for `course`, which is lesson 5's own `trainingStep` (lib/model's `forward`).
 *
 * @example
 * ```ts
 * import { climbStep } from "@lib/bench/climb.ts";
 * import type { MaskedLoss } from "@lib/train/parts.ts";
 * declare const maskedCrossEntropy: MaskedLoss; // lesson 5's, passed in by the tool
 * climbStep("course", maskedCrossEntropy); // undefined: lesson 5's own step
 * ```
 */
export function climbStep(stage: ClimbStage, loss: MaskedLoss): TrainingStep | undefined {
  const step = (f: Parameters<typeof stepWithForward>[0]) => stepWithForward(f, loss);
  switch (stage) {
    case "reference":
      return step((p, c, ids) => forwardReference(p, c, ids).logits);
    case "fold":
      return step(forwardFolded);
    case "flat":
      return step((p, c, ids) => forwardFlat(p, c, ids));
    case "customgrad":
      return step((p, c, ids) => forwardFlat(p, c, ids, matMulFastGrad));
    case "batched":
      return step((p, c, ids) => forwardFlat(p, c, ids, matMulFastGrad, true));
    case "course":
      return undefined;
  }
}
