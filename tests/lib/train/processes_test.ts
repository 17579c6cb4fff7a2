// Lesson 8's (and lesson 9's) process pool, `runInProcesses`, on a stand-in runner script that
// reports steps as the real runners do and fails for one key: every key runs once, its steps
// reach the progress callback, a failing run is counted and reported as failed, and no more than
// `jobs` runs are alive at once.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runInProcesses } from "../../../lessons/08_data_distribution/processes.ts";

/** A runner script: `--one KEY` prints two step lines (and noise), then exits 1 for "bad". */
const SCRIPT = `
const key = Deno.args[Deno.args.indexOf("--one") + 1];
const dir = Deno.args[Deno.args.indexOf("--dir") + 1];
await Deno.writeTextFile(dir + "/" + key + ".start", String(Date.now()));
console.log("not a step line");
console.log("progress step 10");
await new Promise((r) => setTimeout(r, 300));
console.log("progress step 20");
const alive = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".start")).length -
  [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".end")).length;
await Deno.writeTextFile(dir + "/" + key + ".end", String(alive));
Deno.exit(key === "bad" ? 1 : 0);
`;

Deno.test("runInProcesses runs every key once, reports its steps and counts the failed ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "processes_test_" });
  try {
    const script = join(dir, "runner.ts");
    await Deno.writeTextFile(script, SCRIPT);
    const steps: Record<string, number[]> = {};
    const done: [string, boolean][] = [];
    const keys = ["a", "bad", "c", "d"];
    const failed = await runInProcesses(script, keys, 2, ["--dir", dir], {
      onStep: (key, step) => (steps[key] ??= []).push(step),
      onDone: (key, ok) => done.push([key, ok]),
    });
    assert.equal(failed, 1, "one run exited 1");
    assert.deepEqual(done.map(([k]) => k).sort(), keys, "each key ends once");
    assert.deepEqual(Object.fromEntries(done), { a: true, bad: false, c: true, d: true });
    for (const key of keys) {
      assert.deepEqual(steps[key], [0, 10, 20], `${key}'s steps: 0 when it starts, then its lines`);
    }
    // No run saw more than 2 runs alive (itself included) when it ended.
    for (const key of keys) {
      const alive = Number(await Deno.readTextFile(join(dir, `${key}.end`)));
      assert.ok(alive >= 1 && alive <= 2, `${key} ended with ${alive} runs alive, jobs = 2`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runInProcesses with no keys starts nothing", async () => {
  let calls = 0;
  const failed = await runInProcesses("/no/such/script.ts", [], 3, [], {
    onStep: () => calls++,
    onDone: () => calls++,
  });
  assert.equal(failed, 0);
  assert.equal(calls, 0);
});
