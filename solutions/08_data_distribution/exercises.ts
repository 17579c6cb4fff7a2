/**
 * Lesson 8: what the data distribution does. The composition of the data (how many targets are
 * in-context, how often the global bigram alone predicts them), sequences whose outputs come from
 * a restricted set (the authors' train/test token split), the steps to 50% and 90% in-context
 * accuracy across data settings, and accuracy out of distribution against the bigram-alone
 * baseline (Bietti et al. 2023, Figure 4 and spec §6.3, [RECALL]).
 *
 * Sequences come from your lesson-1 generator (`@exercises/01_bigram_data/exercises.ts`); the
 * model is the library's.
 *
 * @example
 * ```ts
 * import { composition } from "@exercises/08_data_distribution/exercises.ts";
 * import { defaultDataConfig, loadStats, sampleSequence } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const stats = loadStats();
 * const rng = new Rng(0);
 * const seqs = Array.from({ length: 50 }, () => sampleSequence(rng, stats, defaultDataConfig));
 * composition(seqs, stats.bigram).inContextShare; // about 0.29
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type Batch,
  type BigramStats,
  type DataConfig,
  sampleSequence,
  type Sequence,
} from "@exercises/01_bigram_data/exercises.ts";
import { forward, type ModelConfig, type Params } from "@lib/model/mod.ts";
import type { Rng } from "@lib/rng/mod.ts";

/** What a set of sequences is made of. */
export interface Composition {
  /** Fraction of all targets that are in-context (label >= 2). */
  inContextShare: number;
  /** Fraction of all targets that are first occurrences (label 1). */
  firstShare: number;
  /** Fraction of all targets that are global (label 0). */
  globalShare: number;
  /** Mean number of in-context targets per sequence. */
  perSequence: number;
  /** Fraction of the sequences with no in-context target at all. */
  withNone: number;
  /** Fraction of the in-context targets that the global bigram alone predicts: argmax_j pi_b(j | z_t) = target. */
  bigramRight: number;
  /** Fraction of the inputs z_1 .. z_T that are one of their sequence's triggers. */
  triggerShare: number;
}

/**
 * Exercise 8.1. The composition of a set of sequences (lesson 1's `Sequence`: `tokens` z_1 ..
 * z_{T+1}, `labels` of the targets z_2 .. z_{T+1}, `triggers`). Target t (label `labels[t]`) is
 * `tokens[t + 1]`, predicted from input `tokens[t]`. The bigram-alone prediction of target t is
 * argmax_j pi_b(j | tokens[t]) (the smallest j on a tie).
 *
 * @example
 * ```ts
 * import { composition } from "@exercises/08_data_distribution/exercises.ts";
 * const seq = { tokens: [0, 1, 0, 1], labels: [1, 0, 2], triggers: [0], outputs: [1] };
 * composition([seq], [[0, 1], [1, 0]]).inContextShare; // 1/3
 * ```
 */
export function composition(sequences: Sequence[], bigram: number[][]): Composition {
  // BEGIN SOLUTION
  const best = bigram.map((row) => row.indexOf(Math.max(...row)));
  let targets = 0;
  let inContext = 0;
  let first = 0;
  let global = 0;
  let none = 0;
  let right = 0;
  let triggerInputs = 0;
  for (const seq of sequences) {
    const triggers = new Set(seq.triggers);
    let here = 0;
    seq.labels.forEach((label, t) => {
      targets++;
      if (triggers.has(seq.tokens[t])) triggerInputs++;
      if (label === 0) global++;
      else if (label === 1) first++;
      else {
        here++;
        if (best[seq.tokens[t]] === seq.tokens[t + 1]) right++;
      }
    });
    inContext += here;
    if (here === 0) none++;
  }
  const n = Math.max(sequences.length, 1);
  return {
    inContextShare: inContext / Math.max(targets, 1),
    firstShare: first / Math.max(targets, 1),
    globalShare: global / Math.max(targets, 1),
    perSequence: inContext / n,
    withNone: none / n,
    bigramRight: right / Math.max(inContext, 1),
    triggerShare: triggerInputs / Math.max(targets, 1),
  };
  // END SOLUTION
}

/**
 * Exercise 8.2. Lesson 1's sequence, with each trigger's output drawn **uniformly from
 * `outputSet`** (the authors' code restricts training outputs to the ids below 48 and tests on
 * 48 and up): call lesson 1's `sampleSequence` with a `drawOutputs` that draws
 * `outputSet[rng.int(outputSet.length)]` for each trigger, so that the draws keep lesson 1's
 * order (triggers, outputs, z_1, each next token). An empty set is an error.
 *
 * @example
 * ```ts
 * import { sampleSequenceWithOutputs } from "@exercises/08_data_distribution/exercises.ts";
 * import { defaultDataConfig, loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const s = sampleSequenceWithOutputs(new Rng(0), loadStats(), defaultDataConfig, [60, 61]);
 * s.outputs.every((o) => o === 60 || o === 61); // true
 * ```
 */
export function sampleSequenceWithOutputs(
  rng: Rng,
  stats: BigramStats,
  config: DataConfig,
  outputSet: number[],
): Sequence {
  // BEGIN SOLUTION
  if (outputSet.length === 0) throw new Error("sampleSequenceWithOutputs: empty output set");
  return sampleSequence(
    rng,
    stats,
    config,
    (r, triggers) => triggers.map(() => outputSet[r.int(outputSet.length)]),
  );
  // END SOLUTION
}

/**
 * Sequences as a lesson-1 `Batch` (inputs, targets, labels, in-context mask), for training and
 * evaluation. The caller disposes the tensors.
 *
 * @example
 * ```ts
 * import { toBatch } from "@exercises/08_data_distribution/exercises.ts";
 * const b = toBatch([{ tokens: [0, 1, 0], labels: [1, 0], triggers: [0], outputs: [1] }]);
 * b.inputs.shape; // [1, 2]
 * ```
 */
export function toBatch(sequences: Sequence[]): Batch {
  const b = sequences.length;
  const t = sequences[0].labels.length;
  const rows = (f: (s: Sequence) => number[]) => sequences.map(f);
  return {
    inputs: tf.tensor2d(rows((s) => s.tokens.slice(0, t)), [b, t], "int32"),
    targets: tf.tensor2d(rows((s) => s.tokens.slice(1, t + 1)), [b, t], "int32"),
    labels: tf.tensor2d(rows((s) => s.labels), [b, t], "int32"),
    inContextMask: tf.tensor2d(rows((s) => s.labels.map((l) => (l >= 2 ? 1 : 0))), [b, t]),
  };
}

/**
 * Exercise 8.3. The first evaluation step at which the in-context accuracy reaches `threshold`,
 * or null when it never does (the run stopped earlier, or was too short).
 *
 * @param steps The steps of the evaluations, ascending.
 * @param acc The in-context accuracy at each of them.
 *
 * @example
 * ```ts
 * import { stepsTo } from "@exercises/08_data_distribution/exercises.ts";
 * stepsTo([0, 10, 20], [0.1, 0.6, 0.95], 0.5); // 10
 * ```
 */
export function stepsTo(steps: number[], acc: number[], threshold: number): number | null {
  // BEGIN SOLUTION
  if (steps.length !== acc.length) {
    throw new Error(`stepsTo: ${steps.length} steps but ${acc.length} accuracies`);
  }
  const i = acc.findIndex((a) => a >= threshold);
  return i < 0 ? null : steps[i];
  // END SOLUTION
}

/** Accuracy on the in-context targets of a batch, of the model and of the bigram alone. */
export interface OodAccuracy {
  /** The model's in-context accuracy (argmax of the logits = target). */
  model: number;
  /** The bigram-alone accuracy on the same targets (argmax_j pi_b(j | z_t) = target). */
  bigram: number;
  /** The number of in-context targets. */
  count: number;
}

/**
 * Exercise 8.4. The model's in-context accuracy on `batch` next to what the global bigram alone
 * gets on the same in-context targets (argmax_j pi_b(j | z_t), the smallest j on a tie): the
 * difference separates "it learned to copy" from "it learned the bigrams".
 *
 * @example
 * ```ts
 * import { oodAccuracy, toBatch } from "@exercises/08_data_distribution/exercises.ts";
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 4 };
 * const b = toBatch([{ tokens: [0, 1, 0, 1, 0], labels: [1, 0, 2, 0], triggers: [0], outputs: [1] }]);
 * oodAccuracy(initParams(config), config, b, loadStats().bigram).count; // 1
 * ```
 */
export function oodAccuracy(
  params: Params,
  config: ModelConfig,
  batch: Batch,
  bigram: number[][],
): OodAccuracy {
  // BEGIN SOLUTION
  const predicted = tf.tidy(() =>
    forward(params, config, batch.inputs).logits.argMax(-1).dataSync()
  );
  const z = batch.inputs.dataSync();
  const y = batch.targets.dataSync();
  const labels = batch.labels.dataSync();
  const best = bigram.map((row) => row.indexOf(Math.max(...row)));
  let count = 0;
  let model = 0;
  let alone = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] < 2) continue;
    count++;
    if (predicted[i] === y[i]) model++;
    if (best[z[i]] === y[i]) alone++;
  }
  return { model: model / Math.max(count, 1), bigram: alone / Math.max(count, 1), count };
  // END SOLUTION
}
