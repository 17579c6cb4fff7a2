/**
 * A scripted learner works through lesson 1 in a temporary copy of the course with the real
 * CLI (`main`), whose checks run `deno test` on the copy: a failure, a pass, hints that advance
 * and are remembered, the solution diff, the progress overview, a reset and its backup.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "@lib/course/cli/lesson.ts";
import { readProgress } from "@lib/course/progress.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { copyCourse, fakeIo, implement, LESSON1, solutionBody } from "@lib/course/_test_course.ts";

const FILE = `lessons/${LESSON1}/exercises.ts`;

Deno.test("a scripted learner: fail, pass, hints, solution, progress, reset", async (t) => {
  const course = await copyCourse();
  const { root } = course;
  const file = join(root, FILE);
  const solution = await Deno.readTextFile(join(root, "solutions", LESSON1, "exercises.ts"));
  const stub = await Deno.readTextFile(file);
  let io = fakeIo();
  const run = async (...args: string[]) => {
    io.clear();
    return await main(args, root, io);
  };

  try {
    await t.step("the untouched stub: every exercise is not started", async () => {
      assert.equal(await run("1"), 1);
      assert.match(io.text(), /· 1\.1 +Unigram and bigram from counts .* not started/);
      assert.match(io.text(), /`unigramFromCounts` is not implemented yet/);
    });

    await t.step("a wrong answer: the failure says what was expected", async () => {
      await Deno.writeTextFile(
        file,
        implement(stub, {
          unigramFromCounts: "return counts;",
          bigramFromCounts: solutionBody(solution, "bigramFromCounts"),
        }),
      );
      assert.equal(await run("1"), 1);
      const text = io.text();
      assert.match(text, /✘ 1\.1 .* (\d+)\/(?!\1 )\d+ tests/);
      assert.match(text, /Next: exercise 1\.1/);
      assert.match(
        text,
        /problem: unigramFromCounts\(\[1, 3, 0, 4\]\): at index \[0\] expected 0\.125 but got 1/,
      );
      assert.match(
        text,
        /where: +lessons\/01_bigram_data\/exercises\.ts:\d+ \(function unigramFromCounts\)/,
      );
      assert.doesNotMatch(text, /node_modules|tfjs-core| {4}at /);
    });

    await t.step("the solution: exercise 1.1 passes, 1.2 is next", async () => {
      await Deno.writeTextFile(
        file,
        implement(stub, {
          unigramFromCounts: solutionBody(solution, "unigramFromCounts"),
          bigramFromCounts: solutionBody(solution, "bigramFromCounts"),
        }),
      );
      assert.equal(await run("1"), 1);
      assert.match(io.text(), /✔ 1\.1 .* (\d+)\/\1 tests/);
      assert.match(io.text(), /Next: exercise 1\.2, Sampling triggers/);
      const progress = await readProgress(root);
      const ex = progress.lessons[LESSON1].exercises;
      assert.equal(ex["1.1"].state, "passed");
      assert.ok(ex["1.1"].total >= 3, `1.1 ran ${ex["1.1"].total} tests`);
      assert.equal(ex["1.1"].passed, ex["1.1"].total);
      assert.equal(ex["1.2"].state, "not started");
      assert.ok(Date.parse(ex["1.1"].lastChecked!) > Date.now() - 600_000);
    });

    await t.step("hints: tiers advance one at a time and are remembered", async () => {
      assert.equal(await run("1", "--hint"), 0);
      assert.match(io.text(), /Exercise 1\.2, Sampling triggers · hint 1 of 3: a nudge/);
      assert.match(io.text(), /rng\.categorical\(weights\)/);
      assert.doesNotMatch(io.text(), /Exercises: /); // fresh recorded states: no check was run
      assert.equal(await run("1", "--hint"), 0);
      assert.match(io.text(), /hint 2 of 3: the concept/);
      assert.equal((await readProgress(root)).lessons[LESSON1].exercises["1.2"].hintsSeen, 2);
      assert.equal(await run("1", "--hint"), 0);
      assert.match(io.text(), /hint 3 of 3: near-solution/);
      assert.match(io.text(), /That was the last hint/);
      assert.equal(await run("1", "--hint"), 0);
      assert.match(io.text(), /hint 3 of 3/);
      assert.match(io.text(), /You have seen every hint/);
      assert.equal(await run("1", "--hint", "--exercise", "1.4"), 0);
      assert.match(io.text(), /Exercise 1\.4, Sampling a sequence · hint 1 of 3/);
      const ex = (await readProgress(root)).lessons[LESSON1].exercises;
      assert.equal(ex["1.2"].hintsSeen, 3);
      assert.equal(ex["1.4"].hintsSeen, 1);
      assert.equal(ex["1.1"].hintsSeen, 0);
    });

    await t.step("the solution diff: free after a pass, asked for before", async () => {
      assert.equal(await run("1", "--show-solution"), 0);
      assert.match(
        io.text(),
        /Exercise 1\.1, Unigram and bigram from counts: your code and the reference/,
      );
      assert.match(io.text(), /Your code is the same as the reference/);
      assert.match(io.text(), /reference: solutions\/01_bigram_data\/exercises\.ts:\d+/);
      assert.equal(await run("1", "--show-solution", "--exercise", "1.2"), 1);
      assert.match(io.text(), /does not pass yet.*--show-solution --exercise 1\.2 --yes/s);
      assert.doesNotMatch(io.text(), /weights\[q\] = 0/);
      io = fakeIo(false); // a terminal whose learner answers no
      assert.equal(await run("1", "--show-solution", "--exercise", "1.2"), 1);
      assert.equal(io.questions.length, 1);
      assert.match(io.text(), /Not shown/);
      io = fakeIo(true); // ... and yes
      assert.equal(await run("1", "--show-solution", "--exercise", "1.2"), 0);
      assert.match(io.text(), /- +throw notImplemented\("sampleTriggers"\);/);
      assert.match(io.text(), /\+ +weights\[q\] = 0;/);
      assert.equal(
        (await readProgress(root)).lessons[LESSON1].exercises["1.2"].solutionShown,
        true,
      );
      io = fakeIo();
      // Without --exercise, --yes adds the exercise you are on (the first that does not pass,
      // 1.2) to the ones that pass, unasked; without --yes the footer says so.
      assert.equal(await run("1", "--show-solution", "--yes"), 0);
      assert.match(io.text(), /Exercise 1\.1, Unigram and bigram from counts: your code/);
      assert.match(io.text(), /Exercise 1\.2, Sampling triggers: your code and the reference/);
      assert.match(io.text(), /\+ +weights\[q\] = 0;/);
      assert.doesNotMatch(io.text(), /Exercise 1\.3/);
      io = fakeIo();
      assert.equal(await run("1", "--show-solution"), 0);
      assert.doesNotMatch(io.text(), /Exercise 1\.2, Sampling triggers: your code/);
      assert.match(io.text(), /`--yes` adds exercise 1\.2/);
      io = fakeIo();
    });

    await t.step("the overview: a progress bar and the next thing to do", async () => {
      assert.equal(await run(), 0);
      assert.match(io.text(), /Overall: \[█+░+\] 1\/5 exercises/);
      assert.match(io.text(), /Next: exercise 1\.2, Sampling triggers/);
      assert.match(io.text(), /3 of 3 seen/);
    });

    await t.step("--all: every lesson checked again, then the same overview", async () => {
      assert.equal(await run("--all"), 1); // not every exercise passes
      assert.match(io.text(), /Overall: \[█+░+\] 1\/5 exercises/);
      assert.match(io.text(), /Next: exercise 1\.2, Sampling triggers/);
    });

    await t.step(
      "reset: the stub is back and the learner's file is in a dated backup",
      async () => {
        const mine = await Deno.readTextFile(file);
        assert.equal(await run("1", "--reset"), 0);
        const saved = io.text().match(/saved as (\.course\/backups\/\d{4}-\d\d-\d\d_\d{6}[^\s:]*)/);
        assert.ok(saved, io.text());
        assert.equal(await Deno.readTextFile(join(root, saved[1])), mine);
        assert.ok(saved[1].endsWith(FILE));
        assert.equal(await Deno.readTextFile(file), await stubFor(root, LESSON1));
        assert.equal(await run("1", "--reset"), 0);
        assert.match(io.text(), /already the original stub: nothing to reset/);
        assert.equal(await run(), 0);
        assert.match(io.text(), /0\/5 exercises/);
        // The hints seen are kept across a reset.
        assert.equal((await readProgress(root)).lessons[LESSON1].exercises["1.2"].hintsSeen, 3);
      },
    );
  } finally {
    await course.remove();
  }
});
