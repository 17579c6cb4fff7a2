/**
 * What a learner reads when their code misbehaves: lesson 1's real tests run (in a temporary
 * copy of the course) against an exercise file whose functions return NaN, the wrong shape,
 * throw in their own code or inside TensorFlow.js, return nothing, or loop forever. Each
 * failure must be one plain paragraph without a stack trace, and the endless loop must be
 * stopped and named without hiding the exercises after it.
 *
 * Also unit tests of the message helpers of `lib/testing`.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runExerciseTests } from "@lib/course/run_tests.ts";
import { exerciseStates } from "@lib/course/status.ts";
import { parseLesson } from "@lib/course/lessons.ts";
import { copyCourse, implement, LESSON1, solutionBody } from "@lib/course/_test_course.ts";
import {
  assertAllClose,
  assertFinite,
  assertShape,
  CourseAssertionError,
} from "@lib/testing/mod.ts";

const FUNCTIONS = [
  "unigramFromCounts",
  "bigramFromCounts",
  "sampleTriggers",
  "topTriggers",
  "sampleOutputs",
  "makeBatch",
];

Deno.test("misbehaving exercises get plain messages; an endless loop is stopped", async () => {
  const course = await copyCourse();
  try {
    const { root } = course;
    const file = join(root, "lessons", LESSON1, "exercises.ts");
    const solution = await Deno.readTextFile(join(root, "solutions", LESSON1, "exercises.ts"));
    await Deno.writeTextFile(
      file,
      implement(await Deno.readTextFile(file), {
        unigramFromCounts: "return counts.map((c) => (c - c) / (c - c));",
        bigramFromCounts: "return counts.map((row) => row.slice(1));",
        sampleTriggers: "while (k >= 0) rng.int(2);\n  return [];",
        topTriggers:
          "return Array.from(tf.tensor1d(unigram).reshape([unigram.length + 1]).dataSync());",
        sampleOutputs: "const none = undefined as unknown as number[][];\n" +
          "  return triggers.map((q) => none[q][0]);",
        makeBatch: "return undefined as unknown as Batch;",
        // Used by makeBatch's tests' reference side, so it must work.
        sampleSequence: solutionBody(solution, "sampleSequence"),
      }),
    );
    const run = await runExerciseTests({
      root,
      tests: [`tests/lessons/${LESSON1}_test.ts`],
      testTimeoutSeconds: 3,
      functions: FUNCTIONS,
      extraArgs: [`--filter=/^(?:${FUNCTIONS.join("|")}): /`],
    });
    assert.equal(run.error, undefined, run.error ?? "");
    const first = (fn: string) => run.outcomes.find((o) => o.fn === fn && !o.ok);
    const msg = (fn: string) => first(fn)?.message ?? `(no failure of ${fn})`;

    assert.match(msg("unigramFromCounts"), /at index \[0\] expected 0\.125 but got NaN/);
    assert.match(msg("unigramFromCounts"), /NaN usually comes from 0\/0/);
    assert.match(
      msg("bigramFromCounts"),
      /expected shape \[3, 3\] but got shape \[3, 2\] \(axis 1 has length 2 instead of 3\)/,
    );
    assert.match(
      msg("topTriggers"),
      /`topTriggers` threw Error: Size\(\d+\) must match the product of shape \d+ \(at lessons\/01_bigram_data\/exercises\.ts:\d+\)\. The error was raised inside TensorFlow\.js/,
    );
    assert.match(
      msg("sampleOutputs"),
      /`sampleOutputs` threw TypeError: Cannot read properties of undefined .*\(at lessons\/01_bigram_data\/exercises\.ts:\d+\)/,
    );
    assert.match(msg("makeBatch"), /the value returned by `makeBatch` could not be checked/);
    assert.match(msg("makeBatch"), /missing `return`/);

    const hung = first("sampleTriggers");
    assert.equal(hung?.timedOut, true, JSON.stringify(run.outcomes));
    assert.match(hung?.name ?? "", /^sampleTriggers: /);
    assert.match(hung?.message ?? "", /stopped after 3 s without finishing.*loop forever/);
    // The exercises after the endless loop still ran (in a second process).
    assert.ok(run.outcomes.some((o) => o.fn === "sampleOutputs"));
    assert.ok(run.outcomes.some((o) => o.fn === "makeBatch"));

    for (const o of run.outcomes.filter((o) => !o.ok)) {
      assert.doesNotMatch(
        o.message ?? "",
        /^\s+at |node_modules|tfjs-core|file:\/\//m,
        o.message ?? "",
      );
      assert.ok(!(o.message ?? "").includes("\n"), `one paragraph: ${o.message}`);
    }

    const lesson = parseLesson(
      LESSON1,
      await Deno.readTextFile(join(root, "lessons", LESSON1, "README.md")),
    );
    const states = exerciseStates(lesson, run.outcomes);
    assert.equal(states.find((s) => s.exercise.id === "1.2")?.state, "failing");
    assert.equal(states.find((s) => s.exercise.id === "1.2")?.firstFailure?.timedOut, true);
  } finally {
    await course.remove();
  }
});

Deno.test("assertShape: a ragged array, a string and a number instead of an array", () => {
  assert.throws(
    () => assertShape([[1, 2], [3]], [2, 2], "the matrix"),
    /the matrix: expected a rectangular array, but entry \[1\] has shape \[1\] while entry \[0\] has shape \[2\]/,
  );
  assert.throws(
    () => assertShape("abc", [3], "ids"),
    (e: Error) => e instanceof CourseAssertionError && /^ids: expected numbers/.test(e.message),
  );
  assert.throws(() => assertShape(3, [3], "ids"), /a single number instead of an array/);
});

Deno.test("assertAllClose: NaN and Infinity get an explanation, finite misses do not", () => {
  assert.throws(() => assertAllClose([NaN], [1]), /got NaN .*NaN usually comes from 0\/0/);
  assert.throws(
    () => assertAllClose([Infinity], [1]),
    /got Infinity .*\. Infinity usually comes from a div/,
  );
  assert.throws(() => assertAllClose([-Infinity], [1]), /-Infinity usually comes from log\(0\)/);
  // A single number: no "index []", no "1 of 1 values differ".
  assert.throws(
    () => assertAllClose(2, 1, { what: "the loss" }),
    (e: Error) =>
      e.message.startsWith("the loss: expected 1 but got 2 (allowed") &&
      !/index|values differ/.test(e.message),
  );
  assert.throws(() => assertFinite([1, -Infinity], "x"), /x: found -Infinity at index \[1\]/);
  assert.throws(
    () => assertAllClose([2], [1]),
    (e: Error) => !/usually comes from/.test(e.message),
  );
});
