import assert from "node:assert/strict";
import {
  cleanMessage,
  explainLoadError,
  runExerciseTests,
  writeImportMap,
} from "@lib/course/run_tests.ts";

Deno.test("cleanMessage: drops prefixes, the source excerpt and the stack", () => {
  const raw =
    "CourseAssertionError: expected 3 but got 4\n  throw new CourseAssertionError(x);\n        ^\n" +
    "    at check (file:///x/lib/testing/mod.ts:1:1)";
  assert.equal(cleanMessage(raw), "expected 3 but got 4");
  assert.equal(cleanMessage("\u001b[31mError: boom\u001b[0m\n    at f (x.ts:1:1)"), "Error: boom");
});

Deno.test("explainLoadError: type and syntax errors in plain words", () => {
  const ts = "TS2322 [ERROR]: Type 'string' is not assignable to type 'number'.\n" +
    "    return 'a';\n    at file:///course/lessons/01_x/exercises.ts:3:5\n";
  const msg = explainLoadError(ts, "/course");
  assert.match(msg, /does not type-check/);
  assert.match(msg, /at lessons\/01_x\/exercises.ts:3:5/);
  assert.match(
    explainLoadError("error: The module's source code could not be parsed: Expected ';'", "/c"),
    /syntax error/,
  );
});

Deno.test("explainLoadError: a real syntax error keeps its file and line", async () => {
  // Deno's own output, code frame included, for a file with a missing `)`.
  const dir = await Deno.makeTempDir({ prefix: "syntax_" });
  try {
    await Deno.writeTextFile(
      `${dir}/exercises.ts`,
      "export function f(a: number) {\n  return Math.abs(a;\n}\n",
    );
    await Deno.writeTextFile(`${dir}/x_test.ts`, 'import { f } from "./exercises.ts";\nf(1);\n');
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-config", `${dir}/x_test.ts`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.notEqual(out.code, 0);
    const stderr = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
    const msg = explainLoadError(stderr, dir);
    assert.match(msg, /syntax error/);
    assert.match(msg, /\n {2}at exercises\.ts:2:\d+$/, msg);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeImportMap: only @exercises/ moves; every other entry is kept", async () => {
  const path = await writeImportMap(".", "solutions");
  const map = JSON.parse(await Deno.readTextFile(path)).imports as Record<string, string>;
  const config = JSON.parse(await Deno.readTextFile("deno.json")).imports as Record<string, string>;
  assert.match(map["@exercises/"], /^file:\/\/.*\/solutions\/$/);
  assert.match(map["@lib/"], /^file:\/\/.*\/lib\/$/);
  assert.equal(map["@tensorflow/tfjs"], config["@tensorflow/tfjs"]);
  assert.deepEqual(Object.keys(map).sort(), Object.keys(config).sort());
  await Deno.remove(path);
});

Deno.test("runExerciseTests: a test that loops forever is stopped and named", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/loop_test.ts`;
  await Deno.writeTextFile(
    file,
    `import { exerciseTest } from "@lib/testing/mod.ts";\n` +
      `exerciseTest("fine", "passes", () => {});\n` +
      `exerciseTest("spin", "never ends", () => { while (true) { /* forever */ } });\n`,
  );
  const run = await runExerciseTests({ root: ".", tests: [file], testTimeoutSeconds: 3 });
  await Deno.remove(dir, { recursive: true });
  assert.equal(run.outcomes.length, 2, JSON.stringify(run));
  assert.equal(run.outcomes[0].ok, true);
  const hung = run.outcomes[1];
  assert.equal(hung.timedOut, true);
  assert.equal(hung.name, "spin: never ends");
  assert.match(hung.message ?? "", /stopped after 3 s/);
});

Deno.test("runExerciseTests: what a test printed comes with its outcome, at most 20 lines", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/noisy_test.ts`;
  await Deno.writeTextFile(
    file,
    `import { check, exerciseTest } from "@lib/testing/mod.ts";\n` +
      `exerciseTest("noisy", "fails", () => {\n` +
      `  for (let i = 0; i < 25; i++) console.log("line", i);\n` +
      `  console.error({ total: 3 });\n` +
      `  check(false, "expected 1 but got 2");\n` +
      `});\n` +
      `exerciseTest("quiet", "passes", () => {});\n`,
  );
  const run = await runExerciseTests({ root: ".", tests: [file] });
  await Deno.remove(dir, { recursive: true });
  const [noisy, quiet] = run.outcomes;
  assert.equal(noisy.message, "expected 1 but got 2");
  assert.deepEqual(noisy.output, [
    ...Array.from({ length: 20 }, (_, i) => `line ${i}`),
    "... and 6 more lines",
  ]);
  assert.equal(quiet.output, undefined);
});
