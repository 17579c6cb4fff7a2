/**
 * Lesson 8's experiment, settings in, plain data out: the composition of the data in each
 * setting (live, with the lesson's exercises), the sweep's steps to 50% and 90% in-context
 * accuracy and the out-of-distribution table (from the cached runs of `sweep.ts` and `ood.ts`,
 * also kept as `figures/results.json` for the site), and the sweep's figure. It runs the
 * exercises imported through `@exercises/` (lessons 1 and 8): the learner's code or the
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
import * as ex1 from "@exercises/01_bigram_data/exercises.ts";
import * as ex8 from "@exercises/08_data_distribution/exercises.ts";
import type { Composition } from "@exercises/08_data_distribution/exercises.ts";
import type { DataConfig } from "@exercises/01_bigram_data/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import { figure, lineChart, type Series } from "@lib/train/plot.ts";
import type { SweepResult } from "./sweep.ts";
import type { OodResult } from "./ood.ts";
import cached from "./figures/results.json" with { type: "json" };

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

/** A data setting of the composition table. */
export interface DataSetting {
  /** Its name in the table. */
  name: string;
  /** Lesson 1's config, over the default (T from the table's settings). */
  data: Partial<DataConfig>;
  /** Outputs uniform over these ids (Exercise 8.2), instead of lesson 1's outputs. */
  outputSet?: number[];
}

/** The settings of the composition table. */
export const COMPOSITION_SETTINGS: DataSetting[] = [
  { name: "fixed K=5", data: {} },
  { name: "random K=5", data: { fixedTriggers: false } },
  { name: "fixed K=5, outputs ~ pi_b", data: { outputs: "bigram" } },
  { name: "random K=5, outputs ~ pi_b", data: { fixedTriggers: false, outputs: "bigram" } },
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
 * compositionTable(COMPOSITION_SETTINGS, { count: 10, seqLen: 64, seed: 0 }).length; // 13
 * ```
 */
export function compositionTable(
  settings: DataSetting[],
  options: { count: number; seqLen: number; seed: number },
): CompositionRow[] {
  const stats = ex1.loadStats();
  return settings.map((s) => {
    const rng = new Rng(options.seed);
    const config = { ...ex1.defaultDataConfig, ...s.data, seqLen: options.seqLen };
    const seqs = Array.from(
      { length: options.count },
      () =>
        s.outputSet
          ? ex8.sampleSequenceWithOutputs(rng, stats, config, s.outputSet)
          : ex1.sampleSequence(rng, stats, config),
    );
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
