/**
 * Lesson 1's demo engine, loaded when the demo starts: samples sequences with the reference
 * generator (`solutions/01_bigram_data/exercises.ts`) and counts a batch's transitions with
 * TensorFlow.js, to set next to the global bigram table π_b.
 *
 * @example
 * ```ts
 * const { sampleBigramDemo } = await import("./bigram.ts");
 * const out = await sampleBigramDemo({ seed: 0, k: 5, fixedTriggers: true, outputs: "uniform", seqLen: 64, sequences: 3 });
 * out.sequences.length; // 3
 * ```
 * @module
 */
import { Rng } from "@lib/rng/mod.ts";
import {
  type BigramStats,
  defaultDataConfig,
  loadStats,
  makeBatch,
  sampleSequence,
  type Sequence,
} from "../../solutions/01_bigram_data/exercises.ts";
import { startBackend, tf } from "./tf.ts";

/** The demo's settings. */
export interface BigramSettings {
  /** The seed of the `Rng`. */
  seed: number;
  /** K, the number of triggers. */
  k: number;
  /** Fixed (the K most frequent tokens) or random triggers. */
  fixedTriggers: boolean;
  /** How outputs are drawn. */
  outputs: "uniform" | "bigram";
  /** T. */
  seqLen: number;
  /** How many sequences to show. */
  sequences: number;
}

/** What the demo shows. */
export interface BigramSample {
  /** The 65 characters, in id order. */
  vocab: string;
  /** π_b, row-major `[N, N]`. */
  bigram: Float32Array;
  /** Transition counts of a 64-sequence batch (inputs → targets), row-major `[N, N]`. */
  counts: Float32Array;
  /** The sequences shown. */
  sequences: Sequence[];
  /** The backend that counted. */
  backend: string;
}

/** Sequences in the counted batch. */
export const BATCH = 64;

let stats: BigramStats | undefined;
let backend: string | undefined;

/**
 * Samples the sequences and counts a batch.
 *
 * @example
 * ```ts
 * const { sampleBigramDemo } = await import("./bigram.ts");
 * const out = await sampleBigramDemo({ seed: 0, k: 5, fixedTriggers: true, outputs: "uniform", seqLen: 64, sequences: 3 });
 * out.sequences.length; // 3
 * ```
 */
export async function sampleBigramDemo(s: BigramSettings): Promise<BigramSample> {
  backend ??= (await startBackend("wasm")).name;
  stats ??= loadStats();
  const n = stats.vocab.length;
  const config = {
    ...defaultDataConfig,
    seqLen: s.seqLen,
    k: s.k,
    fixedTriggers: s.fixedTriggers,
    outputs: s.outputs,
  };
  const rng = new Rng(s.seed);
  const sequences = Array.from({ length: s.sequences }, () => sampleSequence(rng, stats!, config));
  const batch = makeBatch(new Rng(s.seed), stats, config, BATCH);
  const countsT = tf.tidy(() => {
    const from = tf.oneHot(batch.inputs.flatten(), n).toFloat(); // [batch * seq, N]
    const to = tf.oneHot(batch.targets.flatten(), n).toFloat(); // [batch * seq, N]
    return tf.matMul(from, to, true, false); // counts[i, j] = #(i then j): [N, N]
  });
  const counts = (await countsT.data()) as Float32Array;
  tf.dispose([countsT, batch.inputs, batch.targets, batch.labels, batch.inContextMask]);
  return {
    vocab: stats.vocab,
    bigram: Float32Array.from(stats.bigram.flat()),
    counts,
    sequences,
    backend,
  };
}
