/**
 * Lesson 9's experiment, settings in, plain data out: a variant of the model trained live at a
 * small size (one layer, a freezing schedule, the loss on all targets with W_F, learned
 * embeddings, or the full transformer), and the cached `cpu`-preset runs of every variant
 * (`runs.ts`, `figures/runs.jsonl`, kept as `figures/results.json` for the site) as tables and
 * figures. It runs the exercises imported through `@exercises/` (lessons 1, 5, 8 and 9): the
 * learner's code or the reference, whichever the import map points at. The demo prints it, the
 * site's island draws it.
 *
 * @example
 * ```ts
 * import { cachedRuns, runTable } from "./experiment.ts";
 * runTable(cachedRuns()).map((r) => r.key); // the cached runs
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { stepsTo } from "@exercises/08_data_distribution/exercises.ts";
import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
import { batchMetrics, fullForward } from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { fullPreset, FullTrainer } from "@lib/train/full.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { figure, heatmapChart, lineChart, type Series } from "@lib/train/plot.ts";
import {
  FULL_MAP_SEED,
  FULL_RUNS,
  fullRunConfig,
  type Metric,
  runConfig,
  type RunResult,
  RUNS,
  setUpVariant,
} from "./variants.ts";
import cached from "./figures/results.json" with { type: "json" };
import counts from "@lib/data/tinyshakespeare_counts.json" with { type: "json" };

export { FULL_RUNS, RUNS };
export type { Metric, RunResult };

/** The variants the live demo can train: the cached ones and the full transformer. */
export const LIVE_VARIANTS: { key: string; title: string }[] = [
  ...RUNS.filter((r) => r.key !== "freeze-none" && r.key !== "two-layer").map((r) => ({
    key: r.key,
    title: r.title,
  })),
  { key: "two-layer", title: "two layers (the simplified model)" },
  { key: "full", title: "the full transformer (2 layers x 4 heads, AdamW)" },
];

/**
 * The default length of a live run: 200 steps, and 400 for the full transformer, whose
 * induction head grows between steps 200 and 300 at the live size (d = 32, T = 32, batch 32:
 * lesson 9's README).
 *
 * @example
 * ```ts
 * import { liveSteps } from "./experiment.ts";
 * liveSteps("full"); // 400
 * ```
 */
export function liveSteps(key: string): number {
  return key === "full" ? 400 : 200;
}

/** One evaluation of a live run. */
export interface LivePoint {
  /** Steps done. */
  step: number;
  /** In-context accuracy on the batch the next step trains on. */
  inContextAcc: number;
  /** Cross-entropy on the global (label 0) targets. */
  lossGlobal: number;
  /** The probes of the simplified model (absent for the full transformer). */
  wO2?: number;
  /** W_K^2's recall. */
  wK2?: number;
  /** W_K^1's recall. */
  wK1?: number;
  /** W_F's KL probe (with W_F only). */
  wF?: number;
  /** The full transformer: the induction score of each head, `[layer][head]`. */
  induction?: number[][];
  /** The full transformer: its highest-scoring head's attention on one fresh sequence. */
  map?: FullMap;
}

/** Settings of a live run. */
export interface LiveOptions {
  /** Steps to train (the schedules of the freeze variants scale with it: frozen for half). */
  steps: number;
  /** Evaluate every this many steps. */
  evalEvery: number;
  /** Called after each evaluation with every point so far. */
  onEval?: (points: LivePoint[]) => void;
  /** Stop when this returns true (checked after each step). */
  cancelled?: () => boolean;
}

/**
 * The small base of the live runs: the `tiny` preset (d = 64, T = 32, batch 32, SGD lr 0.2),
 * with a variant's changes; a freezing schedule holds for the first half of `steps`.
 *
 * @example
 * ```ts
 * import { liveConfig } from "./experiment.ts";
 * liveConfig("freeze-wK1", 200).freeze; // [{ param: "wK1", untilStep: 100 }]
 * ```
 */
export function liveConfig(key: string, steps: number): TrainConfig {
  const variant = RUNS.find((r) => r.key === key);
  if (!variant) throw new Error(`unknown variant "${key}"`);
  const config = runConfig(variant, presets.tiny);
  return withOverrides(config, {
    steps,
    freeze: config.freeze.map((r) => ({ param: r.param, untilStep: Math.floor(steps / 2) })),
  });
}

/**
 * Trains one variant live and returns its evaluations. The one-layer variant is evaluated with
 * your `oneLayerForward` (Exercise 9.1), the full transformer is built from your layer norm,
 * heads and MLP and scored with your `inductionScore` (Exercises 9.2-9.5); the simplified
 * model's variants train with lessons 1 and 5's code.
 *
 * @example
 * ```ts
 * import { trainLive } from "./experiment.ts";
 * const points = await trainLive("one-layer", { steps: 20, evalEvery: 10 });
 * points.at(-1)!.inContextAcc; // near the plateau
 * ```
 */
export async function trainLive(key: string, options: LiveOptions): Promise<LivePoint[]> {
  if (key === "full") {
    const config = {
      ...fullPreset,
      model: { ...fullPreset.model, dim: 32, maxLen: 32 },
      data: { ...fullPreset.data, seqLen: 32 },
      batchSize: 32,
      steps: options.steps,
    };
    const trainer = new FullTrainer(config, { ...data, ...training, ...ex9 });
    return await liveLoop(trainer, options, async () => {
      const r = await trainer.evaluate();
      return {
        step: r.step,
        inContextAcc: r.inContextAcc,
        lossGlobal: r.lossGlobal,
        induction: r.induction,
        map: headMapView("live", "live", bestHeadMap(trainer, r.induction), r.induction),
      };
    });
  }
  const variant = RUNS.find((r) => r.key === key)!;
  const config = liveConfig(key, options.steps);
  const trainer = new Trainer(config, trainerParts(data, training));
  setUpVariant(trainer.params, config.model, variant);
  return await liveLoop(trainer, options, async () => {
    const r = await trainer.evaluate();
    const point: LivePoint = {
      step: r.step,
      inContextAcc: r.inContextAcc,
      lossGlobal: r.lossGlobal,
      wO2: r.wO2,
      wK2: r.wK2,
      wK1: r.wK1,
      wF: r.wF,
    };
    if (variant.oneLayer) {
      // your one-layer forward pass on the same batch (it must agree with the library's)
      const batch = trainer.batchAt(trainer.stepCount);
      const logits = ex9.oneLayerForward(trainer.params, config.model, batch.inputs);
      const m = await batchMetrics(logits, batch.targets, batch.labels);
      tf.dispose([logits, ...Object.values(batch)]);
      point.inContextAcc = m.inContextAcc;
      point.lossGlobal = m.lossGlobal;
    }
    return point;
  });
}

/** Steps `trainer` to `options.steps`, evaluating every `evalEvery` steps and at the end. */
async function liveLoop(
  trainer: { stepCount: number; step(): void; dispose(): void },
  options: LiveOptions,
  evaluate: () => Promise<LivePoint>,
): Promise<LivePoint[]> {
  const points: LivePoint[] = [];
  try {
    while (true) {
      if (trainer.stepCount % options.evalEvery === 0 || trainer.stepCount === options.steps) {
        points.push(await evaluate());
        options.onEval?.(points);
      }
      if (trainer.stepCount >= options.steps || options.cancelled?.()) break;
      trainer.step();
      await new Promise((r) => setTimeout(r, 0)); // let the page (or a timer) run
    }
  } finally {
    trainer.dispose();
  }
  return points;
}

/**
 * The floor of the global loss: the cross-entropy of the Bayes predictor pi_b(.|z_t) on the
 * global targets (label 0), i.e. the mean entropy of pi_b(.|z_t) over them, on `count`
 * sequences of lesson 1's generator (fixed K = 5 triggers, length `seqLen`, seed `seed`).
 *
 * @example
 * ```ts
 * import { globalFloor } from "./experiment.ts";
 * globalFloor({ count: 50, seqLen: 64, seed: 0 }); // about 2.1 nats
 * ```
 */
export function globalFloor(options: { count: number; seqLen: number; seed: number }): number {
  const stats = data.loadStats();
  const entropy = stats.bigram.map((row) =>
    row.reduce((h, p) => (p > 0 ? h - p * Math.log(p) : h), 0)
  );
  const rng = new Rng(options.seed);
  const config = { ...data.defaultDataConfig, seqLen: options.seqLen };
  let sum = 0;
  let count = 0;
  for (let i = 0; i < options.count; i++) {
    const seq = data.sampleSequence(rng, stats, config);
    seq.labels.forEach((label, t) => {
      if (label !== 0) return;
      sum += entropy[seq.tokens[t]];
      count++;
    });
  }
  return sum / Math.max(count, 1);
}

/**
 * The cached `cpu`-preset runs (written by `deno task demo 9 --replot` from `figures/runs.jsonl`).
 *
 * @example
 * ```ts
 * import { cachedRuns } from "./experiment.ts";
 * cachedRuns().length; // the runs made so far
 * ```
 */
export function cachedRuns(): RunResult[] {
  return (cached as { runs: RunResult[] }).runs;
}

/** One row of the runs' table. */
export interface RunRow {
  /** The variant's key. */
  key: string;
  /** What it is. */
  title: string;
  /** Its group. */
  group: string;
  /** First evaluation with in-context accuracy >= 0.5, 0.9, 0.95 (null: never). */
  to50: number | null;
  /** ... >= 0.9. */
  to90: number | null;
  /** ... >= 0.95 (the course's "birth"). */
  to95: number | null;
  /** The last evaluation's step. */
  lastStep: number;
  /** The mean in-context accuracy of the last 10 evaluations, with their min and max. */
  lateAcc: { mean: number; min: number; max: number };
  /** The last evaluation's value of each metric measured. */
  last: Partial<Record<Metric, number>>;
}

/**
 * The table of the cached runs: steps to 50%, 90% and 95% in-context accuracy (lesson 8's
 * `stepsTo`), the late accuracy and the final probes, in the order of {@linkcode RUNS}.
 *
 * @example
 * ```ts
 * import { runTable } from "./experiment.ts";
 * runTable([]); // []
 * ```
 */
export function runTable(results: RunResult[]): RunRow[] {
  const rows: RunRow[] = [];
  for (const variant of RUNS) {
    const r = results.find((x) => x.key === variant.key);
    if (!r) continue;
    const acc = r.metrics.inContextAcc ?? [];
    const late = acc.slice(-10);
    const last: Partial<Record<Metric, number>> = {};
    for (const [m, values] of Object.entries(r.metrics)) last[m as Metric] = values.at(-1);
    rows.push({
      key: r.key,
      title: variant.title,
      group: variant.group,
      to50: stepsTo(r.steps, acc, 0.5),
      to90: stepsTo(r.steps, acc, 0.9),
      to95: stepsTo(r.steps, acc, 0.95),
      lastStep: r.steps.at(-1) ?? 0,
      lateAcc: {
        mean: late.reduce((a, b) => a + b, 0) / Math.max(late.length, 1),
        min: Math.min(...late),
        max: Math.max(...late),
      },
      last,
    });
  }
  return rows;
}

const f2 = (x: number | undefined) => (x === undefined ? "  -  " : x.toFixed(2).padStart(5));
const at = (s: number | null) => (s === null ? "never" : String(s)).padStart(6);

/**
 * One group of the runs' table as the demo prints it (and the README quotes it): a header line,
 * then per run the steps to 50/90/95% in-context accuracy, the late accuracy, the last probes.
 *
 * @example
 * ```ts
 * import { groupLines } from "./experiment.ts";
 * groupLines([], "global"); // ["  not run yet: ..."]
 * ```
 */
export function groupLines(rows: RunRow[], group: string): string[] {
  const mine = rows.filter((r) => r.group === group);
  if (mine.length === 0) {
    return ["  not run yet: `deno run -A lessons/09_beyond_simplified/runs.ts` makes them"];
  }
  return [
    `  ${"run".padEnd(36)}${"50%".padStart(6)}${"90%".padStart(6)}${"95%".padStart(6)}` +
    `   late acc (min-max)   W_O2  W_K2 W_K1<64  W_F KL`,
    ...mine.map((r) =>
      `  ${r.title.padEnd(36)}${at(r.to50)}${at(r.to90)}${at(r.to95)}   ${f2(r.lateAcc.mean)} (${
        r.lateAcc.min.toFixed(2)
      }-${r.lateAcc.max.toFixed(2)})  ${f2(r.last.wO2)} ${f2(r.last.wK2)} ${
        f2(r.last.wK1Early)
      }   ${f2(r.last.wF)}`
    ),
  ];
}

/**
 * The global group's lines under its table: the global loss's floor (lesson 1's generator,
 * `whose` names whose), then per run the global loss and the W_F probe at step 0, when they
 * first fall below 2.6 and 1.1 nats, and at the end.
 *
 * @example
 * ```ts
 * import { globalLines } from "./experiment.ts";
 * globalLines([], "your"); // []: no cached run of the group
 * ```
 */
export function globalLines(results: RunResult[], whose: string): string[] {
  const globals = RUNS.filter((v) => v.group === "global")
    .map((v) => ({ v, r: results.find((r) => r.key === v.key) }))
    .filter((x): x is { v: typeof RUNS[number]; r: RunResult } => x.r !== undefined);
  if (globals.length === 0) return [];
  const floor = globalFloor({ count: 400, seqLen: 64, seed: 0 });
  const first = (r: RunResult, values: number[], below: number) => {
    const i = values.findIndex((x) => x < below);
    return i < 0 ? "never" : String(r.steps[i]);
  };
  return [
    `  the global loss's floor at T = 64 (Bayes, 400 sequences of ${whose} generator, seed 0): ` +
    `${floor.toFixed(2)} nats`,
    ...globals.map(({ v, r }) => {
      const g = r.metrics.lossGlobal!;
      const kl = r.metrics.wF!;
      const end = r.steps.at(-1);
      return `  ${v.title}: global loss ${g[0].toFixed(2)} at step 0, below 2.6 from step ${
        first(r, g, 2.6)
      }, ${g.at(-1)!.toFixed(2)} at step ${end}; W_F KL ${kl[0].toFixed(2)} at step 0, ` +
        `below 1.1 from step ${first(r, kl, 1.1)}, ${kl.at(-1)!.toFixed(2)} at step ${end}`;
    }),
  ];
}

const curve = (r: RunResult, m: Metric, name: string, dashed = false): Series => ({
  name,
  points: r.steps.map((s, i) => [s, r.metrics[m]?.[i] ?? NaN] as [number, number])
    .filter(([, v]) => Number.isFinite(v)),
  dashed,
});

/**
 * The figure of one group of cached runs (SVG): in-context accuracy of each run, and for the
 * freeze grid and the embeddings the three probes of each run, for the others the losses (and
 * for the global group the W_F and W_O^2 probes).
 *
 * @example
 * ```ts
 * import { runsFigure } from "./experiment.ts";
 * runsFigure([], "layers").startsWith("<svg"); // true
 * ```
 */
export function runsFigure(results: RunResult[], group: string): string {
  const runs = RUNS.filter((v) => v.group === group)
    .map((v) => ({ v, r: results.find((x) => x.key === v.key) }))
    .filter((x): x is { v: typeof RUNS[number]; r: RunResult } => x.r !== undefined);
  if (runs.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`;
  const chart = (title: string, yLabel: string, series: Series[], yMax?: number) =>
    lineChart(series, {
      title,
      xLabel: "step",
      yLabel,
      yMin: 0,
      yMax,
      legend: "bottom-right",
      width: 420,
      height: 270,
    });
  const charts = [
    chart(
      "in-context accuracy",
      "accuracy",
      runs.map(({ v, r }) => curve(r, "inContextAcc", v.title)),
      1,
    ),
  ];
  if (group === "freeze" || group === "embeddings") {
    for (const [m, label] of [["wO2", "W_O^2"], ["wK2", "W_K^2"], ["wK1Early", "W_K^1"]] as const) {
      charts.push(
        chart(`${label} recall probe`, "recall", runs.map(({ v, r }) => curve(r, m, v.title)), 1),
      );
    }
  } else {
    charts.push(
      chart("losses (solid: in-context; dashed: global)", "nats", [
        ...runs.map(({ v, r }) => curve(r, "lossInContext", v.title)),
        ...runs.map(({ v, r }) => curve(r, "lossGlobal", `${v.title}, global`, true)),
      ]),
    );
  }
  if (group === "global") {
    charts.push(
      chart("W_F probe (KL, nats)", "nats", runs.map(({ v, r }) => curve(r, "wF", v.title))),
      chart("W_O^2 recall probe", "recall", runs.map(({ v, r }) => curve(r, "wO2", v.title)), 1),
    );
  }
  return figure(charts, { columns: 2 });
}

/** What the figures and the page call each full run. */
export const FULL_TITLES: Record<string, string> = {
  "full-fixed": "fixed triggers",
  "full-random": "random triggers",
};

/**
 * The full transformer's cached runs as a figure (SVG), one row per run (fixed triggers, then
 * random): in-context accuracy and global loss, and the induction score of each of its 8 heads
 * during training (layer 1 dashed).
 *
 * @example
 * ```ts
 * import { fullFigure } from "./experiment.ts";
 * fullFigure([]).startsWith("<svg"); // true
 * ```
 */
export function fullFigure(results: RunResult[]): string {
  const runs = FULL_RUNS.map((key) => results.find((x) => x.key === key))
    .filter((r): r is RunResult => r?.heads !== undefined);
  if (runs.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`;
  const options = (title: string, yLabel: string) => ({
    title,
    xLabel: "step",
    yLabel,
    yMin: 0,
    legend: "top-right" as const,
    width: 420,
    height: 270,
  });
  return figure(
    runs.flatMap((r) => {
      const heads: Series[] = r.heads![0].flatMap((hs, l) =>
        hs.map((_, h) => ({
          name: `head ${l + 1}.${h + 1}`,
          points: r.steps.map((s, i) => [s, r.heads![i][l][h]] as [number, number]),
          dashed: l === 0,
        }))
      );
      const title = FULL_TITLES[r.key];
      return [
        lineChart([
          curve(r, "inContextAcc", "in-context accuracy"),
          curve(r, "lossGlobal", "global loss (nats)", true),
        ], options(`the full transformer, ${title}`, "accuracy / nats")),
        lineChart(heads, {
          ...options(`${title}: induction score of each head`, "score"),
          yMax: 1,
          legend: "top-left",
        }),
      ];
    }),
    { columns: 2 },
  );
}

/**
 * For each position t, the positions s <= t whose previous token is z_t (s >= 1,
 * z_{s-1} = z_t): the tokens that followed an earlier copy of z_t, where an induction head
 * looks from t (the set S_t of the induction score).
 *
 * @example
 * ```ts
 * import { inductionTargets } from "./experiment.ts";
 * inductionTargets([5, 6, 5, 6]); // [[], [], [1], [2]]
 * ```
 */
export function inductionTargets(tokens: number[]): number[][] {
  return tokens.map((z, t) => {
    const after: number[] = [];
    for (let s = 1; s <= t; s++) if (tokens[s - 1] === z) after.push(s);
    return after;
  });
}

/** Where a head's attention goes at a set of query positions (see {@linkcode inductionMapSummary}). */
export interface MapSummary {
  /** Query positions t counted (their token occurred before, and `rows` kept them). */
  queries: number;
  /** The share of them whose argmax s is in S_t (the token after an earlier copy of z_t). */
  argmaxRight: number;
  /** The mean attention weight they put on S_t. */
  meanWeight: number;
}

/**
 * Where the full transformer's induction head looks, on the cached run's sequence: at the
 * positions t whose token occurred before (and that `rows` keeps), how often its attention's
 * argmax is a position s with z_{s-1} = z_t (the token after an earlier copy), and how much
 * weight those positions get.
 *
 * @example
 * ```ts
 * import { inductionMapSummary } from "./experiment.ts";
 * inductionMapSummary({ tokens: [0, 1, 0], weights: [1, 0, 0, 0.5, 0.5, 0, 0, 1, 0] });
 * // { queries: 1, argmaxRight: 1, meanWeight: 1 }
 * ```
 */
export function inductionMapSummary(
  map: { tokens: number[]; weights: number[] },
  rows: (t: number) => boolean = () => true,
): MapSummary {
  const seq = map.tokens.length;
  let queries = 0;
  let right = 0;
  let weight = 0;
  inductionTargets(map.tokens).forEach((after, t) => {
    if (after.length === 0 || !rows(t)) return;
    queries++;
    const row = map.weights.slice(t * seq, (t + 1) * seq);
    if (after.includes(row.indexOf(Math.max(...row)))) right++;
    for (const s of after) weight += row[s];
  });
  return {
    queries,
    argmaxRight: right / Math.max(queries, 1),
    meanWeight: weight / Math.max(queries, 1),
  };
}

/**
 * The labels of a full run's map sequence, when the run did not keep them: the sequence is
 * drawn again with lesson 1's generator (the run's data config, seed `FULL_MAP_SEED`), and its
 * labels are returned only when its tokens are the stored ones (else `undefined`).
 *
 * @example
 * ```ts
 * import { mapLabels } from "./experiment.ts";
 * mapLabels({ key: "full-fixed", steps: [], metrics: {}, seconds: 0 }); // undefined: no map
 * ```
 */
export function mapLabels(run: RunResult): number[] | undefined {
  if (!run.map) return undefined;
  if (run.map.labels) return run.map.labels;
  const batch = data.makeBatch(
    new Rng(FULL_MAP_SEED),
    data.loadStats(),
    fullRunConfig(run.key).data,
    1,
  );
  const tokens = Array.from(batch.inputs.dataSync());
  const labels = Array.from(batch.labels.dataSync());
  tf.dispose(Object.values(batch));
  return tokens.join() === run.map.tokens.join() ? labels : undefined;
}

/**
 * The runs with their maps' labels ({@linkcode mapLabels}) where they can be drawn again.
 *
 * @example
 * ```ts
 * import { withMapLabels } from "./experiment.ts";
 * withMapLabels([]); // []
 * ```
 */
export function withMapLabels(results: RunResult[]): RunResult[] {
  return results.map((r) => (r.map ? { ...r, map: { ...r.map, labels: mapLabels(r) } } : r));
}

/**
 * What demo 9 prints about the cached full runs (the README quotes it): per run, the in-context
 * accuracy (steps to 50/90/95%, the last 10 evaluations), the global loss and each head's
 * induction score at the last evaluation, then where its map's head (checked to be the
 * highest-scoring one) puts its argmax, at every repeated token and, split, at the triggers'
 * repeats and the other repeated tokens.
 *
 * @example
 * ```ts
 * import { fullLines } from "./experiment.ts";
 * fullLines([]); // ["  full-fixed: not run yet", "  full-random: not run yet"]
 * ```
 */
export function fullLines(results: RunResult[]): string[] {
  const lines: string[] = [];
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  const maps = fullMaps(withMapLabels(results));
  for (const key of FULL_RUNS) {
    const r = results.find((x) => x.key === key);
    if (!r) {
      lines.push(`  ${key}: not run yet`);
      continue;
    }
    const acc = r.metrics.inContextAcc!;
    const heads = r.heads!.at(-1)!.flatMap((hs, l) => hs.map((s, h) => ({ l, h, s })))
      .sort((a, b) => b.s - a.s);
    const late = acc.slice(-10);
    const to = (level: number) => stepsTo(r.steps, acc, level) ?? "never";
    lines.push(
      `  ${key}: in-context acc ${acc.at(-1)!.toFixed(2)} at step ${r.steps.at(-1)} ` +
        `(50/90/95% at steps ${to(0.5)}/${to(0.9)}/${to(0.95)}; last 10 evaluations ` +
        `${Math.min(...late).toFixed(2)}-${Math.max(...late).toFixed(2)})` +
        `, global loss ${r.metrics.lossGlobal!.at(-1)!.toFixed(2)}; induction score by head ` +
        heads.map((x) => `${x.l + 1}.${x.h + 1} ${x.s.toFixed(2)}`).join(", "),
    );
    const m = maps.find((x) => x.key === key);
    if (!m) {
      lines.push(`  ${key}: no attention map kept`);
      continue;
    }
    const which = m.name === m.best.name
      ? "its highest-scoring head"
      : `head ${m.name} (NOT the highest-scoring head, ${m.best.name} ${m.best.score.toFixed(2)})`;
    lines.push(
      `  ${m.key}: ${which}, ${m.name}, on a fresh sequence: at ${m.all.queries} positions ` +
        `whose token occurred before, its argmax is the token after an earlier copy at ` +
        `${pct(m.all.argmaxRight)}, with ${pct(m.all.meanWeight)} of its weight there on average`,
    );
    if (m.triggers && m.others) {
      lines.push(
        `    at the ${m.triggers.queries} in-context targets (a trigger's repeat): argmax right ` +
          `${pct(m.triggers.argmaxRight)}, weight ${pct(m.triggers.meanWeight)}; at the ` +
          `${m.others.queries} other repeated tokens: ${pct(m.others.argmaxRight)}, ` +
          `weight ${pct(m.others.meanWeight)}`,
      );
    }
  }
  return lines;
}

/** A head's attention on one sequence (a full run's `map`). */
export type HeadMap = NonNullable<RunResult["map"]>;

/**
 * The attention of the head with the highest induction score (`induction[layer][head]`) on one
 * fresh sequence of the trainer's data (seed `FULL_MAP_SEED`), with its tokens and labels; the
 * weights rounded to 3 decimals. Built from the exercises the import map points at (lesson 1's
 * generator, lesson 9's parts of the model).
 *
 * @example
 * ```ts
 * import * as data from "@exercises/01_bigram_data/exercises.ts";
 * import * as training from "@exercises/05_training/exercises.ts";
 * import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
 * import { fullPreset, FullTrainer } from "@lib/train/full.ts";
 * import { bestHeadMap } from "./experiment.ts";
 * const trainer = new FullTrainer(fullPreset, { ...data, ...training, ...ex9 });
 * bestHeadMap(trainer, (await trainer.evaluate()).induction).weights.length; // 64 * 64
 * trainer.dispose();
 * ```
 */
export function bestHeadMap(trainer: FullTrainer, induction: number[][]): HeadMap {
  const best = induction.flatMap((hs, l) => hs.map((s, h) => ({ l, h, s })))
    .reduce((a, b) => (b.s > a.s ? b : a));
  const { model, data: dataConfig } = trainer.config;
  const batch = data.makeBatch(new Rng(FULL_MAP_SEED), data.loadStats(), dataConfig, 1);
  const { logits, attention } = fullForward(trainer.params, model, batch.inputs, ex9, {
    attention: true,
  });
  try {
    const head = attention![best.l].slice([0, best.h, 0, 0], [1, 1, -1, -1]); // [1, 1, T, T]
    const weights = Array.from(head.dataSync(), (v) => Number(v.toFixed(3)));
    head.dispose();
    return {
      layer: best.l,
      head: best.h,
      tokens: Array.from(batch.inputs.dataSync()),
      labels: Array.from(batch.labels.dataSync()),
      weights,
    };
  } finally {
    tf.dispose([logits, ...attention!, ...Object.values(batch)]);
  }
}

/** The induction head's attention map of one cached full run, ready to draw. */
export interface FullMap {
  /** The run's key (`full-fixed`, `full-random`). */
  key: string;
  /** "fixed triggers" or "random triggers". */
  title: string;
  /** The head the map shows, `layer.head` (1-based). */
  name: string;
  /** Its induction score at the run's last evaluation. */
  score: number;
  /** The highest-scoring head at the last evaluation, and its score (the map's head, normally). */
  best: { name: string; score: number };
  /** The sequence, `[T]`. */
  tokens: number[];
  /** Its characters (tiny Shakespeare's vocabulary), `[T]`. */
  chars: string[];
  /** The attention `[T, T]`, row-major (row: query t, column: key s). */
  weights: number[];
  /** The cells t * T + s with s in S_t (the token after an earlier copy of z_t). */
  targets: number[];
  /** The query positions t whose target z_{t+1} is in-context (label >= 2), when known. */
  inContext: number[];
  /** Where the argmax lands at every repeated token. */
  all: MapSummary;
  /** ... at the in-context targets only (the triggers' repeats; undefined: labels unknown). */
  triggers?: MapSummary;
  /** ... at the other repeated tokens. */
  others?: MapSummary;
}

/**
 * The cached full runs' induction-head maps (the head with the highest induction score at the
 * last evaluation, on a fresh sequence), with what to mark and where the argmax lands, split
 * into the triggers' repeats and the other repeated tokens.
 *
 * @example
 * ```ts
 * import { cachedRuns, fullMaps } from "./experiment.ts";
 * fullMaps(cachedRuns()).map((m) => `${m.title}: head ${m.name}`);
 * ```
 */
export function fullMaps(results: RunResult[]): FullMap[] {
  const maps: FullMap[] = [];
  for (const key of FULL_RUNS) {
    const r = results.find((x) => x.key === key);
    if (!r?.map || !r.heads) continue;
    maps.push(headMapView(key, FULL_TITLES[key], r.map, r.heads.at(-1)!));
  }
  return maps;
}

/**
 * A head's map ready to draw ({@linkcode FullMap}): its name, its score and the best one's in
 * `induction` (`[layer][head]`), the cells to box, the in-context rows, where its argmax lands.
 *
 * @example
 * ```ts
 * import { headMapView } from "./experiment.ts";
 * const map = { layer: 0, head: 0, tokens: [0, 1, 0], weights: [1, 0, 0, 0.5, 0.5, 0, 0, 1, 0] };
 * headMapView("k", "a head", map, [[0.5]]).all.argmaxRight; // 1
 * ```
 */
export function headMapView(
  key: string,
  title: string,
  map: HeadMap,
  induction: number[][],
): FullMap {
  const { layer, head, tokens, weights, labels } = map;
  const ranked = induction.flatMap((hs, l) => hs.map((s, h) => ({ name: `${l + 1}.${h + 1}`, s })))
    .reduce((a, b) => (b.s > a.s ? b : a));
  const T = tokens.length;
  return {
    key,
    title,
    name: `${layer + 1}.${head + 1}`,
    score: induction[layer][head],
    best: { name: ranked.name, score: ranked.s },
    tokens,
    chars: tokens.map((z) => counts.vocab[z]),
    weights,
    targets: inductionTargets(tokens).flatMap((after, t) => after.map((s) => t * T + s)),
    inContext: labels ? labels.flatMap((c, t) => (c >= 2 ? [t] : [])) : [],
    all: inductionMapSummary(map),
    triggers: labels ? inductionMapSummary(map, (t) => labels[t] >= 2) : undefined,
    others: labels ? inductionMapSummary(map, (t) => labels[t] < 2) : undefined,
  };
}

/**
 * The induction heads' attention maps of the cached full runs side by side (SVG): fixed
 * triggers, then random. Red boxes: the tokens after an earlier copy of the query's token
 * (where an induction head looks); red ticks: the in-context targets.
 *
 * @example
 * ```ts
 * import { fullMapsFigure } from "./experiment.ts";
 * fullMapsFigure([]).startsWith("<svg"); // true
 * ```
 */
export function fullMapsFigure(results: RunResult[]): string {
  const maps = fullMaps(results);
  if (maps.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>`;
  return figure(
    maps.map((m) => {
      const T = m.tokens.length;
      return heatmapChart(m.weights, T, T, {
        title: `${m.title}: head ${m.name} (induction score ${m.score.toFixed(2)})`,
        rowLabel: "query position t",
        colLabel: "key position s",
        max: 1,
        marks: m.targets.map((i) => [Math.floor(i / T), i % T]),
        markRows: m.inContext,
        caption: "boxes: the token after an earlier copy of z_t; ticks: in-context targets",
        width: 440,
        height: 430,
      });
    }),
    { columns: 2 },
  );
}

/**
 * The cached runs of a live variant (the `cpu`-preset run of the same change; both full runs
 * for `full`), to show beside the live one.
 *
 * @example
 * ```ts
 * import { cachedFor, cachedRuns } from "./experiment.ts";
 * cachedFor("one-layer", cachedRuns()).map((r) => r.key); // ["one-layer"]
 * ```
 */
export function cachedFor(key: string, results: RunResult[]): RunResult[] {
  const keys = key === "full" ? FULL_RUNS : [key];
  return keys.flatMap((k) => results.filter((r) => r.key === k));
}
