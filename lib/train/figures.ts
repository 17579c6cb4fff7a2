/**
 * The figures of lesson 5, drawn from evaluation records: the training curves of one run
 * (losses, accuracy and memory probes, attention probes, the W_F probe) and one metric across
 * several runs (e.g. Figure 3's freezing experiment).
 *
 * @example
 * ```ts
 * import { trainingCurves } from "@lib/train/figures.ts";
 * import { readLog } from "@lib/train/log.ts";
 * // const { records } = await readLog("run/log.jsonl");
 * // await Deno.writeTextFile("run/curves.svg", trainingCurves(records, { title: "cpu run" }));
 * ```
 * @module
 */
import { figure, lineChart, type Series } from "./plot.ts";
import type { EvalRecord } from "./trainer.ts";

/** Numeric fields of an {@linkcode EvalRecord} that can be plotted. */
export type Metric = Exclude<keyof EvalRecord, "step">;

/** Plot labels of the metrics, after the paper's matrices. */
export const METRIC_LABELS: Record<Metric, string> = {
  inContextAcc: "in-context accuracy",
  lossGlobal: "loss, global tokens",
  lossInContext: "loss, in-context tokens",
  lossAll: "loss, all tokens",
  wO2: "W_O^2 recall",
  wK2: "W_K^2 recall",
  wK1: "W_K^1 recall (all positions)",
  wK1Early: "W_K^1 recall (t < 64)",
  wF: "W_F probe: KL (nats)",
  prevToken: "layer 1 attends to t-1",
  induction: "layer 2 attends to induction target",
  elapsedMs: "wall time (ms)",
};

/**
 * The (step, value) points of one metric.
 *
 * @example
 * ```ts
 * import { seriesOf } from "@lib/train/figures.ts";
 * // seriesOf(records, "inContextAcc").points[0]; // [0, 0.02]
 * ```
 */
export function seriesOf(
  records: EvalRecord[],
  metric: Metric,
  style: Partial<Series> = {},
): Series {
  return {
    name: METRIC_LABELS[metric],
    points: records.map((r) => [r.step, Number(r[metric] ?? NaN)]),
    ...style,
  };
}

/** Options of {@linkcode trainingCurves}. */
export interface CurvesOptions {
  /** The figure's title. */
  title: string;
  /** Steps to mark (e.g. where frozen matrices start training). */
  vLines?: { x: number; label: string }[];
  /** More charts (from {@linkcode lineChart}) to add after the standard panels. */
  extra?: string[];
}

/**
 * The curves of one run: losses (global dashed, in-context solid), in-context accuracy with the
 * memory-recall probes, the attention probes, and the W_F probe when the model has W_F.
 *
 * @example
 * ```ts
 * import { trainingCurves } from "@lib/train/figures.ts";
 * // const svg = trainingCurves(records, { title: "cpu preset" });
 * ```
 */
export function trainingCurves(records: EvalRecord[], options: CurvesOptions): string {
  const vLines = options.vLines;
  const charts = [
    lineChart([
      seriesOf(records, "lossInContext"),
      seriesOf(records, "lossGlobal", { dashed: true }),
    ], {
      title: "Cross-entropy",
      xLabel: "step",
      yLabel: "nats",
      yMin: 0,
      vLines,
      legend: "bottom-left",
    }),
    lineChart([
      seriesOf(records, "inContextAcc", { color: "#222" }),
      seriesOf(records, "wO2"),
      seriesOf(records, "wK2"),
      seriesOf(records, "wK1Early"),
      seriesOf(records, "wK1", { dashed: true }),
    ], {
      title: "Accuracy and memory recall",
      xLabel: "step",
      yLabel: "fraction",
      yMin: 0,
      yMax: 1,
      vLines,
      legend: "bottom-right",
    }),
    lineChart([
      seriesOf(records, "prevToken"),
      seriesOf(records, "induction"),
    ], {
      title: "Attention probes",
      xLabel: "step",
      yLabel: "fraction",
      yMin: 0,
      yMax: 1,
      vLines,
      legend: "bottom-right",
    }),
  ];
  if (records.some((r) => r.wF !== undefined)) {
    charts.push(lineChart([seriesOf(records, "wF")], {
      title: "Global bigram memory W_F",
      xLabel: "step",
      yLabel: "KL (nats)",
      yMin: 0,
      vLines,
      legend: "top-right",
    }));
  }
  charts.push(...(options.extra ?? []));
  return figure(charts, { columns: 2, title: options.title });
}

/**
 * One metric across several runs, in one chart (e.g. accuracy with and without freezing).
 *
 * @example
 * ```ts
 * import { compareRuns } from "@lib/train/figures.ts";
 * // compareRuns([{ name: "baseline", records: a }, { name: "frozen", records: b }], "inContextAcc");
 * ```
 */
export function compareRuns(
  runs: { name: string; records: EvalRecord[]; dashed?: boolean }[],
  metric: Metric,
  options: { title?: string; vLines?: { x: number; label: string }[] } = {},
): string {
  const bounded = metric !== "wF" && !metric.startsWith("loss") && metric !== "elapsedMs";
  return lineChart(
    runs.map((r) => ({ ...seriesOf(r.records, metric), name: r.name, dashed: r.dashed })),
    {
      title: options.title ?? METRIC_LABELS[metric],
      xLabel: "step",
      yLabel: METRIC_LABELS[metric],
      yMin: 0,
      yMax: bounded ? 1 : undefined,
      vLines: options.vLines,
      legend: bounded ? "bottom-right" : "bottom-left",
    },
  );
}
