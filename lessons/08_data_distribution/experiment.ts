/**
 * Lesson 8's experiment, settings in, plain data out: the composition of the data in each
 * setting (live, with the lesson's exercises), a short training run on a setting (small enough
 * for the browser; `ood.ts` trains on settings with the same trainer), the sweep's steps to 50%
 * and 90% in-context accuracy and the out-of-distribution table (from the cached runs of
 * `sweep.ts` and `ood.ts`, also kept as `figures/results.json` for the site), and the sweep's
 * figure. It runs the
 * exercises imported through `@exercises/` (lessons 1, 5 and 8): the learner's code or the
 * reference, whichever the import map points at. The demo prints it, the site's island draws it.
 *
 * @example
 * ```ts
 * import { compositionTable, COMPOSITION_SETTINGS } from "./experiment.ts";
 * const rows = compositionTable(COMPOSITION_SETTINGS.slice(0, 1), { count: 20, seqLen: 256, seed: 0 });
 * rows[0].inContextShare; // about 0.29
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as ex1 from "@exercises/01_bigram_data/exercises.ts";
import * as ex5 from "@exercises/05_training/exercises.ts";
import * as ex8 from "@exercises/08_data_distribution/exercises.ts";
import type { Composition, OodAccuracy } from "@exercises/08_data_distribution/exercises.ts";
import type {
  Batch,
  BigramStats,
  DataConfig,
  Sequence,
} from "@exercises/01_bigram_data/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import { presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { type EvalRecord, train, Trainer } from "@lib/train/trainer.ts";
import { figure, lineChart, type Series } from "@lib/train/plot.ts";
import type { SweepResult } from "./sweep.ts";
import cached from "./figures/results.json" with { type: "json" };

/** One finished out-of-distribution run of `ood.ts`, as stored. */
export interface OodResult {
  /** The run's key. */
  name: string;
  /** Training steps. */
  steps: number;
  /** The in-context accuracy of the last training evaluation. */
  trainAcc: number;
  /** One row per test distribution. */
  tests: { name: string; model: number; bigram: number; count: number }[];
  /** Wall time, seconds. */
  seconds: number;
}

/** The cached runs (sweep and out-of-distribution), as the site reads them. */
export interface CachedResults {
  /** The sweep's finished settings. */
  sweep: SweepResult[];
  /** The finished out-of-distribution runs. */
  ood: OodResult[];
}

/**
 * The runs cached in `figures/results.json` (written by `deno task demo 8 --replot` from the
 * JSONL files).
 *
 * @example
 * ```ts
 * import { cachedResults } from "./experiment.ts";
 * cachedResults().sweep.length; // the settings run so far
 * ```
 */
export function cachedResults(): CachedResults {
  return cached as CachedResults;
}

/**
 * A data setting (a row of the composition table, a distribution that `ood.ts` trains or tests
 * on, a setting the page trains on).
 */
export interface DataSetting {
  /** Its name in the tables. */
  name: string;
  /** Lesson 1's config, over the default (T comes from where the setting is used). */
  data: Partial<DataConfig>;
  /** Outputs uniform over these ids (Exercise 8.2), instead of lesson 1's outputs. */
  outputSet?: number[];
}

/**
 * `count` sequences of length `seqLen` of a setting, drawn one after another from `rng`: lesson
 * 1's `sampleSequence`, or Exercise 8.2's `sampleSequenceWithOutputs` when the setting restricts
 * the outputs.
 *
 * @example
 * ```ts
 * import { COMPOSITION_SETTINGS, sampleSetting } from "./experiment.ts";
 * import { loadStats } from "@exercises/01_bigram_data/exercises.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * sampleSetting(new Rng(0), loadStats(), COMPOSITION_SETTINGS[0], 64, 3).length; // 3
 * ```
 */
export function sampleSetting(
  rng: Rng,
  stats: BigramStats,
  setting: DataSetting,
  seqLen: number,
  count: number,
): Sequence[] {
  const config = { ...ex1.defaultDataConfig, ...setting.data, seqLen };
  const { outputSet } = setting;
  return Array.from(
    { length: count },
    () =>
      outputSet
        ? ex8.sampleSequenceWithOutputs(rng, stats, config, outputSet)
        : ex1.sampleSequence(rng, stats, config),
  );
}

/**
 * `count` sequences of a setting as a batch (the caller disposes it).
 *
 * @example
 * ```ts
 * import { COMPOSITION_SETTINGS, sampleBatch } from "./experiment.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * sampleBatch(new Rng(0), COMPOSITION_SETTINGS[2], 64, 4).inputs.shape; // [4, 64]
 * ```
 */
export function sampleBatch(rng: Rng, setting: DataSetting, seqLen: number, count: number): Batch {
  return ex8.toBatch(sampleSetting(rng, ex1.loadStats(), setting, seqLen, count));
}

/**
 * A trainer (the lessons' parts: lessons 1 and 5) whose batches come from a data setting, so
 * that restricted output sets train too. Batch `s` is drawn from `new Rng(seed).fork(s)`.
 *
 * @example
 * ```ts
 * import { COMPOSITION_SETTINGS, SettingTrainer } from "./experiment.ts";
 * import { presets } from "@lib/train/config.ts";
 * const trainer = new SettingTrainer(presets.tiny, COMPOSITION_SETTINGS[4]);
 * trainer.step();
 * trainer.dispose();
 * ```
 */
export class SettingTrainer extends Trainer {
  #setting: DataSetting;
  /** A fresh model for `config`, trained on `setting` (its `data` is applied over `config`'s). */
  constructor(config: TrainConfig, setting: DataSetting) {
    super(withOverrides(config, { data: setting.data }), trainerParts(ex1, ex5));
    this.#setting = setting;
  }
  /** Batch `s` of the setting. */
  override batchAt(s: number): Batch {
    const rng = new Rng(this.config.seed).fork(s);
    return sampleBatch(rng, this.#setting, this.config.data.seqLen, this.config.batchSize);
  }
}

/** What one evaluation of {@linkcode trainSetting} reports. */
export interface SettingEval {
  /** The step. */
  step: number;
  /** The loss on the in-context targets of the evaluated batch. */
  loss: number;
  /** The in-context accuracy on that batch. */
  inContextAcc: number;
}

/** What {@linkcode trainSetting} returns. */
export interface SettingRun {
  /** The configuration that trained (the `tiny` preset with the setting's data). */
  config: TrainConfig;
  /** Every evaluation. */
  evals: SettingEval[];
  /**
   * On 64 fresh sequences of the setting (seed 1000): the model's in-context accuracy and the
   * bigram alone's (Exercise 8.4).
   */
  final: OodAccuracy;
}

/**
 * Trains the `tiny` preset (d = 64, T = 32, batch 32, SGD lr 0.2; seeds 42 and 0) for `steps`
 * steps on a data setting, evaluating every 10 steps, then compares the model with the bigram
 * alone on fresh sequences of the setting (Exercise 8.4). Small enough for the browser: the page
 * runs 150 steps. `signal` stops it after the current step.
 *
 * @example
 * ```ts
 * import { COMPOSITION_SETTINGS, trainSetting } from "./experiment.ts";
 * const run = await trainSetting(COMPOSITION_SETTINGS[0], { steps: 20 });
 * run.evals.at(-1)!.step; // 20
 * ```
 */
export async function trainSetting(
  setting: DataSetting,
  options: { steps: number; onEval?: (e: SettingEval) => void; signal?: AbortSignal },
): Promise<SettingRun> {
  const config = withOverrides(presets.tiny, {
    steps: options.steps,
    evalEvery: 10,
    data: setting.data,
  });
  const trainer = new SettingTrainer(config, setting);
  try {
    const view = (r: EvalRecord): SettingEval => ({
      step: r.step,
      loss: r.lossInContext,
      inContextAcc: r.inContextAcc,
    });
    const records = await train(config, {
      trainer,
      signal: options.signal,
      onEval: (r) => options.onEval?.(view(r)),
    });
    const batch = sampleBatch(new Rng(1000), setting, config.data.seqLen, 64);
    try {
      const final = ex8.oodAccuracy(trainer.params, config.model, batch, ex1.loadStats().bigram);
      return { config: trainer.config, evals: records.map(view), final };
    } finally {
      tf.dispose(Object.values(batch));
    }
  } finally {
    trainer.dispose();
  }
}

/** The settings of the composition table. */
export const COMPOSITION_SETTINGS: DataSetting[] = [
  { name: "fixed K=5", data: {} },
  { name: "random K=5", data: { fixedTriggers: false } },
  { name: "fixed K=5, outputs ~ pi_b", data: { outputs: "bigram" } },
  { name: "random K=5, outputs ~ pi_b", data: { fixedTriggers: false, outputs: "bigram" } },
  { name: "fixed K=5, outputs ~ pi_u", data: { outputs: "unigram" } },
  { name: "random K=5, outputs ~ pi_u", data: { fixedTriggers: false, outputs: "unigram" } },
  { name: "fixed K=5, outputs < 48", data: {}, outputSet: Array.from({ length: 48 }, (_, i) => i) },
  { name: "fixed K=5, skip 5", data: { triggerOffset: 5 } },
  { name: "fixed K=5, skip 10", data: { triggerOffset: 10 } },
  { name: "fixed K=1", data: { k: 1 } },
  { name: "fixed K=3", data: { k: 3 } },
  { name: "fixed K=10", data: { k: 10 } },
  { name: "random K=1", data: { k: 1, fixedTriggers: false } },
  { name: "random K=3", data: { k: 3, fixedTriggers: false } },
  { name: "random K=10", data: { k: 10, fixedTriggers: false } },
];

/** One row of the composition table. */
export interface CompositionRow extends Composition {
  /** The setting's name. */
  name: string;
}

/**
 * The composition of `count` sequences of length `seqLen` in each setting, each drawn from
 * `new Rng(seed)`.
 *
 * @example
 * ```ts
 * import { compositionTable, COMPOSITION_SETTINGS } from "./experiment.ts";
 * compositionTable(COMPOSITION_SETTINGS, { count: 10, seqLen: 64, seed: 0 }).length; // 15
 * ```
 */
export function compositionTable(
  settings: DataSetting[],
  options: { count: number; seqLen: number; seed: number },
): CompositionRow[] {
  const stats = ex1.loadStats();
  return settings.map((s) => {
    const seqs = sampleSetting(new Rng(options.seed), stats, s, options.seqLen, options.count);
    return { name: s.name, ...ex8.composition(seqs, stats.bigram) };
  });
}

/** One row of the sweep table. */
export interface SweepRow {
  /** The setting's key. */
  key: string;
  /** K. */
  k: number;
  /** Fixed or random triggers. */
  fixed: boolean;
  /** Frequent tokens skipped. */
  offset: number;
  /** First evaluation step with in-context accuracy >= 0.5, or null. */
  to50: number | null;
  /** First evaluation step with in-context accuracy >= 0.9, or null. */
  to90: number | null;
  /** The last evaluation's step and accuracy. */
  last: { step: number; acc: number };
}

/**
 * The sweep's table: steps to 50% and 90% in-context accuracy (Exercise 8.3), in the order of
 * K, then fixed (skip 0, 5, 10), then random.
 *
 * @example
 * ```ts
 * import { sweepTable } from "./experiment.ts";
 * sweepTable([]); // []
 * ```
 */
export function sweepTable(results: SweepResult[]): SweepRow[] {
  const order = (r: SweepResult) => r.k * 100 + (r.fixed ? r.offset : 50);
  return [...results].sort((a, b) => order(a) - order(b)).map((r) => ({
    key: r.key,
    k: r.k,
    fixed: r.fixed,
    offset: r.offset,
    to50: ex8.stepsTo(r.steps, r.acc, 0.5),
    to90: ex8.stepsTo(r.steps, r.acc, 0.9),
    last: { step: r.steps[r.steps.length - 1], acc: r.acc[r.acc.length - 1] },
  }));
}

/**
 * The sweep's figure: in-context accuracy against steps, one panel per K, one curve per trigger
 * setting (SVG).
 *
 * @example
 * ```ts
 * import { sweepFigure } from "./experiment.ts";
 * sweepFigure([]).startsWith("<svg"); // true
 * ```
 */
export function sweepFigure(results: SweepResult[]): string {
  const ks = [...new Set(results.map((r) => r.k))].sort((a, b) => a - b);
  const charts = ks.map((k) => {
    const series: Series[] = results
      .filter((r) => r.k === k)
      .sort((a, b) => (a.fixed ? a.offset : 50) - (b.fixed ? b.offset : 50))
      .map((r) => ({
        name: r.fixed ? `fixed, skip ${r.offset}` : "random",
        points: r.steps.map((s, i) => [s, r.acc[i]] as [number, number]),
        dashed: !r.fixed,
      }));
    return lineChart(series, {
      title: `K = ${k}`,
      xLabel: "step",
      yLabel: "in-context accuracy",
      yMin: 0,
      yMax: 1,
      hLines: [{ y: 0.5, label: "50%" }, { y: 0.9, label: "90%" }],
      legend: "bottom-right",
      width: 400,
      height: 260,
    });
  });
  if (charts.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`;
  return figure(charts, {
    columns: 2,
    title: "In-context accuracy of the cpu preset, by number and kind of triggers",
  });
}
