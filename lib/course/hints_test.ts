import assert from "node:assert/strict";
import { hintReport, nextHint } from "@lib/course/hints.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { stripVTControlCharacters as stripAnsi } from "node:util";

const lesson = parseLesson(
  "03_demo",
  [
    "# Lesson 3: Demo",
    "### Exercise 3.1: Softmax",
    "**Functions:** `softmax` · **Difficulty:** ★★☆ · **Time:** 10 min",
    "### Exercise 3.2: No hints",
    "**Functions:** `f`",
  ].join("\n"),
  [
    "# Hints for lesson 3: Demo",
    "## Exercise 3.1: Softmax",
    "### Hint 1: a nudge",
    "",
    "Subtract the **maximum** first: $\\exp(x - m)$.",
    "",
    "### Hint 2: the concept",
    "Exponentials overflow.",
    "### Hint 3: near-solution",
    "```ts",
    "const m = Math.max(...x);",
    "```",
  ].join("\n"),
);
const [softmax, bare] = lesson.exercises;

Deno.test("nextHint: tiers in order, then the last one again; none without hints", () => {
  assert.deepEqual([0, 1, 2].map((seen) => nextHint(softmax, seen)?.tier), [1, 2, 3]);
  assert.equal(nextHint(softmax, 2)?.repeat, false);
  const again = nextHint(softmax, 3);
  assert.equal(again?.tier, 3);
  assert.equal(again?.repeat, true);
  assert.equal(nextHint(softmax, 99)?.tier, 3);
  assert.equal(nextHint(bare, 0), undefined);
});

Deno.test("hintReport: the tier, its label, readable Markdown, what comes next", () => {
  const first = stripAnsi(hintReport(lesson, nextHint(softmax, 0)!, "Press h").join("\n"));
  assert.match(first, /^Exercise 3\.1, Softmax · hint 1 of 3: a nudge/);
  assert.match(first, /Subtract the maximum first: exp\(x - m\)\./);
  assert.match(first, /Still stuck\? Press h for hint 2 \(the concept\)\./);
  const last = stripAnsi(hintReport(lesson, nextHint(softmax, 2)!, "Press h").join("\n"));
  assert.match(last, /^ {6}const m = Math\.max\(\.\.\.x\);$/m); // code block, fences dropped
  assert.doesNotMatch(last, /```/);
  assert.match(last, /That was the last hint\./);
  assert.match(last, /--show-solution --exercise 3\.1/);
  const repeat = stripAnsi(hintReport(lesson, nextHint(softmax, 3)!, "Press h").join("\n"));
  assert.match(repeat, /You have seen every hint of this exercise/);
  assert.match(last, /once your code passes, `deno task lesson/);
  const passing = stripAnsi(
    hintReport(lesson, nextHint(softmax, 2)!, "Press h", true).join("\n"),
  );
  assert.match(passing, /Your code already passes: `deno task lesson \d+ --show-solution/);
  assert.doesNotMatch(passing, /once your code passes/);
});
