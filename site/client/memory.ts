/**
 * Lesson 3's demo engine, loaded when the demo starts: the capacity experiment of an
 * associative memory W = Σ_i v_{f(i)} u_i^T with the lesson's reference code, one (d, N) point at
 * a time so the page can plot recall as it comes, and the score matrix v_j^T W u_i of one memory.
 *
 * @example
 * ```ts
 * const { recallPoint } = await import("./memory.ts");
 * await recallPoint(64, 128, 0, 2); // about 0.95
 * ```
 * @module
 */
import { Rng } from "@lib/rng/mod.ts";
import {
  memoryScores,
  type Pair,
  randomEmbeddings,
  randomMemoryRecall,
  recallAccuracy,
  storePairs,
} from "../../solutions/03_associative_memory/exercises.ts";
import { startBackend, tf } from "./tf.ts";

let backend: string | undefined;

/**
 * Starts TensorFlow.js (wasm) once and says which backend runs.
 *
 * @example
 * ```ts
 * import { ready } from "./memory.ts";
 * await ready(); // "wasm"
 * ```
 */
export async function ready(): Promise<string> {
  backend ??= (await startBackend("wasm")).name;
  return backend;
}

/**
 * The mean top-1 recall of `draws` random memories of N pairs in dimension d.
 *
 * @example
 * ```ts
 * import { recallPoint } from "./memory.ts";
 * await recallPoint(32, 16, 0); // about 0.98
 * ```
 */
export async function recallPoint(
  dim: number,
  count: number,
  seed: number,
  draws = 2,
): Promise<number> {
  await ready();
  const rng = new Rng(seed);
  let sum = 0;
  for (let k = 0; k < draws; k++) sum += randomMemoryRecall(rng, dim, count);
  return sum / draws;
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
 * import { scoreMatrix } from "./memory.ts";
 * (await scoreMatrix(64, 32, 0)).recall; // 1
 * ```
 */
export async function scoreMatrix(dim: number, count: number, seed: number): Promise<ScoreMatrix> {
  await ready();
  const rng = new Rng(seed);
  const made: tf.Tensor[] = []; // freed even when a step or the readback throws
  const keep = <T extends tf.Tensor>(t: T): T => {
    made.push(t);
    return t;
  };
  try {
    const u = keep(randomEmbeddings(rng, count, dim));
    const v = keep(randomEmbeddings(rng, count, dim));
    const pairs = Array.from({ length: count }, (_, i): Pair => [i, i]);
    const w = keep(storePairs(u, v, pairs));
    const s = keep(memoryScores(w, u, v));
    const recall = recallAccuracy(w, u, v, pairs);
    const scores = (await s.data()) as Float32Array;
    return { scores, count, recall };
  } finally {
    tf.dispose(made);
  }
}
