import assert from "node:assert/strict";
import { cpuDelta, threadCpu } from "./thread_cpu.ts";

Deno.test("cpuDelta: each thread's CPU between two readings, largest first, small ones left out", () => {
  const before = new Map([["main", 10], ["7:worker-1", 5]]);
  const after = new Map([["main", 25], ["7:worker-1", 45], ["8:worker-2", 0.2]]);
  assert.deepEqual(cpuDelta(before, after, 0.5), [
    { thread: "7:worker-1", ms: 40 },
    { thread: "main", ms: 15 },
  ]);
});

Deno.test({
  name: "threadCpu: this process's threads gain the CPU time of work done (Linux /proc)",
  ignore: Deno.build.os !== "linux",
  fn() {
    const before = threadCpu();
    assert.ok(before.has("main"), `the main thread is listed: ${[...before.keys()]}`);
    // Work until 20 ms of CPU show (a loaded machine gives less CPU per wall second).
    let x = 0;
    let spent = 0;
    const start = performance.now();
    while (spent < 20 && performance.now() - start < 30_000) {
      for (let i = 0; i < 1e5; i++) x += Math.sqrt(x + i);
      spent = cpuDelta(before, threadCpu()).reduce((s, t) => s + t.ms, 0);
    }
    assert.ok(spent >= 20, `the threads spent ${spent} ms of CPU time (x = ${x > 0})`);
  },
});
