import assert from "node:assert/strict";
import { ago, lessonReport, progressReport, terminalMarkdown } from "@lib/course/report.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { emptyProgress, recordHintSeen, recordStates } from "@lib/course/progress.ts";
import { stripAnsi } from "@lib/course/_test_course.ts";

const HINT = "<details><summary>Hint 1: a nudge</summary>\nx\n</details>\n";
const one = parseLesson(
  "01_one",
  `# Lesson 1: One\n### Exercise 1.1: A\n**Functions:** \`a\`\n${HINT}` +
    `### Exercise 1.2: B\n**Functions:** \`b\` · **Difficulty:** ★★☆ · **Time:** 15 min\n${HINT}`,
);
const two = parseLesson("02_two", "# Lesson 2: Two\n### Exercise 2.1: C\n**Functions:** `c`\n");
const NOW = new Date("2026-01-01T02:00:00Z");

Deno.test("progressReport: lines per lesson, the bar, and the next thing to do", () => {
  const p = emptyProgress();
  const [a, b] = one.exercises;
  recordStates(p, one, [
    { exercise: a, state: "passed", passed: 2, total: 2 },
    { exercise: b, state: "failing", passed: 1, total: 3 },
  ], new Date("2026-01-01T01:00:00Z"));
  recordHintSeen(p, one, "1.2", 1);
  const text = (stale: boolean, pristine2: boolean) =>
    stripAnsi(
      progressReport([
        { lesson: one, record: p.lessons["01_one"], stale, pristine: false },
        { lesson: two, record: undefined, stale: false, pristine: pristine2 },
      ], NOW).join("\n"),
    );
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

Deno.test("terminalMarkdown and ago", () => {
  assert.deepEqual(
    terminalMarkdown(
      "**Bold** $\\pi_b(\\cdot \\mid i) \\le \\frac{1}{2}$\n\n\n```ts\nlet x;\n```\n",
    ),
    ["Bold π_b(· | i) ≤ (1)/(2)", "", "    let x;"],
  );
  assert.equal(terminalMarkdown("$\\left(x\\,y\\right)$")[0], "(x y)");
  assert.equal(
    terminalMarkdown("$W_K^1 = \\sum_t p_t p_{t-1}^\\top$ and $\\beta_{t,s}$, $x_{1}$")[0],
    "W_K^1 = Σ_t p_t p_(t-1)ᵀ and β_(t,s), x_1",
  );
  assert.equal(ago("2026-01-01T01:59:30Z", NOW), "just now");
  assert.equal(ago("2026-01-01T01:55:00Z", NOW), "5 min ago");
  assert.equal(ago("2025-12-30T02:00:00Z", NOW), "2 days ago");
});

Deno.test("lessonReport: `where` names the function that failed, or the line that threw", async () => {
  const root = await Deno.makeTempDir({ prefix: "report_test_" });
  try {
    const lesson = parseLesson(
      "01_one",
      "# Lesson 1: One\n### Exercise 1.1: A\n**Functions:** `first`, `second`\n",
    );
    await Deno.mkdir(`${root}/lessons/01_one`, { recursive: true });
    await Deno.writeTextFile(
      `${root}/${lesson.paths.exercises}`,
      "/** Doc. */\nexport function first(): number {\n  return 1;\n}\n\n" +
        "export function second(): number {\n  const x = 2;\n  throw new Error('x');\n}\n",
    );
    const where = (fn: string, message: string) => {
      const failure = { name: `${fn}: a test`, fn, file: "", ok: false, message };
      const state = {
        exercise: lesson.exercises[0],
        state: "failing" as const,
        passed: 0,
        total: 1,
      };
      const text = stripAnsi(
        lessonReport(lesson, [{ ...state, firstFailure: failure }], { source: "lessons", root })
          .join("\n"),
      );
      return text.match(/where: +(.*)$/m)?.[1];
    };
    const file = lesson.paths.exercises;
    assert.equal(where("second", "expected 1 but got 2"), `${file}:6 (function second)`);
    assert.equal(where("first", "expected 1 but got 2"), `${file}:2 (function first)`);
    // A helper's test, not one of the exercise's functions: the exercise's first function.
    assert.equal(where("helper", "expected 1"), `${file}:2 (function first)`);
    // Thrown inside `second` while testing `first`: the line that threw wins.
    assert.equal(
      where("first", `\`first\` threw Error: x (at ${file}:8). The error was raised in your code.`),
      `${file}:8 (function second)`,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
