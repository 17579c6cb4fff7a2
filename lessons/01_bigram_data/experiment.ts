/**
 * Lesson 1's experiment, shared by the terminal demo (`demo.ts`, which prints it) and the site's
 * island (`site/islands/bigram_demo.tsx`, which draws it): settings in, plain data out. It runs
 * the generator imported through `@exercises/`, so the learner's code or the reference,
 * whichever the import map points at. The caller starts the TensorFlow.js backend.
 *
 * @example
 * ```ts
 * import { sampleBigram } from "./experiment.ts";
 * const out = await sampleBigram({ seed: 0, k: 5, fixedTriggers: true, outputs: "uniform", seqLen: 64, sequences: 3, batch: 8 });
 * out.sequences.length; // 3
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type BigramStats,
  type DataConfig,
  defaultDataConfig,
  loadStats,
  makeBatch,
  sampleSequence,
  type Sequence,
} from "@exercises/01_bigram_data/exercises.ts";
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };
import { Rng } from "@lib/rng/mod.ts";

/** The experiment's settings. */
export interface BigramSettings {
  /** The seed of the `Rng`. */
  seed: number;
  /** K, the number of triggers. */
  k: number;
  /** Fixed (the K most frequent tokens) or random triggers. */
  fixedTriggers: boolean;
  /** How outputs are drawn (uniform, from pi_u, or from pi_b). */
  outputs: DataConfig["outputs"];
  /** T. */
  seqLen: number;
  /** How many sequences to sample (from `new Rng(seed)`, one after the other). */
  sequences: number;
  /** How many sequences the counted batch holds (`makeBatch(new Rng(seed), ...)`). */
  batch: number;
}

/** What {@linkcode sampleBigram} returns. */
export interface BigramSample {
  /** The 65 characters, in id order. */
  vocab: string;
  /** π_u, one probability per character. */
  unigram: number[];
  /** π_b, row-major `[N, N]`. */
  bigram: Float32Array;
  /** Transition counts of the batch (inputs → targets), row-major `[N, N]`. */
  counts: Float32Array;
  /** The shape of the batch's inputs, `[batch, seq]`. */
  batchShape: number[];
  /** The share of the batch's targets with label 0 (global), 1 (first output), ≥ 2 (in-context). */
  labelShares: { global: number; first: number; inContext: number };
  /** The sequences sampled. */
  sequences: Sequence[];
  /** The backend that counted. */
  backend: string;
}

let stats: BigramStats | undefined;

function config(s: Pick<BigramSettings, "k" | "fixedTriggers" | "outputs" | "seqLen">) {
  return {
    ...defaultDataConfig,
    seqLen: s.seqLen,
    k: s.k,
    fixedTriggers: s.fixedTriggers,
    outputs: s.outputs,
  };
}

/**
 * Samples the sequences and a batch, counts the batch's transitions with TensorFlow.js.
 *
 * @example
 * ```ts
 * import { sampleBigram } from "./experiment.ts";
 * const out = await sampleBigram({ seed: 1, k: 3, fixedTriggers: false, outputs: "bigram", seqLen: 32, sequences: 1, batch: 4 });
 * out.batchShape; // [4, 32]
 * ```
 */
export async function sampleBigram(s: BigramSettings): Promise<BigramSample> {
  stats ??= loadStats();
  const n = stats.vocab.length;
  const rng = new Rng(s.seed);
  const sequences = Array.from(
    { length: s.sequences },
    () => sampleSequence(rng, stats!, config(s)),
  );
  const batch = makeBatch(new Rng(s.seed), stats, config(s), s.batch);
  try {
    const countsT = tf.tidy(() => {
      const from = tf.oneHot(batch.inputs.flatten(), n).toFloat(); // [batch * seq, N]
      const to = tf.oneHot(batch.targets.flatten(), n).toFloat(); // [batch * seq, N]
      return tf.matMul(from, to, true, false); // counts[i, j] = #(i then j): [N, N]
    });
    const transitions = (await countsT.data()) as Float32Array;
    countsT.dispose();
    const labels = Array.from(await batch.labels.data());
    const share = (f: (l: number) => boolean) => labels.filter(f).length / labels.length;
    return {
      vocab: stats.vocab,
      unigram: stats.unigram,
      bigram: Float32Array.from(stats.bigram.flat()),
      counts: transitions,
      batchShape: batch.inputs.shape,
      labelShares: {
        global: share((l) => l === 0),
        first: share((l) => l === 1),
        inContext: share((l) => l >= 2),
      },
      sequences,
      backend: tf.getBackend(),
    };
  } finally {
    tf.dispose([batch.inputs, batch.targets, batch.labels, batch.inContextMask]);
  }
}

/**
 * The share of in-context targets (label ≥ 2) over `sequences` sampled sequences.
 *
 * @example
 * ```ts
 * import { inContextShare } from "./experiment.ts";
 * inContextShare({ seed: 0, k: 5, fixedTriggers: true, outputs: "uniform", seqLen: 256 }, 100); // about 0.29
 * ```
 */
export function inContextShare(
  s: Pick<BigramSettings, "seed" | "k" | "fixedTriggers" | "outputs" | "seqLen">,
  sequences: number,
): number {
  stats ??= loadStats();
  const rng = new Rng(s.seed);
  let hits = 0;
  let total = 0;
  for (let i = 0; i < sequences; i++) {
    const labels = sampleSequence(rng, stats, config(s)).labels;
    hits += labels.filter((x) => x >= 2).length;
    total += labels.length;
  }
  return hits / total;
}

/** One row of {@linkcode empiricalBigrams}: a character's next-character distribution. */
export interface BigramRow {
  /** The character's id. */
  id: number;
  /** How many transitions from it were seen. */
  seen: number;
  /** The total variation distance between the seen and the true distribution. */
  tv: number;
  /** The most likely next characters: id, true probability, seen share. */
  top: { id: number; p: number; seen: number }[];
}

/**
 * Empirical against true next-character distributions of the `rows` most frequent characters,
 * over `sequences` sequences of length `seqLen` without triggers (K = 0).
 *
 * @example
 * ```ts
 * import { empiricalBigrams } from "./experiment.ts";
 * empiricalBigrams({ seed: 0, sequences: 20, seqLen: 64, rows: 2 }).length; // 2
 * ```
 */
export function empiricalBigrams(
  o: { seed: number; sequences: number; seqLen: number; rows: number },
): BigramRow[] {
  stats ??= loadStats();
  const n = stats.unigram.length;
  const rng = new Rng(o.seed);
  const pairCounts = Array.from({ length: n }, () => new Array(n).fill(0));
  const c = { ...defaultDataConfig, seqLen: o.seqLen, k: 0 };
  for (let s = 0; s < o.sequences; s++) {
    const z = sampleSequence(rng, stats, c).tokens;
    for (let t = 0; t + 1 < z.length; t++) pairCounts[z[t]][z[t + 1]]++;
  }
  const byFreq = stats.unigram.map((p, i) => [p, i]).sort((a, b) => b[0] - a[0]);
  return byFreq.slice(0, o.rows).map(([, i]) => {
    const row = pairCounts[i];
    const seen = row.reduce((a, b) => a + b, 0);
    const truth = stats!.bigram[i];
    const tv = row.reduce((acc, x, j) => acc + Math.abs(x / seen - truth[j]), 0) / 2;
    const top = truth.map((p, j) => ({ id: j, p, seen: row[j] / seen }))
      .sort((a, b) => b.p - a.p).slice(0, 3);
    return { id: i, seen, tv, top };
  });
}

/**
 * What the bigram statistics allow: the Bayes loss (nats) and top-1 accuracy of the true bigram
 * model on global targets, and the rarest character with its count in tiny Shakespeare.
 *
 * @example
 * ```ts
 * import { bigramLimits } from "./experiment.ts";
 * bigramLimits().bayesLoss; // about 2.453
 * ```
 */
export function bigramLimits(): {
  bayesLoss: number;
  top1: number;
  rarest: { id: number; count: number; of: number };
} {
  stats ??= loadStats();
  let bayesLoss = 0;
  let top1 = 0;
  stats.bigram.forEach((row, i) => {
    row.forEach((p) => (bayesLoss -= p > 0 ? stats!.unigram[i] * p * Math.log(p) : 0));
    top1 += stats!.unigram[i] * Math.max(...row);
  });
  const all = counts.unigram_counts;
  const id = all.lastIndexOf(Math.min(...all));
  return { bayesLoss, top1, rarest: { id, count: all[id], of: all.reduce((a, b) => a + b, 0) } };
}
