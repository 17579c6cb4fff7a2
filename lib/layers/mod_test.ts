import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  checkLayers,
  edgeViolation,
  importCycles,
  type ImportEdge,
  importSpecifiers,
  layerOf,
  resolveSpecifier,
} from "./mod.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CONFIG = JSON.parse(Deno.readTextFileSync(`${ROOT}/deno.json`));

Deno.test("layers: the repository's imports point down the layers and form no cycle", async () => {
  const { edges, violations, cycles } = await checkLayers(ROOT);
  assert.ok(edges.length > 300, `only ${edges.length} imports found: is the walk broken?`);
  assert.deepEqual(
    violations,
    [],
    `imports that cross a layer the wrong way:\n${violations.join("\n")}`,
  );
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(" <-> ")).join("\n")}`);
});

Deno.test("layers: no file of lib/, tests included, imports @exercises/, solutions/ or lessons/", async () => {
  const { edges } = await checkLayers(ROOT);
  const crossing = edges.filter((e) =>
    e.from.startsWith("lib/") &&
    (e.specifier.startsWith("@exercises/") || /^(solutions|lessons)\//.test(e.to ?? ""))
  ).map((e) => `${e.from} imports ${e.specifier}`);
  assert.deepEqual(
    crossing,
    [],
    "lib files that reach the lessons (move the entry point beside its lesson)",
  );
  const lib = edges.filter((e) => e.from.startsWith("lib/")).map((e) => e.from);
  assert.ok(
    lib.every((f) => layerOf(f) === "lib" || layerOf(f) === "test"),
    "every lib file is lib",
  );
});

Deno.test("layers: every file of lib/ is a building block, with no exemption for tools", () => {
  assert.equal(layerOf("lib/train/trainer.ts"), "lib");
  assert.equal(layerOf("lib/train/cli.ts"), "lib");
  assert.equal(layerOf("lib/bench/worker.ts"), "lib");
  assert.equal(layerOf("lessons/05_training/train.ts"), "tool");
  assert.equal(layerOf("lessons/06_webgpu/bench_worker.ts"), "tool");
  assert.equal(layerOf("lib/train/trainer_test.ts"), "test");
  assert.equal(layerOf("lib/course/_test_course.ts"), "test");
  assert.equal(layerOf("solutions/05_training/exercises.ts"), "solutions");
  assert.equal(layerOf("lessons/05_training/exercises.ts"), "lessons");
  assert.equal(layerOf("lessons/05_training/demo.ts"), "tool");
  assert.equal(layerOf("site/client/train.ts"), "site");
});

Deno.test("layers: imports are found in every form, comments and strings aside", () => {
  const source = [
    'import * as tf from "@tensorflow/tfjs";',
    'import type { A } from "./a.ts";',
    "// import { no } from './comment.ts';",
    'export { b } from "./b.ts";',
    'export * from "./c.ts";',
    'import counts from "./d.json" with { type: "json" };',
    "const text = \"import x from './string.ts'\";",
    'const e = await import("./e.ts");',
  ].join("\n");
  assert.deepEqual(importSpecifiers(source), [
    "@tensorflow/tfjs",
    "./a.ts",
    "./b.ts",
    "./c.ts",
    "./d.json",
    "./e.ts",
  ]);
});

Deno.test("layers: deno.json's scopes make @exercises/ the reference inside solutions/", () => {
  const spec = "@exercises/02_attention/exercises.ts";
  assert.equal(
    resolveSpecifier(spec, "solutions/04_induction_transformer/exercises.ts", CONFIG),
    "solutions/02_attention/exercises.ts",
  );
  assert.equal(
    resolveSpecifier(spec, "lessons/04_induction_transformer/exercises.ts", CONFIG),
    "lessons/02_attention/exercises.ts",
  );
  assert.equal(resolveSpecifier("@lib/rng/mod.ts", "tests/x_test.ts", CONFIG), "lib/rng/mod.ts");
  assert.equal(resolveSpecifier("../model/mod.ts", "lib/train/x.ts", CONFIG), "lib/model/mod.ts");
  assert.equal(resolveSpecifier("npm:preact", "site/x.ts", CONFIG), undefined);
});

Deno.test("layers: each wrong-way import is named, the right ways pass", () => {
  const edge = (from: string, specifier: string): ImportEdge => ({
    from,
    specifier,
    to: resolveSpecifier(specifier, from, CONFIG),
  });
  const wrong = [
    edge("lib/train/trainer.ts", "../../solutions/05_training/exercises.ts"),
    edge("lib/train/trainer.ts", "@exercises/05_training/exercises.ts"),
    edge("lib/model/mod.ts", "../../site/client/tf.ts"),
    edge("lib/train/trainer.ts", "../../lessons/05_training/train.ts"),
    edge("lib/train/cli.ts", "../../solutions/05_training/exercises.ts"),
    // A tool's entry point under lib/ is no exception: it lives beside its lesson.
    edge("lib/train/cli.ts", "@exercises/05_training/exercises.ts"),
    edge("lib/bench/worker.ts", "@exercises/06_webgpu/exercises.ts"),
    edge("lib/train/parallel_worker.ts", "@exercises/05_training/exercises.ts"),
    // A test of lib that needs the lessons lives in tests/lib/.
    edge("lib/train/trainer_test.ts", "@exercises/05_training/exercises.ts"),
    edge("lib/model/x_test.ts", "../../solutions/04_induction_transformer/exercises.ts"),
    edge("site/client/x.ts", "../../solutions/01_bigram_data/exercises.ts"),
    edge("tests/lessons/04_x_test.ts", "../../lessons/01_bigram_data/exercises.ts"),
    edge("tests/lessons/01_x_test.ts", "../../solutions/04_induction_transformer/exercises.ts"),
    edge("solutions/04_x/exercises.ts", "../../lessons/01_bigram_data/exercises.ts"),
    edge("solutions/04_x/exercises.ts", "../01_bigram_data/exercises.ts"),
  ];
  for (const e of wrong) assert.ok(edgeViolation(e), `${e.from} -> ${e.specifier} should fail`);
  const right = [
    edge("lib/train/trainer.ts", "@lib/model/mod.ts"),
    edge("lessons/05_training/train.ts", "@exercises/05_training/exercises.ts"),
    edge("lessons/05_training/train.ts", "@lib/train/cli.ts"),
    edge("tests/lib/train/trainer_test.ts", "@exercises/05_training/exercises.ts"),
    edge("solutions/04_x/exercises.ts", "@exercises/02_attention/exercises.ts"),
    edge("lessons/05_training/demo.ts", "@exercises/05_training/exercises.ts"),
    edge("site/client/train.ts", "@exercises/01_bigram_data/exercises.ts"),
    edge("site/client/train.ts", "@tensorflow/tfjs"),
    // An earlier lesson's reference as a fixture, so that a lesson's tests check it alone.
    edge("tests/lessons/04_x_test.ts", "../../solutions/01_bigram_data/exercises.ts"),
    // The same lesson's reference, as a fixture for its later exercises' tests.
    edge("tests/lessons/04_x_test.ts", "../../solutions/04_x/exercises.ts"),
  ];
  for (const e of right) assert.equal(edgeViolation(e), undefined, `${e.from} -> ${e.specifier}`);
});

Deno.test("layers: import cycles are found, type-only imports included", () => {
  const e = (from: string, to: string): ImportEdge => ({ from, specifier: to, to });
  assert.deepEqual(
    importCycles([e("log.ts", "trainer.ts"), e("trainer.ts", "log.ts"), e("cli.ts", "log.ts")]),
    [["log.ts", "trainer.ts"]],
  );
  assert.deepEqual(importCycles([e("a.ts", "a.ts")]), [["a.ts"]]);
  assert.deepEqual(importCycles([e("a.ts", "b.ts"), e("b.ts", "c.ts")]), []);
});
