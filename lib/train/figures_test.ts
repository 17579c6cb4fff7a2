import assert from "node:assert/strict";
import { compareRuns, type Metric, METRIC_LABELS, seriesOf, trainingCurves } from "./figures.ts";
import { lineChart } from "./plot.ts";
import type { EvalRecord } from "./trainer.ts";

/** An evaluation record with every field set (wF only when given). */
function record(step: number, patch: Partial<EvalRecord> = {}): EvalRecord {
  return {
    step,
    inContextAcc: 0.1 + step / 1000,
    lossGlobal: 3 - step / 500,
    lossInContext: 4 - step / 400,
    lossAll: 3.5 - step / 450,
    wO2: 0.2,
    wK2: 0.3,
    wK1: 0.4,
    wK1Early: 0.5,
    prevToken: 0.6,
    induction: 0.7,
    elapsedMs: 10 * step,
    ...patch,
  };
}

const records = [record(0), record(100), record(200)];

/** Fails unless every element opened in `svg` is closed in order (self-closing tags count). */
function assertBalanced(svg: string): void {
  const stack: string[] = [];
  for (const [tag, close, name, self] of svg.matchAll(/<(\/?)([a-zA-Z]+)[^>]*?(\/?)>/g)) {
    if (self) continue;
    if (!close) stack.push(name);
    else assert.equal(stack.pop(), name, `unexpected ${tag}`);
  }
  assert.deepEqual(stack, [], "unclosed elements");
}

/**
 * A text element's content as plain text: the subscript and superscript of a matrix name
 * (`svgText` in plot.ts) written back as `W_K^1`, tags dropped, entities unescaped.
 */
function plain(inner: string): string {
  return inner
    .replace(
      /W<tspan dy="3" font-size="75%">(\w)<\/tspan>(?:<tspan dy="-8" font-size="75%">(\d)<\/tspan>)?<tspan dy="-?\d+">\u200b<\/tspan>/g,
      (_, sub: string, sup?: string) => sup ? `W_${sub}^${sup}` : `W_${sub}`,
    )
    .replace(/<[^>]*>/g, "")
    .replaceAll("&lt;", "<").replaceAll("&gt;", ">").replaceAll("&amp;", "&");
}

/** The panel titles: the bold 14px text of each chart. */
function panelTitles(svg: string): string[] {
  return [...svg.matchAll(/font-size="14" font-weight="bold">([\s\S]*?)<\/text>/g)].map((m) =>
    plain(m[1])
  );
}

/** The legend entries (dark text) of every chart in `svg`, unescaped. */
function legendNames(svg: string): string[] {
  return [...svg.matchAll(/fill="#222">([\s\S]*?)<\/text>/g)].map((m) => plain(m[1]));
}

/** The y-axis tick labels of a single chart. */
function yTicks(svg: string): string[] {
  return [...svg.matchAll(/text-anchor="end" fill="#444">([^<]*)</g)].map((m) => m[1]);
}

Deno.test("METRIC_LABELS: one distinct, non-empty label per plottable field", () => {
  const fields = Object.keys(record(0, { wF: 0 })).filter((k) => k !== "step").sort();
  assert.deepEqual(Object.keys(METRIC_LABELS).sort(), fields);
  const labels = Object.values(METRIC_LABELS);
  assert.ok(labels.every((l) => l.trim().length > 0));
  assert.equal(new Set(labels).size, labels.length, "labels must tell the metrics apart");
});

Deno.test("seriesOf: (step, value) points in order, labelled, missing fields as NaN", () => {
  const s = seriesOf(records, "lossInContext");
  assert.equal(s.name, METRIC_LABELS.lossInContext);
  assert.deepEqual(s.points, [[0, 4], [100, 3.75], [200, 3.5]]);
  assert.equal(s.dashed, undefined);
  assert.equal(s.color, undefined);
  const mixed = [record(0), record(10, { wF: 0.5 }), record(20, { wF: 0.25 })];
  const wF = seriesOf(mixed, "wF");
  assert.deepEqual(wF.points.map((p) => p[0]), [0, 10, 20]);
  assert.ok(Number.isNaN(wF.points[0][1]), "a record without wF gives a gap, not 0");
  assert.deepEqual(wF.points.slice(1), [[10, 0.5], [20, 0.25]]);
  assert.deepEqual(seriesOf([], "wK2").points, []);
});

Deno.test("seriesOf: the style is applied on top of the defaults", () => {
  const s = seriesOf(records, "wK1", { dashed: true, color: "#123456" });
  assert.equal(s.dashed, true);
  assert.equal(s.color, "#123456");
  assert.equal(s.name, METRIC_LABELS.wK1);
  assert.equal(seriesOf(records, "wK1", { name: "renamed" }).name, "renamed");
});

Deno.test("trainingCurves: one well-formed svg with the three standard panels", () => {
  const svg = trainingCurves(records, { title: "cpu run <small>" });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>$/);
  assertBalanced(svg);
  assert.match(svg, /cpu run &lt;small&gt;/, "the figure's title, escaped");
  assert.equal(svg.match(/<svg /g)?.length, 4, "the figure and its 3 charts");
  assert.deepEqual(panelTitles(svg), [
    "Cross-entropy",
    "Accuracy and memory recall",
    "Attention probes",
  ]);
  const names = legendNames(svg);
  for (
    const m of [
      "lossInContext",
      "lossGlobal",
      "inContextAcc",
      "wO2",
      "wK2",
      "wK1Early",
      "wK1",
      "prevToken",
      "induction",
    ] as Metric[]
  ) {
    assert.ok(names.includes(METRIC_LABELS[m]), `legend lacks ${METRIC_LABELS[m]}`);
  }
  assert.ok(!names.includes(METRIC_LABELS.wF), "no W_F curve without W_F");
  assert.equal(svg.match(/<path /g)?.length, 9, "one line per series");
  assert.doesNotMatch(svg, /stroke-dasharray="4 3"/, "no vertical lines unless asked");
});

Deno.test("trainingCurves: the W_F panel appears only when a record has wF", () => {
  const withF = [record(0), record(100, { wF: 0.8 }), record(200, { wF: 0.1 })];
  const svg = trainingCurves(withF, { title: "W_F" });
  assertBalanced(svg);
  assert.equal(svg.match(/<svg /g)?.length, 5);
  assert.equal(panelTitles(svg)[3], "Global bigram memory W_F");
  assert.ok(legendNames(svg).includes(METRIC_LABELS.wF));
  const wFPath = svg.split("<svg ").at(-1)!.match(/<path d="([^"]+)"/)![1];
  assert.equal(wFPath.match(/M/g)?.length, 1, "the record without wF is skipped");
  assert.equal(wFPath.match(/L/g)?.length, 1, "two points drawn");
});

Deno.test("trainingCurves: vertical lines in every panel, extra charts at the end", () => {
  const extra = lineChart([{ name: "lr", points: [[0, 1], [200, 0.1]] }], {
    title: "Learning rate",
    xLabel: "step",
    yLabel: "lr",
  });
  const svg = trainingCurves(records, {
    title: "frozen",
    vLines: [{ x: 100, label: "unfreeze W_K2" }, { x: 150, label: "second" }],
    extra: [extra],
  });
  assertBalanced(svg);
  assert.equal(svg.match(/<svg /g)?.length, 5);
  assert.equal(panelTitles(svg).at(-1), "Learning rate");
  assert.equal(svg.match(/stroke-dasharray="4 3"/g)?.length, 6, "2 lines in each of 3 panels");
  assert.equal(svg.match(/>unfreeze W<tspan/g)?.length, 3, "W_K2 as W with sub- and superscript");
  assert.equal(svg.match(/>second</g)?.length, 3);
});

Deno.test("compareRuns: one line per run, named after the run", () => {
  const a = [record(0, { inContextAcc: 0 }), record(100, { inContextAcc: 0.5 })];
  const b = [record(0, { inContextAcc: 0 }), record(50, { inContextAcc: 0.25 })];
  const svg = compareRuns(
    [{ name: "baseline", records: a }, { name: "frozen W_K2", records: b, dashed: true }],
    "inContextAcc",
    { vLines: [{ x: 50, label: "unfreeze" }] },
  );
  assert.match(svg, /^<svg /);
  assertBalanced(svg);
  assert.equal(svg.match(/<svg /g)?.length, 1, "a single chart");
  assert.deepEqual(panelTitles(svg), [METRIC_LABELS.inContextAcc]);
  assert.deepEqual(legendNames(svg), ["baseline", "frozen W_K^2"]);
  assert.equal(svg.match(/<path /g)?.length, 2);
  assert.equal(svg.match(/<path [^>]*stroke-dasharray="6 4"/g)?.length, 1, "only b is dashed");
  assert.equal(svg.match(/stroke-dasharray="4 3"/g)?.length, 1);
  assert.match(svg, />unfreeze</);
  const titled = compareRuns([{ name: "a", records: a }], "inContextAcc", { title: "Figure 3" });
  assert.deepEqual(panelTitles(titled), ["Figure 3"]);
});

Deno.test("compareRuns: fractions on [0, 1], losses on their own range", () => {
  const low = [record(0, { wK2: 0, lossAll: 0 }), record(100, { wK2: 0.5, lossAll: 0.5 })];
  const runs = [{ name: "run", records: low }];
  const fraction = yTicks(compareRuns(runs, "wK2"));
  assert.equal(fraction[0], "0");
  assert.equal(fraction.at(-1), "1", "a fraction's axis goes up to 1");
  const loss = yTicks(compareRuns(runs, "lossAll"));
  assert.equal(loss[0], "0");
  assert.equal(loss.at(-1), "0.5", "a loss axis follows the data");
  assert.equal(yTicks(compareRuns(runs, "elapsedMs")).at(-1), "1000");
});

Deno.test("compareRuns: a run without the metric draws no line but keeps its legend", () => {
  const svg = compareRuns([
    { name: "with W_F", records: [record(0, { wF: 1 }), record(10, { wF: 0.5 })] },
    { name: "without", records: [record(0), record(10)] },
  ], "wF");
  assertBalanced(svg);
  assert.equal(svg.match(/<path /g)?.length, 1);
  assert.deepEqual(legendNames(svg), ["with W_F", "without"]);
});
