/**
 * Lesson 3's experiments, shared by the terminal demo (`demo.ts`) and the site's island
 * (`site/islands/memory_demo.tsx`): the capacity of an associative memory
 * W = Σ_i v_{f(i)} u_i^T (a table, or one point at a time for a live plot), one memory's score
 * matrix, one gradient step on tiny Shakespeare's bigrams, and reading the slots of a
 * superposition. They run the exercises imported through `@exercises/` (the learner's code or
 * the reference). The caller starts the backend.
 *
 * @example
 * ```ts
 * import { capacity } from "./experiment.ts";
 * capacity({ seed: 0, dims: [32], counts: [16], draws: 1 }); // [[about 0.98]]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { loadStats } from "@exercises/01_bigram_data/exercises.ts";
import {
  capacityTable,
  decode,
  memoryScores,
  oneStepMemory,
  type Pair,
  randomEmbeddings,
  randomRemapping,
  recallAccuracy,
  storePairs,
} from "@exercises/03_associative_memory/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import { correlation } from "@lib/model/metrics.ts";

/**
 * Top-1 recall (mean of `draws` random memories) for every width d (rows) and number of pairs
 * N (columns), with `capacityTable`.
 *
 * @example
 * ```ts
 * import { capacity } from "./experiment.ts";
 * capacity({ seed: 1, dims: [8, 64], counts: [64], draws: 1 }).length; // 2
 * ```
 */
export function capacity(o: {
  seed: number;
  dims: number[];
  counts: number[];
  draws: number;
  onProgress?: (done: number, total: number) => void;
}): number[][] {
  return capacityTable(new Rng(o.seed), o.dims, o.counts, {
    draws: o.draws,
    onProgress: o.onProgress,
  });
}

/** One memory's score matrix and recall. */
export interface ScoreMatrix {
  /** v_j^T W u_i, row-major `[N, N]`: row i = input, column j = output; pair i → i. */
  scores: Float32Array;
  /** N. */
  count: number;
  /** Top-1 recall of this memory. */
  recall: number;
}

/**
 * The score matrix of one memory storing i → i (the permutation only relabels the outputs),
 * so a perfect memory has its largest score on the diagonal of every row.
 *
 * @example
 * ```ts
 * import { scoreMatrix } from "./experiment.ts";
 * scoreMatrix(64, 32, 0).recall; // 1
 * ```
 */
export function scoreMatrix(dim: number, count: number, seed: number): ScoreMatrix {
  const rng = new Rng(seed);
  const made: tf.Tensor[] = []; // freed even when a step or the readback throws
  const keep = <T extends tf.Tensor>(t: T): T => {
    made.push(t);
    return t;
  };
  try {
    const u = keep(randomEmbeddings(rng, count, dim)); // [N, d]
    const v = keep(randomEmbeddings(rng, count, dim)); // [N, d]
    const pairs = Array.from({ length: count }, (_, i): Pair => [i, i]);
    const w = keep(storePairs(u, v, pairs)); // [d, d]
    const s = keep(memoryScores(w, u, v)); // [N, N]
    const recall = recallAccuracy(w, u, v, pairs);
    return { scores: s.dataSync() as Float32Array, count, recall };
  } finally {
    tf.dispose(made);
  }
}

function argmax(xs: number[]): number {
  return xs.indexOf(Math.max(...xs));
}

/** What {@linkcode oneStepBigrams} measures for one width. */
export interface OneStepResult {
  /** The characters, in id order. */
  vocab: string;
  /** The input characters, most frequent first. */
  order: number[];
  /** π_u. */
  unigram: number[];
  /** For each input z: the memory's favourite k, its strength, π_b's favourite and its theory. */
  rows: { z: number; k: number; strength: number; best: number; theory: number }[];
  /** Inputs whose favourite matches π_b's among the 10 most frequent, and the 20 rarest. */
  frequent: number;
  /** See `frequent`. */
  rare: number;
  /** The share of the 65 characters recalled, and of the text (weighted by π_u). */
  share: number;
  /** See `share`. */
  mass: number;
  /** Correlation of all 65 × 65 strengths with π_u(z) (π_b(k|z) - 1/N). */
  correlation: number;
}

/**
 * One gradient step from W = 0 (lr = 1) on tiny Shakespeare's bigrams (p(z) = π_u,
 * p(k|z) = π_b): which associations the step stores, and how strongly.
 *
 * @example
 * ```ts
 * import { oneStepBigrams } from "./experiment.ts";
 * oneStepBigrams(42, 64).correlation; // close to 1
 * ```
 */
export function oneStepBigrams(seed: number, dim: number): OneStepResult {
  const stats = loadStats();
  const n = stats.vocab.length;
  const order = stats.unigram.map((p, z) => [p, z]).sort((a, b) => b[0] - a[0]).map((x) => x[1]);
  const rng = new Rng(seed + dim);
  const embed = randomEmbeddings(rng, n, dim); // [N, d]
  const unembed = randomEmbeddings(rng, n, dim); // [N, d]
  const pz = tf.tensor1d(stats.unigram);
  const pkz = tf.tensor2d(stats.bigram);
  let scores: number[][];
  try {
    const w1 = oneStepMemory(embed, unembed, pz, pkz, 1); // [d, d]
    const s = memoryScores(w1, embed, unembed); // [N, N]
    scores = s.arraySync() as number[][];
    tf.dispose([w1, s]);
  } finally {
    tf.dispose([embed, unembed, pz, pkz]);
  }
  const theory = stats.bigram.map((row, z) => row.map((p) => stats.unigram[z] * (p - 1 / n)));
  const hit = (z: number) => argmax(scores[z]) === argmax(stats.bigram[z]);
  return {
    vocab: stats.vocab,
    order,
    unigram: stats.unigram,
    rows: order.map((z) => {
      const k = argmax(scores[z]);
      const best = argmax(stats.bigram[z]);
      return { z, k, strength: scores[z][k], best, theory: theory[z][best] };
    }),
    frequent: order.slice(0, 10).filter(hit).length,
    rare: order.slice(-20).filter(hit).length,
    share: order.filter(hit).length / n,
    mass: order.filter(hit).reduce((s, z) => s + stats.unigram[z], 0),
    correlation: correlation(scores.flat(), theory.flat()),
  };
}

/**
 * Reading each slot of x = w_E(a) + p_t + R w_E(b) (65 tokens, 64 positions, `count` draws)
 * with `decode`: the share of tokens a, positions t and remapped tokens b read back.
 *
 * @example
 * ```ts
 * import { superposition } from "./experiment.ts";
 * superposition(42, 256, 100).token; // 1
 * ```
 */
export function superposition(
  seed: number,
  dim: number,
  count = 500,
): { token: number; position: number; remapped: number } {
  const rng = new Rng(seed * 31 + dim);
  const embed = randomEmbeddings(rng, 65, dim); // [65, d]
  const pos = randomEmbeddings(rng, 64, dim); // [64, d]
  const r = randomRemapping(rng, dim); // [d, d]
  const a = Array.from({ length: count }, () => rng.int(65));
  const t = Array.from({ length: count }, () => rng.int(64));
  const b = Array.from({ length: count }, () => rng.int(65));
  const remapped = tf.matMul(embed, r, false, true) as tf.Tensor2D; // row k: R w_E(k)
  const x = tf.tidy(() =>
    tf.add(tf.add(tf.gather(embed, a), tf.gather(pos, t)), tf.gather(remapped, b))
  ) as tf.Tensor2D; // [count, d]
  try {
    const acc = (got: number[], want: number[]) =>
      got.filter((g, i) => g === want[i]).length / count;
    return {
      token: acc(decode(x, embed), a),
      position: acc(decode(x, pos), t),
      remapped: acc(decode(x, remapped), b),
    };
  } finally {
    tf.dispose([embed, pos, r, remapped, x]);
  }
}
