import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  assertAllClose,
  assertArrayEqual,
  assertFinite,
  assertNoLeak,
  assertSeeded,
  assertShape,
  assertUnchanged,
  CourseAssertionError,
  deepFreeze,
  explainThrown,
  flatten,
  NotImplementedError,
  shapeOf,
} from "@lib/testing/mod.ts";
import { Rng } from "@lib/rng/mod.ts";

Deno.test("shapeOf and flatten: arrays, typed arrays and tensors", () => {
  assert.deepEqual(shapeOf([[1, 2, 3], [4, 5, 6]]), [2, 3]);
  assert.deepEqual(shapeOf(new Float32Array(4)), [4]);
  const t = tf.zeros([2, 1, 3]);
  assert.deepEqual(shapeOf(t), [2, 1, 3]);
  assert.deepEqual(flatten([[1, 2], [3, 4]]), [1, 2, 3, 4]);
  t.dispose();
});

Deno.test("assertShape: names the axis that differs, and a missing return", () => {
  assert.throws(
    () => assertShape([[1, 2, 3], [4, 5, 6]], [3, 2], "the matrix"),
    /the matrix: expected shape \[3, 2\] but got shape \[2, 3\] \(axis 0 has length 2 instead of 3\)/,
  );
  assert.throws(() => assertShape([1, 2], [2, 1]), /it has 1 axes instead of 2/);
  assert.throws(() => assertShape(undefined, [2]), /Did you forget a `return`\?/);
  assertShape([[1], [2]], [2, 1]);
});

Deno.test("assertAllClose: reports the first differing index and the tolerance", () => {
  assert.throws(
    () => assertAllClose([[1, 2], [3, 4.5]], [[1, 2], [3, 4]], { what: "w" }),
    (e: Error) =>
      e instanceof CourseAssertionError &&
      /w: at index \[1, 1\] expected 4 but got 4\.5/.test(e.message) &&
      /1 of 4 values differ/.test(e.message),
  );
  assertAllClose([1, 2.000001], [1, 2]);
  assertAllClose(1e6 + 10, 1e6, { rtol: 1e-4 });
  assert.throws(() => assertArrayEqual([1, 2], [1, 3]), /index \[1\] expected 3 but got 2/);
});

Deno.test("assertFinite: NaN and Infinity are named with their position", () => {
  assert.throws(
    () => assertFinite([[0, 1], [NaN, 2]], "softmax"),
    /softmax: found NaN at index \[1, 0\]/,
  );
  assert.throws(() => assertFinite([Infinity]), /found Infinity/);
  assertFinite([0, 1]);
});

Deno.test("explainThrown: stubs pass through; other errors become one paragraph", () => {
  const stub = new NotImplementedError("f");
  assert.equal(explainThrown(stub, "f"), stub);
  const wrapped = explainThrown(new TypeError("x is undefined"), "sampleTriggers");
  assert.ok(wrapped instanceof CourseAssertionError);
  assert.match(wrapped.message, /`sampleTriggers` threw TypeError: x is undefined/);
  assert.equal(wrapped.message.includes("\n"), false);
  const fromTf = (() => {
    try {
      tf.matMul(tf.zeros([2, 3]), tf.zeros([2, 3]));
    } catch (e) {
      return explainThrown(e, "attention");
    }
  })();
  assert.ok(fromTf);
  assert.match(fromTf.message, /`attention` threw Error/);
});

Deno.test("assertNoLeak: intermediates fail, returned tensors and inputs do not", async () => {
  const x = tf.ones([2, 2]);
  try {
    const y = await assertNoLeak(() => tf.tidy(() => x.add(1).mul(2)), "double");
    assert.equal(y.shape.join(), "2,2");
    y.dispose();
    await assert.rejects(
      () => assertNoLeak(() => x.add(1).mul(2), "leaky"),
      /leaky left 1 intermediate tensor alive\. Wrap the work in `tf\.tidy/,
    );
    assert.equal(await assertNoLeak(() => x, "identity"), x); // returning an input
    tf.dispose(await assertNoLeak(() => tf.tidy(() => [x.add(1), x.mul(3)]), "a pair"));
    tf.dispose(await assertNoLeak(() => tf.tidy(() => ({ a: x.add(1) })), "an object"));
    await assert.rejects(
      () => assertNoLeak(async () => (await x.add(1).data())[0], "async"),
      /async left 1 intermediate tensor alive/,
    );
  } finally {
    x.dispose();
  }
});

Deno.test("explainThrown: an error thrown by your own line inside tf.tidy is not blamed on TensorFlow.js", () => {
  const own = (() => {
    try {
      tf.tidy(() => {
        const missing = undefined as unknown as { boom(): void };
        missing.boom(); // the learner's own line throws, under tfjs's frames
      });
    } catch (e) {
      return explainThrown(e, "trainingStep");
    }
  })();
  assert.ok(own);
  assert.match(own.message, /`trainingStep` threw TypeError/);
  assert.doesNotMatch(own.message, /inside TensorFlow\.js|shapes and dtypes/);
  const fromTf = (() => {
    try {
      tf.tidy(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([2, 3])));
    } catch (e) {
      return explainThrown(e, "attention");
    }
  })();
  assert.ok(fromTf);
  assert.match(fromTf.message, /raised inside TensorFlow\.js by a call your code made/);
});

Deno.test("explainThrown: a WebGPU error is kept whole, without the shapes-and-dtypes advice", () => {
  const long = "WebGPU error: your WGSL does not parse: expected `;`, " + "x".repeat(400) + ".";
  const e = explainThrown(new Error(long), "causalSoftmaxProgram");
  assert.equal(e.message, `\`causalSoftmaxProgram\`: ${long}`);
  assert.doesNotMatch(e.message, /shapes and dtypes/);
});

Deno.test("assertSeeded: Math.random and an ignored seed fail, a seeded draw passes", () => {
  const seeded = (seed: number) => {
    const rng = new Rng(seed);
    return Array.from({ length: 20 }, () => rng.int(10));
  };
  assertSeeded(seeded, "seeded");
  assert.throws(
    () => assertSeeded(() => Array.from({ length: 20 }, () => Math.random()), "unseeded"),
    /same seed gave different draws.*Math\.random/,
  );
  assert.throws(() => assertSeeded(() => [1, 2, 3], "fixed"), /seeds 1 and 2 gave the same draws/);
});

Deno.test("assertUnchanged: names a modified array and a disposed tensor", () => {
  const p = [0.5, 0.5];
  assert.deepEqual(assertUnchanged({ p }, () => p.map((x) => 2 * x), "double"), [1, 1]);
  assert.throws(() => assertUnchanged({ p }, () => p.fill(0), "zero"), /modified its input `p`/);
  const t = tf.ones([2]);
  assert.throws(() => assertUnchanged({ t }, () => t.dispose(), "free"), /disposed its input `t`/);
});

Deno.test("assertAllClose: names a classic mistake the result matches", () => {
  assert.throws(
    () =>
      assertAllClose([[1, 3], [2, 4]], [[1, 2], [3, 4]], {
        what: "W",
        mistakes: [{ value: [[1, 3], [2, 4]], means: "It is the transpose." }],
      }),
    /values differ\. It is the transpose\.$/,
  );
  assert.throws(
    () => assertAllClose([9, 9], [1, 2], { mistakes: [{ value: [2, 4], means: "Twice." }] }),
    (e: Error) => !e.message.includes("Twice"),
  );
});

Deno.test("deepFreeze: a modified shared fixture is named as the exercise's own mistake", () => {
  const shared = deepFreeze({ triggers: [3, 1, 2] });
  let thrown: unknown;
  try {
    shared.triggers.sort();
  } catch (e) {
    thrown = e;
  }
  assert.match(explainThrown(thrown, "sortTriggers").message, /`sortTriggers` modified one of/);
});

Deno.test("plain deno test: a failure points at the line of the test, not at lib/testing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "located_" });
  try {
    const file = `${dir}/located_test.ts`;
    await Deno.writeTextFile(
      file,
      `import { assertAllClose, check, exerciseCase } from "@lib/testing/mod.ts";\n` +
        `Deno.test(exerciseCase("a", "checks", () => {\n  check(1 > 2, "one is not above two");\n}));\n` +
        `Deno.test(exerciseCase("b", "compares", () => {\n  assertAllClose([[1]], [[2]]);\n}));\n` +
        `Deno.test(exerciseCase("c", "trips over undefined", () => {\n` +
        `  const x = undefined as unknown as { y: number };\n  x.y;\n}));\n`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--no-check",
        "--config",
        new URL("../../deno.json", import.meta.url).pathname,
        file,
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    // Each error's first stack frame is the failing line of the test file.
    const firstFrames = [...text.matchAll(/^error: .*\n(?:(?!\s+at ).*\n)*\s+at (.*)$/gm)]
      .map((m) => m[1].replace(`file://${dir}/`, ""));
    assert.deepEqual(firstFrames, [
      "located_test.ts:3:3",
      "located_test.ts:6:3",
      "located_test.ts:10:5",
    ], text);
    // Each failure's header (`name => file:line:col`) names the test file's line, not lib/testing.
    const headers = [...text.matchAll(/^(\w: [\w ]+) => (\S+)$/gm)].map((m) =>
      `${m[1]} => ${m[2].replace(/^.*\//, "")}`
    );
    assert.deepEqual([...new Set(headers)], [
      "a: checks => located_test.ts:2:6",
      "b: compares => located_test.ts:5:6",
      "c: trips over undefined => located_test.ts:8:6",
    ], text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("NotImplementedError.lesson: the lesson whose exercise file is on the stack", () => {
  const here = new NotImplementedError("f");
  assert.equal(here.lesson, undefined, "thrown by no exercise file");
  const stub = new NotImplementedError("unigramFromCounts");
  stub.stack =
    "NotImplementedError: ...\n    at notImplemented (file:///c/lib/testing/mod.ts:62:10)\n" +
    "    at unigramFromCounts (file:///c/lessons/01_bigram_data/exercises.ts:121:9)\n" +
    "    at run (file:///c/lessons/05_training/train.ts:40:3)";
  assert.equal(stub.lesson, 1);
});
