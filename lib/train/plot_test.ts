import assert from "node:assert/strict";
import { figure, lineChart, niceTicks, svgText } from "./plot.ts";

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
