import assert from "node:assert/strict";
import {
  figure,
  heatmapChart,
  lineChart,
  niceTicks,
  svgText,
  viridis,
  viridisHex,
} from "./plot.ts";

Deno.test("niceTicks gives round steps covering the range", () => {
  assert.deepEqual(niceTicks(0, 0.97, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(0, 400, 6), [0, 100, 200, 300, 400]);
  assert.deepEqual(niceTicks(2.3, 4.6, 5), [2, 2.5, 3, 3.5, 4, 4.5, 5]);
  assert.deepEqual(niceTicks(1, 1).length > 1, true, "a flat series still gets an axis");
});

Deno.test("lineChart draws one path per series, breaks at NaN, escapes text", () => {
  const svg = lineChart([
    { name: "a<b", points: [[0, 1], [1, NaN], [2, 3]] },
    { name: "c", points: [[0, 2], [2, 2]], dashed: true },
  ], { title: "T & U", xLabel: "step", yLabel: "y" });
  assert.deepEqual(svg.match(/<path /g)?.length, 2);
  assert.match(svg, /a&lt;b/);
  assert.match(svg, /T &amp; U/);
  assert.match(svg, /stroke-dasharray="6 4"/);
  const firstPath = svg.match(/<path d="([^"]+)"/)![1];
  assert.deepEqual(firstPath.match(/M/g)?.length, 2, "the NaN point starts a new segment");
});

Deno.test("figure places charts on a grid in one svg", () => {
  const c = lineChart([{ name: "a", points: [[0, 0], [1, 1]] }], {
    title: "A",
    xLabel: "x",
    yLabel: "y",
    width: 300,
    height: 200,
  });
  const f = figure([c, c, c], { columns: 2, title: "Fig" });
  assert.match(f, /^<svg [^>]*width="600" height="430"/);
  assert.deepEqual(f.match(/<svg /g)?.length, 4);
  assert.match(f, /<svg x="0" y="230"/);
});

Deno.test("labels write W_K^1 as W with a subscript and a superscript, never raw", () => {
  const svg = lineChart([{ name: "W_K1, W_K2 frozen", points: [[0, 0], [1, 1]] }], {
    title: "W_O^2 alone & W_F",
    xLabel: "step",
    yLabel: "W_K^1 recall",
  });
  assert.doesNotMatch(svg, /W_/, "no raw matrix name is left");
  assert.match(svg, />W<tspan dy="3" font-size="75%">K<\/tspan><tspan dy="-8" font-size="75%">1</);
  assert.match(svg, /W<tspan dy="3" font-size="75%">F<\/tspan><tspan dy="-3">/);
  assert.match(svg, /alone &amp; W/);
  assert.equal(svgText("W_Kx stays"), "W_Kx stays", "only a matrix name is rewritten");
  const sizes = [...svg.matchAll(/font-size="(\d+)"/g)].map((m) => Number(m[1]));
  assert.ok(sizes.every((px) => px >= 12), `no label under 12 px: ${sizes}`);
});

Deno.test("heatmapChart draws each colour once, outlines the marked cells, ticks positions", () => {
  // a 3 x 3 causal map: row 2 puts all its weight on column 1 (a marked cell)
  const values = [1, 0, 0, 0.5, 0.5, 0, 0, 1, 0];
  const svg = heatmapChart(values, 3, 3, {
    title: "head 2.2",
    rowLabel: "query position t",
    colLabel: "key position s",
    marks: [[2, 1]],
    markRows: [2],
    width: 200,
    height: 200,
  });
  assert.match(svg, /^<svg [^>]*width="200" height="200"/);
  const fills = [...svg.matchAll(/<path fill="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
  assert.deepEqual(new Set(fills).size, fills.length, "one path per colour");
  assert.ok(fills.includes(viridisHex(1)) && fills.includes(viridisHex(0.5)), fills.join());
  assert.deepEqual(svg.match(/class="mark"/g)?.length, 1, "one marked cell");
  assert.deepEqual(svg.match(/class="row-mark"/g)?.length, 1, "one marked row");
  assert.match(svg, /query position t/);
  assert.match(svg, />3<\/text>/, "positions are 1-based");
});

Deno.test("viridis runs from dark purple to yellow", () => {
  assert.deepEqual(viridis(0), [68, 1, 84]);
  assert.deepEqual(viridis(1), [253, 231, 37]);
  assert.deepEqual(viridis(NaN), viridis(0));
  assert.deepEqual(viridisHex(0), "#440154");
});
