import assert from "node:assert/strict";
import {
  ago,
  lessonReport,
  loadErrorFile,
  nextSteps,
  overviewReport,
  usesLine,
} from "@lib/course/report.ts";
import { importedLessons, type Lesson, listLessons, parseLesson } from "@lib/course/lessons.ts";
import { importSpecifiers } from "@lib/layers/mod.ts";
import { type ExerciseState, lessonStatus, type StatusInput } from "@lib/course/status.ts";
import {
  emptyProgress,
  type Progress,
  recordHintSeen,
  recordStates,
} from "@lib/course/progress.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

/** The report of a check of `lesson` that found `states`, as plain text. */
function report(
  lesson: Lesson,
  states: ExerciseState[],
  ctx: Omit<StatusInput, "lesson" | "states"> & { root?: string; progress?: Progress } = {},
): string {
  const status = lessonStatus({ lesson, states, ...ctx });
  const view = { source: "lessons" as const, root: ctx.root ?? ".", progress: ctx.progress };
  return stripAnsi(lessonReport(status, view).join("\n"));
}

/** The overview of some lessons' records, as plain text. */
function overview(entries: StatusInput[], now: Date): string {
  return stripAnsi(overviewReport(entries.map((e) => lessonStatus(e)), now).join("\n"));
}

const one = parseLesson(
  "01_one",
  "# Lesson 1: One\n### Exercise 1.1: A\n**Functions:** `a`\n" +
    "### Exercise 1.2: B\n**Functions:** `b` · **Difficulty:** ★★☆ · **Time:** 15 min\n",
  "## Exercise 1.1\n### Hint 1: a nudge\nx\n## Exercise 1.2\n### Hint 1: a nudge\nx\n",
);
const two = parseLesson("02_two", "# Lesson 2: Two\n### Exercise 2.1: C\n**Functions:** `c`\n");
const NOW = new Date("2026-01-01T02:00:00Z");

Deno.test("overviewReport: lines per lesson, the bar, and the next thing to do", () => {
  const p = emptyProgress();
  const [a, b] = one.exercises;
  recordStates(p, one, [
    { exercise: a, state: "passed", passed: 2, total: 2 },
    { exercise: b, state: "failing", passed: 1, total: 3 },
  ], new Date("2026-01-01T01:00:00Z"));
  recordHintSeen(p, one, "1.2", 1);
  const text = (stale: boolean, pristine2: boolean) =>
    overview([
      { lesson: one, record: p.lessons["01_one"], stale, pristine: false },
      { lesson: two, record: undefined, stale: false, pristine: pristine2 },
    ], NOW);
  const fresh = text(false, true);
  assert.match(fresh, /◐ {2}1 {2}One +1\/2 done, 1 failing +checked 1 h ago$/m);
  assert.match(fresh, /· {2}2 {2}Two +not started$/m);
  assert.match(fresh, /Overall: \[█{7}░{13}\] 1\/3 exercises/);
  assert.match(fresh, /Next: exercise 1\.2, B \(★★☆, 15 min\) in lessons\/01_one\/exercises\.ts/);
  assert.match(fresh, /`deno task lesson 1 --watch`.*\(1 of 1 seen\)/);
  const stale = text(true, false);
  assert.match(stale, /checked 1 h ago, changed since/);
  assert.match(stale, /\? {2}2 {2}Two +not checked yet/);
  assert.match(stale, /Next: check lesson 1: `deno task lesson 1`/);
  assert.match(stale, /`deno task lesson --all` rechecks them all/);
});

Deno.test("usesLine: lesson 6 says, before it runs, that it runs your lessons 1 and 5 code", async () => {
  const lessons = await listLessons(".");
  const six = lessons.find((l) => l.number === 6)!;
  const used = importedLessons(
    importSpecifiers(await Deno.readTextFile(six.paths.exercises)),
    six,
    lessons,
  );
  assert.deepEqual(used.map((l) => l.number), [1, 5]);
  assert.equal(
    usesLine(six, used, "lessons"),
    "Lesson 6's exercises also run your code of lessons 1 and 5 " +
      "(lessons/01_bigram_data/exercises.ts, lessons/05_training/exercises.ts).",
  );
  assert.match(
    usesLine(six, used, "solutions"),
    /the reference code of lessons 1 and 5 \(solutions\//,
  );
  // An example in a comment runs nothing.
  const example =
    '/**\n * import { loadStats } from "@exercises/01_bigram_data/exercises.ts";\n */\n';
  assert.deepEqual(importedLessons(importSpecifiers(example), six, lessons), []);
});

Deno.test("ago", () => {
  assert.equal(ago("2026-01-01T01:59:30Z", NOW), "just now");
  assert.equal(ago("2026-01-01T01:55:00Z", NOW), "5 min ago");
  assert.equal(ago("2025-12-30T02:00:00Z", NOW), "2 days ago");
});

Deno.test("lessonReport: `where` names the function that failed, or the line that threw", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_test_" });
  try {
    const lesson = parseLesson(
      "01_one",
      "# Lesson 1: One\n### Exercise 1.1: A\n**Functions:** `first`, `second`, `third`\n",
    );
    await Deno.mkdir(`${root}/lessons/01_one`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/${lesson.paths.exercises}`,
      "/** Doc. */\nexport function first(): number {\n  return 1;\n}\n\n" +
        "export function second(): number {\n  const x = 2;\n  throw new Error('x');\n}\n" +
        '\nexport function third(): number {\n  // TODO\n  throw notImplemented("third");\n}\n',
    );
    const where = (fn: string, message: string) => {
      const failure = { name: `${fn}: a test`, fn, file: "", ok: false, message };
      const state = {
        exercise: lesson.exercises[0],
        state: "failing" as const,
        passed: 0,
        total: 1,
      };
      const text = report(lesson, [{ ...state, firstFailure: failure }], { root });
      return text.match(/where: +(.*)$/m)?.[1];
    };
    const file = lesson.paths.exercises;
    assert.equal(where("second", "expected 1 but got 2"), `${file}:6 (function second)`);
    // While the course site runs, the line's address in its source view, under `where:`.
    const status = lessonStatus({
      lesson,
      states: [{
        exercise: lesson.exercises[0],
        state: "failing",
        passed: 0,
        total: 1,
        firstFailure: { name: "second: t", fn: "second", file: "", ok: false, message: "x" },
      }],
    });
    const site = "http://127.0.0.1:8123";
    const lines = nextSteps(status, { source: "lessons", root, site }).map(stripAnsi);
    const at = lines.findIndex((l) => l.startsWith("  where:"));
    assert.equal(lines[at + 1], `          ${site}/source/${file}#L6`);
    assert.deepEqual(
      stripAnsi(lessonReport(status, { source: "lessons", root }).join("\n")).match(/http/g),
      null,
      "no address without a running site",
    );
    assert.equal(where("first", "expected 1 but got 2"), `${file}:2 (function first)`);
    // A stub: the `throw notImplemented(...)` line to replace.
    assert.equal(
      where("third", "`third` is not implemented yet: it still throws the stub's error."),
      `${file}:13 (function third)`,
    );
    // A helper's test, not one of the exercise's functions: the exercise's first function.
    assert.equal(where("helper", "expected 1"), `${file}:2 (function first)`);
    // A WGSL syntax error quotes the line that does not parse: that line, in its function.
    assert.equal(
      where(
        "first",
        "`first`: WebGPU error: your WGSL does not parse: expected `;`, at line 9, " +
          "column 3 of the generated shader, on the line `const x = 2;`. (tfjs adds ...)",
      ),
      `${file}:7 (function second)`,
    );
    // Thrown inside `second` while testing `first`: the line that threw wins.
    assert.equal(
      where("first", `\`first\` threw Error: x (at ${file}:8). The error was raised in your code.`),
      `${file}:8 (function second)`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lessonReport: says what the lesson builds of the induction head (In the map)", () => {
  const lesson = parseLesson(
    "02_two",
    "# Lesson 2: Two\n\n**In the map** ([the induction head](../figures/induction_head.svg)): " +
      "this lesson builds ① the previous-token head,\nits memory $W_K^1$.\n\n" +
      "### Exercise 2.1: A\n**Functions:** `a`\n",
  );
  const text = report(lesson, [{
    exercise: lesson.exercises[0],
    state: "passed",
    passed: 3,
    total: 3,
  }]);
  assert.match(
    text,
    /^In the map \(lessons\/figures\/induction_head\.svg\), this lesson builds ① the previous-token head, its memory W_K\^1\.$/m,
  );
  const plain = parseLesson("02_two", "# Lesson 2: Two\n### Exercise 2.1: A\n**Functions:** `a`\n");
  assert.doesNotMatch(report(plain, []), /In the map/);
});

Deno.test("lessonReport: an exercise that needs WebGPU says 'fallback only' without it", () => {
  const lesson = parseLesson(
    "06_gpu",
    "# Lesson 6: GPU\n### Exercise 6.1: Plain\n**Functions:** `a`\n" +
      "### Exercise 6.2: Kernel\n**Functions:** `k` · **Time:** 5 min · **Needs:** WebGPU\n",
  );
  assert.deepEqual(lesson.exercises.map((e) => e.needs), [[], ["WebGPU"]]);
  const states = lesson.exercises.map((exercise) => ({
    exercise,
    state: "passed" as const,
    passed: 3,
    total: 3,
  }));
  const gpu = (webgpu?: { available: boolean; reason?: string }) =>
    report(lesson, states, { webgpu });
  const without = gpu({ available: false, reason: "no adapter" });
  assert.match(without, /6\.1 .* 3\/3 tests$/m);
  assert.match(without, /6\.2 .* 3\/3 tests, fallback only$/m);
  assert.match(without, /No WebGPU here \(no adapter\): the WGSL kernels of 6\.2 were NOT run/);
  assert.match(without, /Lesson 6 complete \(on the fallback path only/);
  for (const text of [gpu({ available: true }), gpu()]) {
    assert.doesNotMatch(text, /fallback|NOT run/);
    assert.match(text, /Lesson 6 complete\. Run/);
  }
});

Deno.test("lessonReport: a lesson complete on the reference points at the reference's demo", () => {
  const states = one.exercises.map((exercise) => ({
    exercise,
    state: "passed" as const,
    passed: 2,
    total: 2,
  }));
  const text = (source: "lessons" | "solutions") =>
    stripAnsi(
      lessonReport(lessonStatus({ lesson: one, states }), { source, root: "." }).join("\n"),
    );
  assert.match(text("lessons"), /Lesson 1 complete\. Run `deno task demo 1` to see it at work/);
  assert.match(text("solutions"), /Run `deno task demo 1 --solutions` to see it at work/);
});

Deno.test("lessonReport: 'Next' skips an exercise that waits for another lesson", () => {
  const two = parseLesson("02_two", "# Lesson 2: Two\n### Exercise 2.5: R\n**Functions:** `res`\n");
  const four = parseLesson(
    "04_four",
    "# Lesson 4: Four\n### Exercise 4.2: F\n**Functions:** `fwd`\n" +
      "### Exercise 4.5: M\n**Functions:** `metric`\n",
  );
  const [f, m] = four.exercises;
  const stub = (fn: string) => ({
    name: `${fn}: x`,
    fn,
    file: "",
    ok: false,
    message: "`res` is not implemented yet: it still throws the stub's error.",
  });
  const states = [
    { exercise: f, state: "not started" as const, passed: 0, total: 2, firstFailure: stub("fwd") },
    {
      exercise: m,
      state: "failing" as const,
      passed: 1,
      total: 2,
      firstFailure: { ...stub("metric"), message: "expected 1 but got 2" },
    },
  ];
  const text = report(four, states, { lessons: [two, four] });
  assert.match(text, /4\.2 .* waits for 2\.5$/m);
  assert.match(text, /Next: exercise 4\.5, M/);
  // Focused on 4.2, it names the exercise it waits for and where to find it.
  const focused = report(four, states, { lessons: [two, four], focus: "4.2" });
  assert.match(focused, /calls your `res` from lesson 2 \(exercise 2\.5, R\)/);
  assert.doesNotMatch(focused, /at its last check/);
  // With lesson 2's recorded progress, what did not pass there is listed.
  const progress = emptyProgress();
  recordStates(progress, two, [{
    exercise: two.exercises[0],
    state: "failing",
    passed: 0,
    total: 1,
  }]);
  const listed = report(four, states, { lessons: [two, four], focus: "4.2", progress });
  assert.match(listed, /at its last check, 2\.5 did not pass yet\./);
  assert.match(focused, /where: +lessons\/02_two\/exercises\.ts/);
});

Deno.test("loadErrorFile: names the other lesson's file when the error is there", () => {
  const four = parseLesson("04_four", "# Lesson 4: Four\n");
  assert.equal(
    loadErrorFile(four, "Your code has a syntax error\n  at lessons/01_one/exercises.ts:3:5"),
    "The error is in lessons/01_one/exercises.ts, which lesson 4 imports (your lesson 1 code).",
  );
  assert.equal(
    loadErrorFile(four, "  at lessons/04_four/exercises.ts:9:1"),
    "Your file: lessons/04_four/exercises.ts",
  );
});

Deno.test("overviewReport: a long title is cut at its first comma, else with an ellipsis", () => {
  const long = (n: number, title: string) =>
    parseLesson(
      `0${n}_x`,
      `# Lesson ${n}: ${title}\n### Exercise ${n}.1: A\n**Functions:** \`a\`\n`,
    );
  const entries = [
    long(4, "The two-layer induction transformer, built and wired by hand"),
    long(5, "Training, and watching the induction head being born today and tomorrow"),
  ].map((lesson) => ({ lesson, record: undefined, stale: false, pristine: true }));
  const text = overview(entries, NOW);
  assert.match(text, / 4 {2}The two-layer induction transformer +not started/);
  assert.match(text, / 5 {2}Training, and watching the induction head being born… +not started/);
});

Deno.test("lessonReport: a failing exercise's message comes before the next unstarted one", () => {
  const six = parseLesson(
    "06_six",
    "# Lesson 6: Six\n### Exercise 6.2: Kernel\n**Functions:** `k`\n" +
      "### Exercise 6.5: Final\n**Functions:** `f`\n",
  );
  const [k, f] = six.exercises;
  const failure = (fn: string, message: string) => ({
    name: `${fn}: x`,
    fn,
    file: "",
    ok: false,
    message,
  });
  const text = report(six, [
    {
      exercise: k,
      state: "not started",
      passed: 0,
      total: 2,
      firstFailure: failure("k", "`k` is not implemented yet: it still throws the stub's error."),
    },
    {
      exercise: f,
      state: "failing",
      passed: 2,
      total: 3,
      firstFailure: failure("f", "the output without its residual: expected 1 but got 2"),
    },
  ]);
  assert.match(text, /Next: exercise 6\.5, Final/);
  assert.match(text, /problem: the output without its residual/);
  assert.doesNotMatch(text, /not implemented yet/);
});

Deno.test("lessonReport: what the code printed during a failing test, under it", () => {
  const lesson = parseLesson(
    "01_one",
    "# Lesson 1: One\n### Exercise 1.1: A\n**Functions:** `a`\n",
  );
  const firstFailure = {
    name: "a: x",
    fn: "a",
    file: "",
    ok: false,
    message: "expected 1 but got 2",
    output: ["counts: 3", "sum: 2"],
  };
  const text = report(lesson, [{
    exercise: lesson.exercises[0],
    state: "failing",
    passed: 0,
    total: 1,
    firstFailure,
  }]);
  assert.match(text, /problem: expected 1 but got 2\n {2}output: counts: 3\n {10}sum: 2\n/);
});
