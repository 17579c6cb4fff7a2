/**
 * The inverse of a symmetric positive-definite matrix with matrix products only, so that it runs
 * on every tfjs backend without reading anything back (TensorFlow.js has no `solve` or `inv`).
 * Lesson 4's whitened induction memory (Exercise 4.9) uses it for (C + λI)^-1.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inverseSpd } from "@lib/model/linalg.ts";
 * inverseSpd(tf.tensor2d([[2, 0], [0, 4]])).arraySync(); // ≈ [[0.5, 0], [0, 0.25]]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";

/** Options of {@linkcode inverseSpd}. */
export interface InverseSpdOptions {
  /**
   * Newton–Schulz steps (default 40). The error after k steps is (1 - λ_min / ‖A‖_F)^(2^k): 40
   * steps reach float32 precision for condition numbers ‖A‖_F / λ_min up to about 10^10.
   */
  iterations?: number;
}

/**
 * A^-1 for a symmetric positive-definite `a` `[d, d]`, by the Newton–Schulz iteration
 * X ← X (2I - A X), Newton's method for 1/a applied to matrices: the residual I - A X is squared
 * at each step. It starts from X = I / ‖A‖_F, which makes every eigenvalue of I - A X lie in
 * [0, 1) (‖A‖_F ≥ λ_max), so it converges whenever A is positive definite. Add a ridge λI to a
 * matrix that may be singular (a second-moment matrix of fewer than d vectors is).
 *
 * Costs two d×d matmuls per step (40 steps at d = 256: about 1.3 GFLOP). Does no readback.
 *
 * @param a A symmetric positive-definite matrix `[d, d]` (not checked: a matrix with a
 *   non-positive eigenvalue makes the iteration diverge to NaN or Infinity).
 * @returns A^-1, `[d, d]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { inverseSpd } from "@lib/model/linalg.ts";
 * const a = tf.tensor2d([[4, 1], [1, 3]]);
 * tf.matMul(a, inverseSpd(a)).arraySync(); // ≈ [[1, 0], [0, 1]]
 * ```
 */
export function inverseSpd(a: tf.Tensor2D, options: InverseSpdOptions = {}): tf.Tensor2D {
  const { iterations = 40 } = options;
  if (a.rank !== 2 || a.shape[0] !== a.shape[1]) {
    throw new Error(`inverseSpd: expected a square matrix [d, d], got [${a.shape}]`);
  }
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`inverseSpd: iterations must be a positive integer, got ${iterations}`);
  }
  const d = a.shape[0];
  const twoI = tf.tidy(() => tf.eye(d).mul(2));
  let x = tf.tidy(() => tf.eye(d).div(a.square().sum().sqrt())) as tf.Tensor2D; // I / ‖A‖_F
  for (let i = 0; i < iterations; i++) {
    // X ← X (2I - A X)
    const next = tf.tidy(() => tf.matMul(x, twoI.sub(tf.matMul(a, x)))) as tf.Tensor2D;
    x.dispose();
    x = next;
  }
  twoI.dispose();
  return x;
}
