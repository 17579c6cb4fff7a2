import assert from "node:assert/strict";
import {
  anchorOf,
  findLesson,
  headingLines,
  listLessons,
  parseHints,
  parseLesson,
} from "@lib/course/lessons.ts";

const README = `# Lesson 7: A demo lesson

## Learning objectives

- First objective, which goes on
  over two lines.
- Second.

### Exercise 7.1: Doubling
**Functions:** \`double\`, \`triple\` · **Difficulty:** ★★☆ · **Time:** 15 min

## What you should see
`;

const HINTS = `# Hints for lesson 7

## Exercise 7.1: Doubling

### Hint 1: a nudge

Multiply.

### Hint 2: the concept
Scale, as in

\`\`\`ts
### Hint inside code is code
\`\`\`
`;

Deno.test("parseLesson: title, objectives (continued lines), exercises, hints", () => {
  const l = parseLesson("07_demo", README, HINTS);
  assert.equal(l.number, 7);
  assert.equal(l.title, "A demo lesson");
  assert.deepEqual(l.objectives, ["First objective, which goes on over two lines.", "Second."]);
  assert.equal(l.exercises.length, 1);
  const ex = l.exercises[0];
  assert.deepEqual(
    { id: ex.id, title: ex.title, fns: ex.functions, d: ex.difficulty, m: ex.minutes },
    { id: "7.1", title: "Doubling", fns: ["double", "triple"], d: 2, m: 15 },
  );
  assert.deepEqual(ex.hints.map((h) => [h.title, h.body]), [
    ["Hint 1: a nudge", "Multiply."],
    ["Hint 2: the concept", "Scale, as in\n\n```ts\n### Hint inside code is code\n```"],
  ]);
  assert.deepEqual(
    parseLesson("07_demo", README).exercises[0].hints,
    [],
    "no hints file, no hints",
  );
  assert.equal(l.paths.test, "tests/lessons/07_demo_test.ts");
});

Deno.test("parseLesson: hints for an exercise the README does not have are an author's mistake", () => {
  assert.throws(
    () => parseLesson("07_demo", README, "## Exercise 7.2: Gone\n### Hint 1\nx\n"),
    /lessons\/07_demo\/hints\.md has hints for exercise 7\.2, which lessons\/07_demo\/README\.md does not have/,
  );
});

Deno.test("parseHints: tiers in order, a heading of another kind ends the last hint", () => {
  const hints = parseHints(
    "# Hints\nIntro.\n## Exercise 1.1\n### Hint 1\na\n### Hint 2\nb\n## Notes\nnot a hint\n" +
      "## Exercise 1.2: B\n### Hint 1\nc\n",
  );
  assert.deepEqual([...hints].map(([id, h]) => [id, h.map((t) => t.body)]), [
    ["1.1", ["a", "b"]],
    ["1.2", ["c"]],
  ]);
});

Deno.test("headingLines: # lines inside fenced code (``` or ~~~) are not headings", () => {
  assert.deepEqual(
    headingLines([
      "# T",
      "```sh",
      "# comment",
      "```",
      "~~~",
      "## no",
      "~~~",
      "### Yes",
      "#### four",
    ]),
    [true, false, false, false, false, false, false, true, false],
  );
});

Deno.test("anchorOf: GitHub-style anchors", () => {
  assert.equal(anchorOf("Exercise 1.2: Sampling triggers"), "exercise-12-sampling-triggers");
});

Deno.test("findLesson: bad numbers get a helpful message", async () => {
  const lessons = await listLessons(".");
  assert.equal(findLesson(lessons, "1").slug, "01_bigram_data");
  assert.throws(
    () => findLesson(lessons, "99"),
    /There is no lesson 99. Lessons are numbered 0 to \d+/,
  );
  assert.throws(() => findLesson(lessons, "abc"), /"abc" is not a lesson number/);
});

Deno.test("every shipped lesson has objectives and exercises with functions, time and 3 hints", async () => {
  for (const l of await listLessons(".")) {
    assert.ok(l.objectives.length >= 2, `${l.slug}: objectives`);
    assert.ok(l.exercises.length >= 1, `${l.slug}: exercises`);
    for (const ex of l.exercises) {
      assert.ok(ex.functions.length >= 1, `${l.slug} ${ex.id}: **Functions:** line`);
      assert.ok(ex.minutes > 0, `${l.slug} ${ex.id}: **Time:**`);
      assert.ok(
        ex.hints.length >= 3,
        `${l.paths.hints} has ${ex.hints.length} hint tiers for exercise ${ex.id}; it needs three ` +
          `(a nudge, the concept, a near-solution), under "## Exercise ${ex.id}"`,
      );
    }
  }
});

Deno.test("every lesson says what it builds of the induction head (In the map)", async () => {
  for (const l of await listLessons(".")) {
    assert.ok(l.map && l.map.length > 20, `${l.paths.readme}: no "**In the map** ..." line`);
  }
  // The terminal prints "In the map (...), this lesson builds <map>": a paragraph without
  // "this lesson builds" would print its own "**In the map** (...)" after that prefix.
  for (const l of await listLessons(".")) {
    if (l.map === undefined) continue;
    assert.ok(
      !l.map.includes("In the map"),
      `${l.paths.readme}: its "**In the map** (...):" paragraph must go on "this lesson builds ..."`,
    );
  }
  const l = parseLesson(
    "09_x",
    "# Lesson 9: X\n\n**In the map** ([the map](../figures/m.svg)): this lesson builds ① and\n$W_K^1$.\n\n## Next\n",
  );
  assert.equal(l.map, "① and $W_K^1$.");
});

Deno.test("no lesson README holds hints: they are in the lesson's hints.md", async () => {
  for (const l of await listLessons(".")) {
    const at = l.markdown.split("\n").findIndex((line) => /<summary>\s*Hint/i.test(line));
    assert.equal(at, -1, `${l.paths.readme}:${at + 1} has a hint: move it to ${l.paths.hints}`);
  }
});

/** Every line of every lesson README outside fenced code, with its place (`README.md:12`). */
async function proseLines(): Promise<{ line: string; at: string }[]> {
  const out: { line: string; at: string }[] = [];
  for (const l of await listLessons(".")) {
    let fenced = false;
    l.markdown.split("\n").forEach((line, i) => {
      if (line.trim().startsWith("```")) fenced = !fenced;
      if (fenced || line.trim().startsWith("```")) return;
      out.push({ line, at: `${l.paths.readme}:${i + 1}: ${line.slice(0, 80)}` });
    });
  }
  return out;
}

Deno.test("no lesson README splits an inline formula across lines (KaTeX would show raw TeX)", async () => {
  const problems = (await proseLines()).filter(({ line }) => {
    const trimmed = line.trim();
    if (trimmed.startsWith("$$") || trimmed.endsWith("$$")) return false; // display math may span
    const text = line.replace(/`[^`]*`/g, "").replaceAll("\\$", "").replaceAll("$$", "");
    return (text.split("$").length - 1) % 2 === 1;
  }).map((p) => p.at);
  assert.deepEqual(problems, [], "an odd number of $ on a line means a formula is split");
});

Deno.test("no lesson README splits inline code across lines (the terminal shows the break)", async () => {
  const problems = (await proseLines())
    .filter(({ line }) => (line.replace(/``[^`]+``/g, "").split("`").length - 1) % 2 === 1)
    .map((p) => p.at);
  assert.deepEqual(problems, [], "an odd number of ` on a line means a code span is split");
});
