/**
 * The benchmark's worker body (`lib/bench/worker.ts`) on the lessons' code, taken through
 * `@exercises/` (the course check points it at `solutions/`), as
 * `lessons/06_webgpu/bench_worker.ts` passes it.
 * @module
 */
import assert from "node:assert/strict";
import { type BenchWorkerParts, runJob } from "@lib/bench/worker.ts";
import { benchParts } from "@lib/bench/configs.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import * as webgpu from "@exercises/06_webgpu/exercises.ts";

/** What the worker times: the lessons' code this test's import map chose. */
const PARTS: BenchWorkerParts = {
  ...benchParts(data, training, webgpu),
  workerUrl: new URL("../../../lessons/05_training/train_worker.ts", import.meta.url),
};

/** Runs one worker job in-process and returns the messages it printed. */
async function jobMessages(job: Parameters<typeof runJob>[0]) {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    await runJob(job, PARTS);
  } finally {
    console.log = log;
  }
  return lines.map((l) => JSON.parse(l.replace(/^BENCH /, "")));
}

// The skip decision compares an estimated time with the budget, so each half of this test sets a
// budget that decides it whatever the machine's speed or load: a huge one for the step that must
// run, a tiny one for the step that must be skipped.
Deno.test("runJob measures the matmul and a step, and skips what will not fit", async () => {
  const common = { backend: "cpu" as const, warmup: 1, steps: 1, batch: 2, matmulN: 64 };
  const ran = await jobMessages({
    ...common,
    tasks: [{ kind: "step", config: "tiny", variant: "course" }],
    budgetS: 1e9,
  });
  assert.deepEqual(ran.map((m) => m.type), ["started", "matmul", "step"]);
  const tiny = ran[2].result;
  assert.equal(tiny.status, "ok");
  assert.ok(tiny.medianMs > 0 && tiny.kernels > 20 && tiny.leakedTensors === 0);
  const skipped = await jobMessages({
    ...common,
    tasks: [{ kind: "step", config: "paper", variant: "course" }],
    budgetS: 1e-9,
  });
  assert.deepEqual(skipped.map((m) => m.type), ["started", "matmul", "step"]);
  const paper = skipped[2].result;
  assert.equal(paper.status, "skipped");
  assert.ok(paper.estimatedMs > 0);
});
