import assert from "node:assert/strict";
import { hintTiersResult, summary } from "@lib/course/author/course_check.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { runExerciseTests } from "@lib/course/run_tests.ts";

Deno.test("summary: one line per group, then the closing line CI reads", () => {
  const text = summary([
    { group: "solutions", name: "a", ok: true },
    { group: "solutions", name: "b", ok: false, detail: "x" },
    { group: "lib", name: "c", ok: true },
  ]);
  const lines = text.split("\n");
  assert.equal(lines.at(-1), "2 passed, 1 failed");
  assert.match(lines[0], /solutions\s+1\/2 ok/);
  assert.match(lines[1], /lib\s+1\/1 ok/);
});

Deno.test("hintTiersResult: an exercise with fewer than three hint tiers fails the course check", () => {
  const readme = "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n";
  const tiers = (n: number) =>
    "## Exercise 9.1\n" +
    Array.from({ length: n }, (_, i) => `### Hint ${i + 1}\nt${i}\n`).join("");
  const result = (n: number) => {
    const lesson = parseLesson("09_x", readme, tiers(n));
    return hintTiersResult(lesson, lesson.exercises[0]);
  };
  assert.equal(result(3).ok, true);
  assert.equal(result(2).ok, false);
  assert.equal(result(2).detail, 'lessons/09_x/hints.md has 2 under "## Exercise 9.1"');
  assert.equal(result(0).ok, false);
});

Deno.test("summary: an ignored test is counted as skipped, not as passed", () => {
  const lines = summary([
    { group: "lib", name: "a", ok: true },
    { group: "lib", name: "b", ok: true, skipped: true },
  ]).split("\n");
  assert.equal(lines.at(-1), "1 passed, 0 failed, 1 skipped");
  assert.match(lines[0], /lib\s+1\/1 ok, 1 skipped/);
});

Deno.test("runExerciseTests: Deno's `# SKIP` becomes a skipped outcome", async () => {
  const dir = await Deno.makeTempDir({ prefix: "skip_" });
  try {
    await Deno.writeTextFile(
      `${dir}/x_test.ts`,
      'Deno.test("runs", () => {});\nDeno.test({ name: "ignored", ignore: true, fn() {} });\n',
    );
    const run = await runExerciseTests({ root: ".", tests: [dir], extraArgs: ["-A"] });
    const byName = Object.fromEntries(run.outcomes.map((o) => [o.name, o]));
    assert.equal(byName["runs"]?.skipped, undefined);
    assert.equal(byName["runs"]?.ok, true);
    assert.equal(byName["ignored"]?.skipped, true, JSON.stringify(run.outcomes));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task test --lesson rejects a bad value with usage", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "lib/course/author/course_check.ts", "--lesson", "abc"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 2);
  assert.match(new TextDecoder().decode(out.stderr), /--lesson takes a number, got "abc"\nUsage:/);
});
