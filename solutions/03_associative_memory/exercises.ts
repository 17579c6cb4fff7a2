/**
 * Lesson 3: weight matrices as associative memories (Bietti et al. 2023, section 4; the paper
 * spec's §5). Random embeddings in high dimension are nearly orthogonal, so a sum of outer
 * products W = Σ v_j u_i^T stores pairs (i → j) that can be read back with v_j'^T W u_i. The
 * functions below build such memories, measure their recall and capacity, show that one
 * cross-entropy gradient step writes exactly such a sum, and read embeddings out of a
 * superposition after a random "remapping".
 *
 * @example
 * ```ts
 * import { randomEmbeddings, recallAccuracy, storePairs } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const rng = new Rng(0);
 * const u = randomEmbeddings(rng, 64, 128); // [64, 128] inputs
 * const v = randomEmbeddings(rng, 64, 128); // [64, 128] outputs
 * const pairs: [number, number][] = [[0, 5], [1, 7], [2, 2]];
 * recallAccuracy(storePairs(u, v, pairs), u, v, pairs); // 1
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "@lib/rng/mod.ts";

/** A stored association: input id i → output id j. */
export type Pair = [input: number, output: number];

/** Options of {@linkcode capacityTable}. */
export interface CapacityOptions {
  /** Random memories averaged per cell (default 3). */
  draws?: number;
  /** Called after each memory, with how many are done and how many there are in all. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A uniformly random permutation of 0..n-1 (Fisher-Yates, drawing with `rng.int`). (Provided.)
 *
 * @example
 * ```ts
 * import { randomPermutation } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * randomPermutation(new Rng(3), 5); // e.g. [3, 0, 4, 1, 2]
 * ```
 */
export function randomPermutation(rng: Rng, n: number): number[] {
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}

/**
 * Exercise 3.1. `count` random embeddings in R^d, one per row, with N(0, 1/d) entries: each has
 * norm ≈ 1 and two different ones have a dot product of order 1/√d.
 *
 * @param rng The seeded generator (use `rng.normals(n, std)`).
 * @param count How many embeddings.
 * @param dim d.
 * @returns `[count, dim]`.
 *
 * @example
 * ```ts
 * import { randomEmbeddings } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * randomEmbeddings(new Rng(1), 65, 256).shape; // [65, 256]
 * ```
 */
export function randomEmbeddings(rng: Rng, count: number, dim: number): tf.Tensor2D {
  requirePositiveInt("randomEmbeddings", { count, dim });
  // BEGIN SOLUTION
  return tf.tensor2d(rng.normals(count * dim, 1 / Math.sqrt(dim)), [count, dim]);
  // END SOLUTION
}

/**
 * Exercise 3.2. Store pairs in a matrix: W = Σ_{(i,j)} α_ij v_j u_i^T, where u_i is row i of
 * `inputs` and v_j row j of `outputs`. W maps u_i onto (about) α_ij v_j.
 *
 * @param inputs `[nIn, dim]`: the input embeddings u.
 * @param outputs `[nOut, dim]`: the output embeddings v.
 * @param pairs The pairs [i, j] to store.
 * @param strengths α, one per pair (default 1 each).
 * @returns `[dim, dim]`.
 *
 * @example
 * ```ts
 * import { storePairs } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * storePairs(e, e, [[0, 1]]).arraySync(); // [[0, 0], [1, 0]]: e_1 e_0^T
 * ```
 */
export function storePairs(
  inputs: tf.Tensor2D,
  outputs: tf.Tensor2D,
  pairs: Pair[],
  strengths?: number[],
): tf.Tensor2D {
  requireSameDim("storePairs", inputs, outputs);
  requirePairs("storePairs", pairs, inputs.shape[0], outputs.shape[0]);
  if (strengths !== undefined && strengths.length !== pairs.length) {
    throw new Error(
      `storePairs: ${strengths.length} strengths for ${pairs.length} pairs (one per pair)`,
    );
  }
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const u = tf.gather(inputs, pairs.map((p) => p[0])); // u_i, one row per pair: [pairs, dim]
    const v = tf.gather(outputs, pairs.map((p) => p[1])); // v_j: [pairs, dim]
    const alpha = tf.tensor2d(strengths ?? pairs.map(() => 1), [pairs.length, 1]);
    return tf.matMul(tf.transpose(tf.mul(alpha, v)), u); // Σ α v_j u_i^T: [dim, dim]
  });
  // END SOLUTION
}

/**
 * Exercise 3.2. Read a memory: scores[i][j] = v_j^T W u_i for every input i and output j. (With
 * token embeddings as inputs and the unembedding as outputs, these are the logits of W.)
 *
 * @param w `[dim, dim]`.
 * @param inputs `[nIn, dim]`: u.
 * @param outputs `[nOut, dim]`: v.
 * @returns `[nIn, nOut]`.
 *
 * @example
 * ```ts
 * import { memoryScores } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * memoryScores(tf.tensor2d([[0, 0], [1, 0]]), e, e).arraySync(); // [[0, 1], [0, 0]]
 * ```
 */
export function memoryScores(
  w: tf.Tensor2D,
  inputs: tf.Tensor2D,
  outputs: tf.Tensor2D,
): tf.Tensor2D {
  requireSameDim("memoryScores", inputs, outputs);
  requireShape("memoryScores", "w", w, [inputs.shape[1], inputs.shape[1]]);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const read = tf.matMul(inputs, tf.transpose(w)); // row i is (W u_i)^T: [nIn, dim]
    return tf.matMul(read, tf.transpose(outputs)); // v_j · W u_i: [nIn, nOut]
  });
  // END SOLUTION
}

/**
 * Exercise 3.3. Top-1 recall of a memory: R(W) = mean over the pairs (i, j) of
 * 1[j = argmax_j' v_j'^T W u_i], the argmax running over every output embedding.
 *
 * @param w `[dim, dim]`.
 * @param inputs `[nIn, dim]`: u.
 * @param outputs `[nOut, dim]`: v (all candidates).
 * @param pairs The pairs that should be recalled.
 * @returns A fraction in [0, 1].
 *
 * @example
 * ```ts
 * import { recallAccuracy } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * recallAccuracy(tf.tensor2d([[0, 0], [1, 0]]), e, e, [[0, 1], [1, 1]]); // 0.5
 * ```
 */
export function recallAccuracy(
  w: tf.Tensor2D,
  inputs: tf.Tensor2D,
  outputs: tf.Tensor2D,
  pairs: Pair[],
): number {
  requirePairs("recallAccuracy", pairs, inputs.shape[0], outputs.shape[0]);
  // BEGIN SOLUTION
  const hits = tf.tidy(() => {
    const u = tf.gather(inputs, pairs.map((p) => p[0])); // [pairs, dim]
    const best = tf.argMax(memoryScores(w, u, outputs), -1); // [pairs]
    const wanted = tf.tensor1d(pairs.map((p) => p[1]), "int32");
    return tf.mean(tf.cast(tf.equal(best, wanted), "float32"));
  });
  const r = hits.dataSync()[0];
  hits.dispose();
  return r;
  // END SOLUTION
}

/**
 * Exercise 3.4. One random memory of `count` pairs in dimension `dim`: draw the inputs u, then
 * the outputs v (both N(0, I/d), `count` each), then a random permutation f, store the pairs
 * (i → f(i)) with strength 1, and return the memory's top-1 recall.
 *
 * @example
 * ```ts
 * import { randomMemoryRecall } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * randomMemoryRecall(new Rng(0), 64, 64); // about 0.995
 * ```
 */
export function randomMemoryRecall(rng: Rng, dim: number, count: number): number {
  requirePositiveInt("randomMemoryRecall", { dim, count });
  // BEGIN SOLUTION
  const u = randomEmbeddings(rng, count, dim);
  const v = randomEmbeddings(rng, count, dim);
  const f = randomPermutation(rng, count);
  const pairs = f.map((j, i): Pair => [i, j]);
  const w = storePairs(u, v, pairs);
  const r = recallAccuracy(w, u, v, pairs);
  tf.dispose([u, v, w]);
  return r;
  // END SOLUTION
}

/**
 * Exercise 3.4. The capacity experiment: for every width d in `dims` and every number of pairs
 * N in `counts`, the mean of {@linkcode randomMemoryRecall} over `draws` random memories (all
 * drawn from the one `rng`, dims outermost, then counts, then draws).
 *
 * @returns `[dims.length][counts.length]` mean recalls.
 *
 * @example
 * ```ts
 * import { capacityTable } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * capacityTable(new Rng(0), [64], [64, 256], { draws: 1 }); // about [[0.995, 0.66]]
 * ```
 */
export function capacityTable(
  rng: Rng,
  dims: number[],
  counts: number[],
  options: CapacityOptions = {},
): number[][] {
  const { draws = 3, onProgress } = options;
  requirePositiveInt("capacityTable", { draws });
  // BEGIN SOLUTION
  const total = dims.length * counts.length * draws;
  let done = 0;
  return dims.map((dim) =>
    counts.map((count) => {
      let sum = 0;
      for (let k = 0; k < draws; k++) {
        sum += randomMemoryRecall(rng, dim, count);
        onProgress?.(++done, total);
      }
      return sum / draws;
    })
  );
  // END SOLUTION
}

/**
 * Exercise 3.5. The population cross-entropy of the memory's logits:
 * L(W) = -Σ_z p(z) Σ_k p(k|z) log p̂_W(k|z), with p̂_W(·|z) = softmax_k(w_U(k)^T W w_E(z)).
 *
 * @param w `[dim, dim]`.
 * @param embed `[nz, dim]`: the input embeddings w_E(z).
 * @param unembed `[nk, dim]`: the output embeddings w_U(k) (the rows of W_U).
 * @param pz `[nz]`: p(z).
 * @param pkz `[nz, nk]`: p(k|z), each row summing to 1.
 * @returns A scalar tensor (differentiable in `w`).
 *
 * @example
 * ```ts
 * import { memoryLoss } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * memoryLoss(tf.zeros([2, 2]), e, e, tf.tensor1d([0.5, 0.5]), tf.tensor2d([[1, 0], [0, 1]]));
 * // log 2: at W = 0 every prediction is uniform
 * ```
 */
export function memoryLoss(
  w: tf.Tensor2D,
  embed: tf.Tensor2D,
  unembed: tf.Tensor2D,
  pz: tf.Tensor1D,
  pkz: tf.Tensor2D,
): tf.Scalar {
  requireDistributions("memoryLoss", embed, unembed, pz, pkz);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(memoryScores(w, embed, unembed)); // log p̂(k|z): [nz, nk]
    const perInput = tf.neg(tf.sum(tf.mul(pkz, logProbs), -1)); // cross-entropy per z: [nz]
    return tf.sum(tf.mul(pz, perInput)) as tf.Scalar;
  });
  // END SOLUTION
}

/**
 * Exercise 3.5. The gradient of {@linkcode memoryLoss} in closed form, a sum of outer products
 * of output and input embeddings:
 * ∇_W L = Σ_z Σ_k p(z) (p̂_W(k|z) - p(k|z)) w_U(k) w_E(z)^T.
 *
 * @returns `[dim, dim]`.
 *
 * @example
 * ```ts
 * import { memoryGradient } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * memoryGradient(tf.zeros([2, 2]), e, e, tf.tensor1d([1, 0]), tf.tensor2d([[0, 1], [1, 0]]));
 * // [[0.5, 0], [-0.5, 0]]: push w_U(1) w_E(0)^T up, w_U(0) w_E(0)^T down
 * ```
 */
export function memoryGradient(
  w: tf.Tensor2D,
  embed: tf.Tensor2D,
  unembed: tf.Tensor2D,
  pz: tf.Tensor1D,
  pkz: tf.Tensor2D,
): tf.Tensor2D {
  requireDistributions("memoryGradient", embed, unembed, pz, pkz);
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const pHat = tf.softmax(memoryScores(w, embed, unembed)); // p̂(k|z): [nz, nk]
    const coef = tf.mul(pz.reshape([-1, 1]), tf.sub(pHat, pkz)); // p(z)(p̂ - p): [nz, nk]
    // Σ_{z,k} coef[z][k] w_U(k) w_E(z)^T = W_U^T coef^T E: [dim, nk] @ [nk, nz] @ [nz, dim]
    const perOutput = tf.matMul(tf.transpose(coef), embed); // [nk, dim]
    return tf.matMul(tf.transpose(unembed), perOutput); // [dim, dim]
  });
  // END SOLUTION
}

/**
 * Exercise 3.6. One gradient step of size `lr` from W = 0: W_1 = -lr ∇_W L(0). Since p̂ = 1/N at
 * W = 0, W_1 = lr Σ_{z,k} p(z) (p(k|z) - 1/N) w_U(k) w_E(z)^T: a memory whose association
 * strengths w_U(k)^T W_1 w_E(z) ≈ lr p(z) (p(k|z) - 1/N) favour frequent pairs.
 *
 * @returns `[dim, dim]`.
 *
 * @example
 * ```ts
 * import { oneStepMemory } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * const e = tf.eye(2) as tf.Tensor2D;
 * oneStepMemory(e, e, tf.tensor1d([1, 0]), tf.tensor2d([[0, 1], [1, 0]]), 2).arraySync();
 * // [[-1, 0], [1, 0]]
 * ```
 */
export function oneStepMemory(
  embed: tf.Tensor2D,
  unembed: tf.Tensor2D,
  pz: tf.Tensor1D,
  pkz: tf.Tensor2D,
  lr: number,
): tf.Tensor2D {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const dim = embed.shape[1];
    const grad = memoryGradient(tf.zeros([dim, dim]), embed, unembed, pz, pkz);
    return tf.mul(-lr, grad) as tf.Tensor2D;
  });
  // END SOLUTION
}

/**
 * Exercise 3.7. A random "remapping" matrix with N(0, 1/d) entries, like the frozen W_V and
 * W_O W_V of the paper's model: it keeps norms (‖R u‖ ≈ ‖u‖) and sends an embedding u to a
 * vector nearly orthogonal to u and to every other embedding.
 *
 * @returns `[dim, dim]`.
 *
 * @example
 * ```ts
 * import { randomRemapping } from "@exercises/03_associative_memory/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * randomRemapping(new Rng(2), 128).shape; // [128, 128]
 * ```
 */
export function randomRemapping(rng: Rng, dim: number): tf.Tensor2D {
  requirePositiveInt("randomRemapping", { dim });
  // BEGIN SOLUTION
  return tf.tensor2d(rng.normals(dim * dim, 1 / Math.sqrt(dim)), [dim, dim]);
  // END SOLUTION
}

/**
 * Exercise 3.7. Read one embedding out of each vector: for every row x of `x`, the index of the
 * candidate c with the largest dot product c · x. A residual stream x = w_E(a) + p_t + R w_E(b)
 * gives a with the token embeddings as candidates, t with the positions, and b with the remapped
 * token embeddings R w_E(k).
 *
 * @param x `[batch, dim]`: superpositions, one per row.
 * @param candidates `[n, dim]`: the embeddings to choose from.
 * @returns `[batch]` indices into `candidates`.
 *
 * @example
 * ```ts
 * import { decode } from "@exercises/03_associative_memory/exercises.ts";
 * import * as tf from "@tensorflow/tfjs";
 * decode(tf.tensor2d([[0.1, 2, 0]]), tf.eye(3) as tf.Tensor2D); // [1]
 * ```
 */
export function decode(x: tf.Tensor2D, candidates: tf.Tensor2D): number[] {
  requireSameDim("decode", x, candidates);
  // BEGIN SOLUTION
  const best = tf.tidy(() => tf.argMax(tf.matMul(x, tf.transpose(candidates)), -1)); // [batch]
  const ids = Array.from(best.dataSync());
  best.dispose();
  return ids;
  // END SOLUTION
}

function requirePositiveInt(fn: string, values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${fn}: \`${name}\` should be a positive integer, got ${v}`);
    }
  }
}

function requireShape(fn: string, name: string, t: tf.Tensor, shape: number[]): void {
  if (
    !(t instanceof tf.Tensor) || t.rank !== shape.length || t.shape.some((n, i) => n !== shape[i])
  ) {
    const got = t instanceof tf.Tensor ? `shape [${t.shape.join(", ")}]` : typeof t;
    throw new Error(`${fn}: \`${name}\` should have shape [${shape.join(", ")}], got ${got}`);
  }
}

function requireSameDim(fn: string, a: tf.Tensor2D, b: tf.Tensor2D): void {
  for (const t of [a, b]) {
    if (!(t instanceof tf.Tensor) || t.rank !== 2) {
      throw new Error(`${fn}: expected 2-D tensors [count, dim], got ${describe(t)}`);
    }
  }
  if (a.shape[1] !== b.shape[1]) {
    throw new Error(
      `${fn}: the embeddings have different widths: [${a.shape}] and [${b.shape}] (the last axis is d)`,
    );
  }
}

function requirePairs(fn: string, pairs: Pair[], nIn: number, nOut: number): void {
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new Error(`${fn}: \`pairs\` should be a non-empty array of [input, output] ids`);
  }
  for (const [i, j] of pairs) {
    if (!(Number.isInteger(i) && i >= 0 && i < nIn && Number.isInteger(j) && j >= 0 && j < nOut)) {
      throw new Error(
        `${fn}: pair [${i}, ${j}] is out of range (${nIn} inputs and ${nOut} outputs)`,
      );
    }
  }
}

function requireDistributions(
  fn: string,
  embed: tf.Tensor2D,
  unembed: tf.Tensor2D,
  pz: tf.Tensor1D,
  pkz: tf.Tensor2D,
): void {
  requireSameDim(fn, embed, unembed);
  requireShape(fn, "pz", pz, [embed.shape[0]]);
  requireShape(fn, "pkz", pkz, [embed.shape[0], unembed.shape[0]]);
}

function describe(t: unknown): string {
  return t instanceof tf.Tensor ? `shape [${t.shape.join(", ")}]` : typeof t;
}
