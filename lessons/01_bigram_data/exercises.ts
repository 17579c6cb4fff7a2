// Your exercise file for lesson 1: replace each `throw notImplemented(...)` with your
// code. Check it with `deno task lesson 1`; `deno task lesson 1 --reset` restores
// this stub after saving a dated backup of your file.
// (Generated from solutions/01_bigram_data/exercises.ts by `deno task stubs`.)

/**
 * Lesson 1: the bigram data generator of Bietti et al. (2023), section 2.
 *
 * Each sequence mixes a global bigram distribution (tiny Shakespeare's character statistics)
 * with K in-context "trigger -> output" pairs drawn afresh for every sequence. The functions
 * below build the statistics, sample triggers and outputs, sample one sequence with the
 * trigger rule, and batch sequences into tensors with a label per target.
 *
 * @example
 * ```ts
 * import { defaultDataConfig, loadStats, makeBatch } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const batch = makeBatch(new Rng(42), loadStats(), { ...defaultDataConfig, seqLen: 32 }, 4);
 * batch.inputs.shape; // [4, 32]
 * ```
 * @module
 */
import { notImplemented } from "@lib/testing/mod.ts";
import * as tf from "@tensorflow/tfjs";
import type { Rng } from "@lib/rng/mod.ts";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };

/** The global statistics of the data: vocabulary, pi_u and pi_b. */
export interface BigramStats {
  /** The characters, in id order (id 0 is "\n", id 1 is " "). */
  vocab: string;
  /** pi_u: unigram probabilities, `[N]`, summing to 1. */
  unigram: number[];
  /** pi_b(j | i): `bigram[i][j]`, `[N, N]`, each row summing to 1. */
  bigram: number[][];
}

/**
 * How each trigger's output o_k is drawn: `uniform` over all N tokens (the authors' default),
 * `unigram` from pi_u, or `bigram` from pi_b(. | q_k) (the authors' `bigram_outs`).
 */
export type OutputDistribution = "uniform" | "unigram" | "bigram";

/** How sequences are generated (the paper's `DataArgs`). */
export interface DataConfig {
  /** T: the number of inputs per sequence (the generator makes T + 1 tokens). */
  seqLen: number;
  /** K: the number of triggers per sequence. */
  k: number;
  /** true: the K most frequent tokens (after `triggerOffset`) for every sequence. */
  fixedTriggers: boolean;
  /** With fixed triggers, skip this many of the most frequent tokens first. */
  triggerOffset: number;
  /** How the outputs are drawn: uniform over all N tokens, from pi_u, or from pi_b(.|q_k). */
  outputs: OutputDistribution;
}

/** The paper's README experiment: T = 256, K = 5 fixed triggers, uniform outputs. */
export const defaultDataConfig: DataConfig = {
  seqLen: 256,
  k: 5,
  fixedTriggers: true,
  triggerOffset: 0,
  outputs: "uniform",
};

/** One sampled sequence. */
export interface Sequence {
  /** z_1 .. z_{T+1}: T + 1 token ids. */
  tokens: number[];
  /** One label per target z_{t+1}, `[T]`: 0 global bigram, c >= 1 the c-th trigger occurrence. */
  labels: number[];
  /** This sequence's triggers q_1 .. q_K. */
  triggers: number[];
  /** Their outputs o_1 .. o_K (`outputs[k]` follows `triggers[k]`). */
  outputs: number[];
}

/** A batch of sequences as tensors. */
export interface Batch {
  /** z_1 .. z_T of each sequence, int32 `[batch, seq]`. */
  inputs: tf.Tensor2D;
  /** z_2 .. z_{T+1}, int32 `[batch, seq]`. */
  targets: tf.Tensor2D;
  /** The label of each target, int32 `[batch, seq]`. */
  labels: tf.Tensor2D;
  /** 1 where the label is >= 2 (an in-context target), else 0; float32 `[batch, seq]`. */
  inContextMask: tf.Tensor2D;
}

/**
 * The shipped tiny Shakespeare counts turned into statistics (uses your two functions below).
 *
 * @example
 * ```ts
 * import { loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * loadStats().vocab.length; // 65
 * ```
 */
export function loadStats(): BigramStats {
  return {
    vocab: counts.vocab,
    unigram: unigramFromCounts(counts.unigram_counts),
    bigram: bigramFromCounts(counts.bigram_counts),
  };
}

/**
 * Exercise 1.1. pi_u: normalise character counts into probabilities.
 *
 * @param counts `[N]` non-negative counts.
 * @returns `[N]` probabilities summing to 1.
 *
 * @example
 * ```ts
 * import { unigramFromCounts } from "@exercises/01_bigram_data/exercises.ts";
 * unigramFromCounts([1, 3]); // [0.25, 0.75]
 * ```
 */
export function unigramFromCounts(counts: number[]): number[] {
  throw notImplemented("unigramFromCounts");
}

/**
 * Exercise 1.1. pi_b(j | i): normalise each row of the pair counts (row i = current character,
 * column j = next one). A row with no counts becomes uniform.
 *
 * @param counts `[N, N]` non-negative pair counts.
 * @returns `[N, N]` rows summing to 1.
 *
 * @example
 * ```ts
 * import { bigramFromCounts } from "@exercises/01_bigram_data/exercises.ts";
 * bigramFromCounts([[1, 1], [0, 2]]); // [[0.5, 0.5], [0, 1]]
 * ```
 */
export function bigramFromCounts(counts: number[][]): number[][] {
  throw notImplemented("bigramFromCounts");
}

/**
 * Exercise 1.2. K distinct triggers drawn from pi_u without replacement: draw one token with
 * probability proportional to pi_u, remove it, renormalise, repeat.
 *
 * @param rng The seeded generator (use `rng.categorical(weights)`).
 * @param unigram `[N]` pi_u.
 * @param k How many triggers (at most the number of tokens with positive probability).
 * @returns `[k]` distinct token ids, in the order drawn.
 *
 * @example
 * ```ts
 * import { sampleTriggers } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * sampleTriggers(new Rng(1), [0.5, 0.3, 0.2], 2); // two distinct ids, e.g. [0, 2]
 * ```
 */
export function sampleTriggers(rng: Rng, unigram: number[], k: number): number[] {
  throw notImplemented("sampleTriggers");
}

/**
 * Exercise 1.2. The fixed-trigger variant: the K most frequent tokens under pi_u, most frequent
 * first (equally frequent ones in increasing id order), after skipping the `offset` most
 * frequent ones.
 *
 * @example
 * ```ts
 * import { topTriggers } from "@exercises/01_bigram_data/exercises.ts";
 * topTriggers([0.1, 0.6, 0.3], 2); // [1, 2]
 * ```
 */
export function topTriggers(unigram: number[], k: number, offset = 0): number[] {
  throw notImplemented("topTriggers");
}

/**
 * Exercise 1.3. One output per trigger, drawn independently, as `outputs` says: `uniform` over
 * all N tokens (`rng.int(N)`), `unigram` from pi_u, or `bigram` from pi_b(. | q_k) (the paper's
 * `bigram_outs`). Any other value is an error.
 *
 * @param rng The seeded generator.
 * @param triggers `[K]` trigger ids.
 * @param stats pi_u (`[N]`, N is its length) and pi_b (`[N, N]`).
 * @param outputs Which distribution the outputs come from.
 * @returns `[K]` output ids (they may repeat, or equal a trigger).
 *
 * @example
 * ```ts
 * import { loadStats, sampleOutputs } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * sampleOutputs(new Rng(3), [4, 7], loadStats(), "uniform"); // two ids in [0, 65)
 * ```
 */
export function sampleOutputs(
  rng: Rng,
  triggers: number[],
  stats: BigramStats,
  outputs: OutputDistribution,
): number[] {
  throw notImplemented("sampleOutputs");
}

/**
 * Exercise 1.4. One sequence of T + 1 tokens with the trigger rule:
 * z_1 ~ pi_u; then z_{t+1} = o_k if z_t = q_k, else z_{t+1} ~ pi_b(. | z_t).
 * The label of target z_{t+1} is 0 when z_t is not a trigger, else how many times z_t has
 * occurred so far (1 for its first occurrence, 2 for the second, ...).
 *
 * Draw in this order so that seeds agree with the reference (the tests check it): the triggers
 * (random ones with {@linkcode sampleTriggers}, fixed ones with {@linkcode topTriggers}), then the
 * outputs with {@linkcode sampleOutputs} (`config.outputs` says which distribution), or with
 * `drawOutputs` when it is given, then z_1, then each next token.
 *
 * @param drawOutputs Optional: draws the outputs instead of `sampleOutputs` (lesson 8 uses it
 *   for outputs restricted to a set of ids).
 *
 * @example
 * ```ts
 * import { defaultDataConfig, loadStats, sampleSequence } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const seq = sampleSequence(new Rng(0), loadStats(), { ...defaultDataConfig, seqLen: 16 });
 * seq.tokens.length; // 17
 * ```
 */
export function sampleSequence(
  rng: Rng,
  stats: BigramStats,
  config: DataConfig,
  drawOutputs?: (rng: Rng, triggers: number[]) => number[],
): Sequence {
  throw notImplemented("sampleSequence");
}

/**
 * Exercise 1.5. A batch of `batchSize` sequences (sampled one after another with
 * {@linkcode sampleSequence}) as tensors: inputs z_1..z_T, targets z_2..z_{T+1}, labels, and
 * the in-context mask (label >= 2).
 *
 * @example
 * ```ts
 * import { defaultDataConfig, loadStats, makeBatch } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const b = makeBatch(new Rng(0), loadStats(), { ...defaultDataConfig, seqLen: 8 }, 2);
 * b.targets.shape; // [2, 8]
 * ```
 */
export function makeBatch(
  rng: Rng,
  stats: BigramStats,
  config: DataConfig,
  batchSize: number,
): Batch {
  throw notImplemented("makeBatch");
}
