// Server-rendered tests of the demos' shared controls and of lesson 2's scale slider: a slider
// whose positions stand for other values shows (and tells screen readers) the value, not the
// position. Also the demos' pure helpers: heat-map ticks, chart marks (birth, unfreeze), the
// lesson-4 caption for the chosen width, lesson 5's runs (one configuration per experiment,
// shared with `deno task demo 5`), and lesson 9's variant picker and cached attention maps.
import { assert, assertEquals, assertStringIncludes } from "./assert.ts";
import { axisTicks, LABEL_CELL } from "../components/heatmap.tsx";
import { LineChart } from "../components/line_chart.tsx";
import { Status } from "../components/controls.tsx";
import { runMarks } from "../islands/train_demo.tsx";
import { matrixParts, MatrixText } from "../components/matrix_name.tsx";
import { inductionCaption } from "../islands/induction_demo.tsx";
import { FREEZE_UNTIL, liveConfig } from "../../lessons/05_training/experiment.ts";
import { presets } from "@lib/train/config.ts";
import { fullPreset, FullTrainer } from "@lib/train/full.ts";
import { Rng } from "@lib/rng/mod.ts";
import * as tf from "@tensorflow/tfjs";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
import { FULL_MAP_SEED } from "../../lessons/09_beyond_simplified/variants.ts";
import { h } from "preact";
import { renderToString } from "preact-render-to-string";
import { Slider } from "../components/controls.tsx";
import AttentionDemo from "../islands/attention_demo.tsx";
import { ticks } from "../components/line_chart.tsx";
import { mapCaption, VARIANTS } from "../islands/beyond_demo.tsx";
import {
  bestHeadMap,
  cachedRuns,
  fullMaps,
  LIVE_VARIANTS,
  liveSteps,
  mapLabels,
} from "../../lessons/09_beyond_simplified/experiment.ts";

Deno.test("Slider shows its value, or what format makes of it", () => {
  const plain = renderToString(
    h(Slider, { id: "d", label: "d", min: 4, max: 256, value: 64, onChange: () => {} }),
  );
  assertStringIncludes(plain, '<output for="d">64</output>');
  assert(!plain.includes("aria-valuetext"), "a plain slider needs no value text");
  const scales = [0.1, 1, 10];
  const formatted = renderToString(
    h(Slider, {
      id: "s",
      label: "scale",
      min: 0,
      max: 2,
      value: 2,
      format: (i: number) => `${scales[i]}`,
      onChange: () => {},
    }),
  );
  assertStringIncludes(formatted, 'value="2"');
  assertStringIncludes(formatted, 'aria-valuetext="10"');
  assertStringIncludes(formatted, '<output for="s">10</output>');
});

Deno.test("lesson 2's scale slider shows the scale a = 1, not its position 8", () => {
  const html = renderToString(h(AttentionDemo, { code: { source: "reference", exercises: {} } }));
  assertStringIncludes(html, '<label for="attn-scale">scale a</label>');
  assertStringIncludes(html, '<output for="attn-scale">1</output>');
  assertStringIncludes(html, 'aria-valuetext="1"');
});

Deno.test("line chart ticks: round steps inside the axis only", () => {
  const same = (a: number[], b: number[]) => assert(a.join() === b.join(), `${a} !== ${b}`);
  same(ticks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  same(ticks(0.05, 0.97, 5), [0.2, 0.4, 0.6, 0.8]);
  same(ticks(0, 300, 5), [0, 100, 200, 300]);
  same(ticks(3, 3, 4), [3]);
});

Deno.test("heat-map ticks: tokens where they fit, else positions or every k-th label", () => {
  assertEquals(axisTicks(3, LABEL_CELL, ["a", "b", "c"]), [[0, "a"], [1, "b"], [2, "c"]]);
  const positions = axisTicks(64, 4, ["x"]);
  assertEquals(positions.map(([, l]) => l), ["1", "8", "16", "24", "32", "40", "48", "56", "64"]);
  assertEquals(axisTicks(6, 6, ["a", "b", "c", "d", "e", "f"], "thin"), [[0, "a"], [2, "c"], [
    4,
    "e",
  ]]);
});

Deno.test("the training charts mark the birth (first accuracy >= 0.95) and each unfreeze", () => {
  const r = (step: number, inContextAcc: number) => ({ step, inContextAcc, elapsedMs: step });
  assertEquals(runMarks([r(0, 0), r(170, 0.949), r(180, 0.95), r(190, 0.99)]).map((m) => m.x), [
    180,
  ]);
  assertEquals(runMarks([r(0, 0.1)]), [], "not born: no mark");
  const freeze = runMarks([r(0, 0)], liveConfig("freeze").freeze);
  assertEquals(freeze.map((m) => [m.x, m.label]), [[FREEZE_UNTIL, "W_K¹, W_K² released"]]);
  const svg = renderToString(
    h(LineChart, {
      id: "c",
      label: "acc",
      xLabel: "step",
      xRange: [0, 300],
      series: [{ name: "acc", color: "#000", points: [[0, 0], [180, 0.96]] }],
      marks: runMarks([r(0, 0), r(180, 0.96)]),
    }),
  );
  assertStringIncludes(svg, 'data-x="180"');
  assertStringIncludes(svg, ">born at step 180</text>");
  assertStringIncludes(svg, "born at step 180 (step 180)</desc>");
});

Deno.test("lesson 5's runs: the demo's and the terminal's one configuration per experiment", () => {
  assertEquals(liveConfig("cpu"), presets.cpu);
  const global = liveConfig("global");
  assertEquals([global.loss, global.model.finalFfn, global.model.trainable.includes("wF")], [
    "all",
    true,
    true,
  ]);
  const freeze = liveConfig("freeze");
  assertEquals(freeze.steps, 2 * FREEZE_UNTIL);
  assertEquals(freeze.freeze.map((f) => [f.param, f.untilStep]), [["wK1", 300], ["wK2", 300]]);
  assertEquals(liveConfig("freeze", 40).steps, 40);
});

Deno.test("lesson 4's caption speaks of the chosen width", () => {
  const narrow = inductionCaption(32, 9, 40);
  assertStringIncludes(narrow, "At d = 32 the wired head copied 9 of the 40 (23%) positions");
  assert(!narrow.includes("256 it gets"), narrow);
  assertStringIncludes(inductionCaption(256, 30, 40, [12, 14]), "12 of the 14 (86%) in-context");
  assertStringIncludes(inductionCaption(64, 0, 0), "nothing to copy");
});

Deno.test("the status line is shown at once and read out through one live region", () => {
  const html = renderToString(h(Status, { text: "Training: step 3" }));
  assertStringIncludes(html, '<p class="demo-status" aria-hidden="true">Training: step 3</p>');
  assertEquals(html.match(/aria-live/g)?.length, 1);
});

Deno.test("matrix names in the demos are W with a subscript and a superscript, never raw", () => {
  assertEquals(matrixParts("W_K¹, W_K^2 and W_F; W_Kx"), [
    ["K", "1"],
    ", ",
    ["K", "2"],
    " and ",
    ["F", undefined],
    "; W_Kx",
  ]);
  assertEquals(
    renderToString(h(MatrixText, { text: "W_O² probe" })),
    "W<sub>O</sub><sup>2</sup> probe",
  );
  const svg = renderToString(
    h(LineChart, {
      id: "c",
      label: "probes",
      xLabel: "step",
      series: [{ name: "W_K¹ probe", color: "#000", points: [[0, 0], [10, 1]] }],
      marks: runMarks([{ step: 0, inContextAcc: 0, elapsedMs: 0 }], [{
        param: "wK1",
        untilStep: 5,
      }]),
    }),
  );
  const shown = svg.replace(/<desc[\s\S]*?<\/desc>|<title[\s\S]*?<\/title>/g, "");
  const text = shown.replace(/<[^>]*>/g, " ");
  assert(!/W_/.test(text), `no raw W_ in the chart's visible text: ${text}`);
  assertStringIncludes(shown, "W<sub>K</sub><sup>1</sup> probe");
});

Deno.test("lesson 9's picker offers every variant the experiment trains live", () => {
  assertEquals(
    VARIANTS.map((v) => v.value).sort(),
    LIVE_VARIANTS.map((v) => v.key).sort(),
    "site/islands/beyond_demo.tsx's VARIANTS and experiment.ts's LIVE_VARIANTS differ",
  );
  for (const v of VARIANTS) assertEquals([v.value, v.steps], [v.value, liveSteps(v.value)]);
});

Deno.test("lesson 9's cached maps: each run's highest-scoring head, its in-context rows", () => {
  const maps = fullMaps(cachedRuns());
  assert(maps.some((m) => m.key === "full-fixed"), "the fixed-trigger run's map is cached");
  for (const m of maps) {
    const T = m.tokens.length;
    assertEquals(m.name, m.best.name, `${m.key}: the map shows the highest-scoring head`);
    assertEquals(m.weights.length, T * T);
    for (let t = 0; t < T; t++) {
      const row = m.weights.slice(t * T, (t + 1) * T);
      const sum = row.reduce((a, b) => a + b, 0);
      assert(Math.abs(sum - 1) < 0.02, `${m.key}: row ${t} sums to ${sum}`);
      assert(row.slice(t + 1).every((w) => w === 0), `${m.key}: row ${t} is causal`);
    }
    assert(m.targets.every((i) => i % T <= Math.floor(i / T)), "targets are s <= t");
    assert(m.inContext.length > 0, `${m.key}: results.json keeps the labels (--replot)`);
    assertEquals(m.chars.length, T);
  }
});

Deno.test("lesson 9's map labels are drawn again only when the tokens match", () => {
  const run = cachedRuns().find((r) => r.key === "full-fixed")!;
  const { labels, ...rest } = run.map!;
  assertEquals(mapLabels({ ...run, map: rest }), labels);
  const other = { ...rest, tokens: rest.tokens.map((z) => (z + 1) % 65) };
  assertEquals(mapLabels({ ...run, map: other }), undefined);
});

Deno.test("lesson 9's map caption names the head and where its argmax lands", () => {
  const all = { queries: 39, argmaxRight: 0.33, meanWeight: 0.37 };
  const triggers = { queries: 13, argmaxRight: 1, meanWeight: 0.98 };
  const others = { queries: 26, argmaxRight: 0, meanWeight: 0.07 };
  const best = { name: "2.2", score: 0.39 };
  const text = mapCaption({
    title: "fixed triggers",
    name: "2.2",
    score: 0.39,
    best,
    all,
    triggers,
    others,
  });
  assertStringIncludes(text, "head 2.2 (layer 2, head 2), the highest induction score (0.39)");
  assertStringIncludes(
    text,
    "13 in-context targets its argmax is the token after an earlier copy 100%",
  );
  assertStringIncludes(text, "26 other repeated tokens 0%");
  const notBest = mapCaption({ title: "x", name: "1.1", score: 0.1, best, all });
  assertStringIncludes(notBest, "the highest is 2.2, 0.39");
  assertStringIncludes(notBest, "at the 39 repeated tokens");
});

Deno.test("lesson 9's live map: the chosen head's attention on the seeded sequence, no leak", () => {
  const config = {
    ...fullPreset,
    model: { ...fullPreset.model, dim: 16, maxLen: 16 },
    data: { ...fullPreset.data, seqLen: 16 },
    batchSize: 4,
  };
  const trainer = new FullTrainer(config, { ...data, ...training, ...ex9 });
  try {
    const before = tf.memory().numTensors;
    const map = bestHeadMap(trainer, [[0.1, 0.2, 0.3, 0.1], [0.2, 0.9, 0.1, 0.1]]);
    assertEquals(tf.memory().numTensors, before, "bestHeadMap frees its tensors");
    assertEquals([map.layer, map.head], [1, 1], "the highest score is head 2.2");
    const batch = data.makeBatch(new Rng(FULL_MAP_SEED), data.loadStats(), config.data, 1);
    assertEquals(map.tokens, Array.from(batch.inputs.dataSync()));
    assertEquals(map.labels, Array.from(batch.labels.dataSync()));
    tf.dispose(Object.values(batch));
    assertEquals(map.weights.length, 16 * 16);
    for (let t = 0; t < 16; t++) {
      const sum = map.weights.slice(t * 16, (t + 1) * 16).reduce((a, b) => a + b, 0);
      assert(Math.abs(sum - 1) < 0.02, `row ${t} sums to ${sum}`);
    }
  } finally {
    trainer.dispose();
  }
});

Deno.test("a demo's code that cannot be built: one plain line naming the file, no ANSI, no 'the your code'", async () => {
  const { buildFailure, loadingStatus } = await import("../components/use_experiment.tsx");
  const raw =
    "deno bundle failed (exit 1):\n\u001b[0m\u001b[1m\u001b[31merror\u001b[0m: Module not found " +
    '"file:///home/me/course/lessons/05_training/exercises.ts".\n    at \u001b[0m\u001b[36mfile:///home/' +
    "me/course/lessons/08_data_distribution/experiment.ts\u001b[0m:21:22\n\u001b[0m\u001b[1m\u001b[31merror" +
    "\u001b[0m: bundling failed\n\nStack backtrace:\n   0: <unknown>";
  assertEquals(
    buildFailure("learner", raw),
    'your code (lessons/) could not be built: Module not found "lessons/05_training/exercises.ts"',
  );
  assertEquals(loadingStatus("learner"), "Loading TensorFlow.js and your code (lessons/)…");
  assertEquals(loadingStatus("reference"), "Loading TensorFlow.js and the reference (solutions/)…");
});

Deno.test("a demo stopped by a broken exercise file names the lesson, the file and the command", async () => {
  const { CodePanel } = await import("../components/use_experiment.tsx");
  const { brokenMessage, brokenNote } = await import("../client/broken_lesson.ts");
  const syntax = {
    lesson: 3,
    slug: "03_associative_memory",
    file: "lessons/03_associative_memory/exercises.ts",
    missing: false,
    problem: "SyntaxError: Expression expected",
    where: "lessons/03_associative_memory/exercises.ts:395:11",
  };
  const missing = { ...syntax, missing: true, problem: "", where: undefined };
  const text = (exp: Parameters<typeof CodePanel>[0]["exp"]) =>
    renderToString(h(CodePanel, { exp })).replace(/<[^>]+>/g, "");
  const setSource = () => {};
  assertStringIncludes(
    text({ source: "learner", setSource, broken: syntax, lesson: 5 }),
    "Lesson 5's demo needs your lesson 3 code, and lessons/03_associative_memory/exercises.ts " +
      "does not compile: SyntaxError: Expression expected at " +
      "lessons/03_associative_memory/exercises.ts:395:11; deno task lesson 3 shows it.",
  );
  assertStringIncludes(
    text({ source: "learner", setSource, broken: missing, lesson: 3 }),
    "Lesson 3's demo runs your lessons/03_associative_memory/exercises.ts, which is missing: " +
      "deno task lesson 3 --reset restores the original stub.",
  );
  assertStringIncludes(
    text({ source: "learner", setSource, broken: missing }),
    "Run the reference",
  );
  assertEquals(text({ source: "learner", setSource }).includes("lessons/03"), false);
  const waiting = { fn: "storePairs" };
  for (const retry of [undefined, () => {}]) {
    const said = text({ source: "learner", setSource, waiting, retry });
    assertEquals(said.includes("Try again"), retry !== undefined, said);
    assert(!/ {2}/.test(said), `one space between the parts: ${said}`);
  }
  assertEquals(brokenNote(missing, 5).command, "deno task lesson 3 --reset");
  const html = renderToString(
    h(CodePanel, { exp: { source: "learner", setSource, broken: syntax, lesson: 3 } }),
  );
  assertStringIncludes(
    html,
    ' at <a href="/source/lessons/03_associative_memory/exercises.ts#L395">' +
      "lessons/03_associative_memory/exercises.ts:395:11</a>; <code>deno task lesson 3</code>",
  );
  assertEquals(
    brokenMessage(missing),
    "lessons/03_associative_memory/exercises.ts is missing: `deno task lesson 3 --reset` " +
      "restores the original stub",
  );
});

Deno.test("the table of contents marks the last heading above the reading line, and only it", async () => {
  const { currentHeading, default: PageToc } = await import("../islands/page_toc.tsx");
  assertEquals(currentHeading([-900, -40, 120, 700], 225), 2);
  assertEquals(currentHeading([-900, -40, 226, 700], 225), 1);
  assertEquals(currentHeading([225, 700], 225), 0, "a heading on the line is read");
  assertEquals(currentHeading([300, 700], 225), -1, "none before the first heading");
  assertEquals(currentHeading([], 225), -1);
  const { TocList } = await import("../components/toc.tsx");
  const entries = [{ id: "a", html: "A", level: 2 }, { id: "b", html: "<em>B</em>", level: 3 }];
  const html = renderToString(h(TocList, { entries, current: "b" }));
  assertEquals(html.match(/aria-current="true"/g)?.length, 1);
  assertStringIncludes(html, '<a href="#b" aria-current="true"><em>B</em></a>');
  const served = renderToString(h(PageToc, { entries }));
  assertEquals(served.includes("aria-current"), false, "the server marks nothing");
  assertEquals(served.match(/href="#a"/g)?.length, 2, "both lists (margin and folded)");
});
