// Your exercise file for lesson 0: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 0`; `deno task lesson 0 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/00_tfjs_primer/exercises.ts by `deno task stubs`.)

/**
 * Lesson 0: a TensorFlow.js primer. The handful of tfjs ideas the course leans on, one small
 * function each: tensors with a shape and a dtype, `matMul` and the course's row-vector
 * convention `x @ W^T`, broadcasting, freeing memory (`tidy`, `dispose`, `tf.memory()`),
 * reading values back (`dataSync` and `data`), picking entries (`oneHot`, `gather`, `range`,
 * `where`, `argMax`), gradients (`tf.grad`, `tf.variableGrads`) and the backends.
 *
 * API reference: https://js.tensorflow.org/api/4.22.0/
 *
 * @example
 * ```ts
 * import { applyToRows, tokenTensor } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * tokenTensor([[1, 2], [3, 4]]).dtype; // "int32"
 * applyToRows(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 0], [1, 1]])).arraySync(); // [[1, 3]]
 * ```
 * @module
 */
import { notImplemented } from "@lib/testing/mod.ts";
import * as tf from "@tensorflow/tfjs";

/**
 * Exercise 0.1. A batch of token ids as a tensor: `ids[b][t]` becomes entry `[b, t]` of an
 * **int32** tensor (ids are integers; `tf.tensor2d` alone makes float32).
 *
 * @param ids `[batch][seq]` token ids (plain arrays; not modified).
 * @returns `[batch, seq]`, dtype int32.
 *
 * @example
 * ```ts
 * import { tokenTensor } from "@exercises/00_tfjs_primer/exercises.ts";
 * const t = tokenTensor([[5, 1, 2]]);
 * [t.shape, t.dtype]; // [[1, 3], "int32"]
 * ```
 */
export function tokenTensor(ids: number[][]): tf.Tensor2D {
  throw notImplemented("tokenTensor");
}

/**
 * Exercise 0.1. Merges the batch and sequence axes: `[batch, seq, dim]` becomes
 * `[batch * seq, dim]`, row `b * seq + t` being `x[b][t]` (a reshape: no data moves).
 *
 * @param x `[batch, seq, dim]`.
 * @returns `[batch * seq, dim]`.
 *
 * @example
 * ```ts
 * import { flattenBatch } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * flattenBatch(tf.zeros([2, 3, 4]) as tf.Tensor3D).shape; // [6, 4]
 * ```
 */
export function flattenBatch(x: tf.Tensor3D): tf.Tensor2D {
  throw notImplemented("flattenBatch");
}

/**
 * Exercise 0.2. Applies the matrix W to every row of x: row i of the result is W x_i. With
 * vectors stored as rows, that is `x @ W^T` (the course's convention for every weight
 * matrix, as in the paper's code).
 *
 * @param x `[n, in]`: one vector x_i per row.
 * @param w `[out, in]`: W, acting on column vectors as the paper writes it.
 * @returns `[n, out]`: row i is W x_i.
 *
 * @example
 * ```ts
 * import { applyToRows } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const w = tf.tensor2d([[0, 1], [0, 0]]); // W e_1 = e_0
 * applyToRows(tf.tensor2d([[0, 1]]), w).arraySync(); // [[1, 0]]
 * ```
 */
export function applyToRows(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  throw notImplemented("applyToRows");
}

/**
 * Exercise 0.2. The sum of outer products Σ_i a_i b_i^T (an associative memory, lesson 3),
 * written as one product A^T B, where row i of A is a_i and row i of B is b_i.
 *
 * @param a `[n, p]`.
 * @param b `[n, q]`.
 * @returns `[p, q]`.
 *
 * @example
 * ```ts
 * import { sumOfOuterProducts } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * sumOfOuterProducts(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 2]])).arraySync(); // [[0, 2], [0, 0]]
 * ```
 */
export function sumOfOuterProducts(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  throw notImplemented("sumOfOuterProducts");
}

/**
 * Exercise 0.3. Subtracts from every row its own mean, by broadcasting: the row means,
 * `[n, 1]`, stretch across the `dim` columns.
 *
 * @param x `[n, dim]`.
 * @returns `[n, dim]`, each row summing to 0.
 *
 * @example
 * ```ts
 * import { centerRows } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * centerRows(tf.tensor2d([[1, 3], [10, 10]])).arraySync(); // [[-1, 1], [0, 0]]
 * ```
 */
export function centerRows(x: tf.Tensor2D): tf.Tensor2D {
  throw notImplemented("centerRows");
}

/**
 * Exercise 0.4. The Euclidean norm of every row, √(Σ_j x_ij²), leaving no intermediate tensor
 * alive (`tf.tidy`).
 *
 * @param x `[n, dim]`.
 * @returns `[n]`.
 *
 * @example
 * ```ts
 * import { rowNorms } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * rowNorms(tf.tensor2d([[3, 4], [0, 1]])).arraySync(); // [5, 1]
 * ```
 */
export function rowNorms(x: tf.Tensor2D): tf.Tensor1D {
  throw notImplemented("rowNorms");
}

/**
 * Exercise 0.4. How many tensors `fn` leaves allocated besides the one it returns, counted with
 * `tf.memory().numTensors`. The returned tensor (a new one) is disposed before returning.
 *
 * @param fn Makes and returns a new tensor.
 * @returns The number of other tensors still alive after `fn` (0 for a tidy function).
 *
 * @example
 * ```ts
 * import { tensorsLeftBy } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const x = tf.ones([2]);
 * tensorsLeftBy(() => tf.tidy(() => x.add(1).mul(2))); // 0
 * tensorsLeftBy(() => x.add(1).mul(2)); // 1: x.add(1) is never freed
 * ```
 */
export function tensorsLeftBy(fn: () => tf.Tensor): number {
  throw notImplemented("tensorsLeftBy");
}

/**
 * Exercise 0.5. The single value of a one-element tensor, as a JavaScript number, read
 * synchronously (`dataSync`). A tensor with more than one value is a mistake of the caller:
 * throw an error that says so.
 *
 * @param t Any shape with exactly one value: `[]`, `[1]`, `[1, 1]`, ...
 * @returns The value.
 *
 * @example
 * ```ts
 * import { readScalar } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * readScalar(tf.scalar(2.5)); // 2.5
 * ```
 */
export function readScalar(t: tf.Tensor): number {
  throw notImplemented("readScalar");
}

/**
 * Exercise 0.5. The rows of a matrix as plain arrays, read **asynchronously** (`await
 * t.data()`), so that a page or a training loop is not blocked while a GPU finishes.
 *
 * @param t `[n, dim]`.
 * @returns `n` arrays of `dim` numbers.
 *
 * @example
 * ```ts
 * import { readRows } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * await readRows(tf.tensor2d([[1, 2], [3, 4]])); // [[1, 2], [3, 4]]
 * ```
 */
export async function readRows(t: tf.Tensor2D): Promise<number[][]> {
  throw notImplemented("readRows");
}

/**
 * Exercise 0.6. An embedding lookup: row i of the result is row `ids[i]` of the table. Write
 * it as `oneHot(ids) @ table`, which has a gradient on every backend (`tf.gather`'s gradient
 * needs a kernel the wasm backend lacks).
 *
 * @param table `[vocab, dim]`.
 * @param ids `[n]`, int32, each in [0, vocab).
 * @returns `[n, dim]`.
 *
 * @example
 * ```ts
 * import { embedRows } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * embedRows(tf.tensor2d([[1, 1], [2, 2], [3, 3]]), tf.tensor1d([2, 0], "int32")).arraySync();
 * // [[3, 3], [1, 1]]
 * ```
 */
export function embedRows(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  throw notImplemented("embedRows");
}

/**
 * Exercise 0.6. Keeps the rows t ≥ `start` of x and replaces the rows t < `start` with zeros,
 * with `tf.range` (the row index) and `tf.where`.
 *
 * @param x `[seq, dim]`.
 * @param start The first row kept.
 * @returns `[seq, dim]`.
 *
 * @example
 * ```ts
 * import { zeroBefore } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * zeroBefore(tf.tensor2d([[1, 1], [2, 2], [3, 3]]), 2).arraySync(); // [[0, 0], [0, 0], [3, 3]]
 * ```
 */
export function zeroBefore(x: tf.Tensor2D, start: number): tf.Tensor2D {
  throw notImplemented("zeroBefore");
}

/**
 * Exercise 0.6. The fraction of rows whose largest logit is at the target: the accuracy of a
 * model's predictions.
 *
 * @param logits `[n, vocab]`: one row of scores per prediction.
 * @param targets `[n]`, int32: the right answer of each row.
 * @returns A number in [0, 1].
 *
 * @example
 * ```ts
 * import { accuracy } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * accuracy(tf.tensor2d([[0, 5, 1], [9, 0, 0]]), tf.tensor1d([1, 2], "int32")); // 0.5
 * ```
 */
export function accuracy(logits: tf.Tensor2D, targets: tf.Tensor1D): number {
  throw notImplemented("accuracy");
}

/**
 * Exercise 0.7. The gradient of the mean squared error of a linear map,
 * L(W) = mean over i, k of ((W x_i)_k - y_ik)², with respect to W, computed by `tf.grad`.
 *
 * @param w `[out, in]`: W.
 * @param x `[n, in]`: the inputs x_i, one per row.
 * @param y `[n, out]`: the targets.
 * @returns dL/dW, `[out, in]`.
 *
 * @example
 * ```ts
 * import { squaredErrorGrad } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * squaredErrorGrad(tf.tensor2d([[2]]), tf.tensor2d([[1]]), tf.tensor2d([[0]])).arraySync(); // [[4]]
 * ```
 */
export function squaredErrorGrad(w: tf.Tensor2D, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  throw notImplemented("squaredErrorGrad");
}

/**
 * Exercise 0.7. One step of gradient descent on trainable variables: the loss and its
 * gradients with `tf.variableGrads`, then v ← v - lr · dloss/dv for every variable in
 * `variables` (and no other). Frees the gradients.
 *
 * @param variables The variables to update (a loss may read others; they stay as they are).
 * @param loss Computes the loss, a scalar, from the variables.
 * @param lr The learning rate.
 * @returns The loss before the step.
 *
 * @example
 * ```ts
 * import { sgdStep } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const v = tf.variable(tf.scalar(3));
 * sgdStep([v], () => tf.square(v), 0.25); // 9; v is now 3 - 0.25 * 6 = 1.5
 * ```
 */
export function sgdStep(variables: tf.Variable[], loss: () => tf.Scalar, lr: number): number {
  throw notImplemented("sgdStep");
}

/** What {@linkcode onBackend} returns. */
export interface BackendRun {
  /** The backend `fn` ran on (`tf.getBackend()` while it ran). */
  backend: string;
  /** The values of the tensor `fn` returned, read back, in row-major order. */
  values: number[];
}

/**
 * Exercise 0.8. Runs `fn` on another backend: switch to `name` (`await tf.setBackend`), run
 * `fn`, read its result back, free it, and switch back to the backend that was in use, even
 * when `fn` throws.
 *
 * @param name A registered backend: `cpu` always; `wasm`, `webgl`, `webgpu` when loaded.
 * @param fn Makes and returns a tensor.
 * @returns The backend it ran on and the values.
 *
 * @example
 * ```ts
 * import { onBackend } from "@exercises/00_tfjs_primer/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const run = await onBackend("cpu", () => tf.tensor1d([1, 2]).mul(2));
 * run; // { backend: "cpu", values: [2, 4] }
 * ```
 */
export async function onBackend(name: string, fn: () => tf.Tensor): Promise<BackendRun> {
  throw notImplemented("onBackend");
}
