/**
 * The evaluation metrics used for the rest of the course (paper_spec §4.1): in-context
 * accuracy and the cross-entropy on global and in-context tokens.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchMetrics } from "@lib/model/metrics.ts";
 * const logits = tf.tensor3d([[[0, 5], [5, 0]]]); // [batch 1, seq 2, N 2]
 * const m = await batchMetrics(logits, tf.tensor2d([[1, 1]], undefined, "int32"),
 *   tf.tensor2d([[2, 0]], undefined, "int32"));
 * m.inContextAcc; // 1
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Metrics of one batch; a metric over an empty set of positions is NaN. */
export interface BatchMetrics {
  /** Fraction of in-context targets (label >= 2) where argmax logits = target (`acc_end`). */
  inContextAcc: number;
  /** Mean cross-entropy (nats) on global targets, label 0 (`loss_bigram`). */
  lossGlobal: number;
  /** Mean cross-entropy on in-context targets, label >= 2 (`loss_head`). */
  lossInContext: number;
  /** Mean cross-entropy on every target. */
  lossAll: number;
}

/**
 * Per-position cross-entropy -log softmax(logits)[target], `[batch, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tokenLosses } from "@lib/model/metrics.ts";
 * tokenLosses(tf.zeros([1, 1, 4]), tf.tensor2d([[2]], undefined, "int32")).dataSync(); // [log 4]
 * ```
 */
export function tokenLosses(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const n = logits.shape[2];
    const logp = tf.logSoftmax(logits);
    const picked = logp.mul(tf.oneHot(targets.toInt(), n)).sum(-1);
    return picked.neg() as tf.Tensor2D;
  });
}

function checkShapes(logits: tf.Tensor3D, targets: tf.Tensor2D, labels: tf.Tensor2D): void {
  const [b, s] = logits.shape;
  for (const [name, t] of [["targets", targets], ["labels", labels]] as const) {
    if (t.rank !== 2 || t.shape[0] !== b || t.shape[1] !== s) {
      throw new Error(
        `batchMetrics: ${name} must have shape [${b}, ${s}] like the logits' first two axes, ` +
          `got [${t.shape}]`,
      );
    }
  }
}

/**
 * In-context accuracy, global, in-context and overall losses of one batch (reads back
 * asynchronously, so it does not stall a WebGPU queue).
 *
 * @param logits `[batch, seq, N]`.
 * @param targets The next tokens, int32 `[batch, seq]`.
 * @param labels 0 global, 1 first occurrence, >= 2 in-context; int32 `[batch, seq]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { batchMetrics } from "@lib/model/metrics.ts";
 * const m = await batchMetrics(tf.zeros([1, 2, 4]), tf.zeros([1, 2], "int32") as tf.Tensor2D,
 *   tf.zeros([1, 2], "int32") as tf.Tensor2D);
 * m.lossGlobal; // log 4 = 1.386
 * ```
 */
export async function batchMetrics(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  labels: tf.Tensor2D,
): Promise<BatchMetrics> {
  checkShapes(logits, targets, labels);
  const sums = tf.tidy(() => {
    const losses = tokenLosses(logits, targets);
    const correct = logits.argMax(-1).equal(targets.toInt()).toFloat();
    const inContext = labels.greaterEqual(2).toFloat();
    const global = labels.equal(0).toFloat();
    return tf.stack([
      correct.mul(inContext).sum(),
      inContext.sum(),
      losses.mul(global).sum(),
      global.sum(),
      losses.mul(inContext).sum(),
      losses.sum(),
    ]);
  });
  const [hits, nIn, lossG, nG, lossIn, lossAll] = await sums.data();
  sums.dispose();
  return {
    inContextAcc: hits / nIn,
    lossGlobal: lossG / nG,
    lossInContext: lossIn / nIn,
    lossAll: lossAll / (logits.shape[0] * logits.shape[1]),
  };
}

/**
 * Pearson correlation of two equally long arrays (plain numbers, no tensors).
 *
 * @example
 * ```ts
 * import { correlation } from "@lib/model/metrics.ts";
 * correlation([1, 2, 3], [2, 4, 7]); // 0.99
 * ```
 */
export function correlation(a: number[], b: number[]): number {
  const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length;
  const ma = mean(a);
  const mb = mean(b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
