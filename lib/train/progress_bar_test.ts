// Tests of the progress reporters: the runs' counter (lesson 8's sweep once printed "[1/7]" for
// 8 runs) and the bar over all the runs' steps.
import assert from "node:assert/strict";
import { readStepLines, runsProgress, stepLine } from "./progress_bar.ts";

Deno.test("runsProgress counts finished runs against all the runs: [1/8] .. [8/8]", () => {
  const keys = Array.from({ length: 8 }, (_, i) => `run${i}`);
  const lines: string[] = [];
  let t = 0;
  const p = runsProgress(keys, 300, { tty: false, log: (l) => lines.push(l), now: () => t });
  // Two at a time, as the sweep runs them: the first to finish is the first of 8.
  p.onStep("run0", 10);
  p.onStep("run1", 20);
  for (const [i, key] of keys.entries()) {
    t = 1000 * (i + 1);
    p.onDone(key, key !== "run5");
  }
  p.stop();
  assert.deepEqual(lines, [
    "[1/8] run0 done (1 s)",
    "[2/8] run1 done (2 s)",
    "[3/8] run2 done (3 s)",
    "[4/8] run3 done (4 s)",
    "[5/8] run4 done (5 s)",
    "[6/8] run5 FAILED (6 s)",
    "[7/8] run6 done (7 s)",
    "[8/8] run7 done (8 s)",
  ]);
});

/** A stream that records what the bar writes (cli-progress's notty mode). */
function recordingStream(): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = {
    isTTY: false,
    columns: 200,
    write: (chunk: string) => {
      chunks.push(String(chunk));
      return true;
    },
    on: () => stream,
    once: () => stream,
    removeListener: () => stream,
    emit: () => true,
  };
  return { stream: stream as unknown as NodeJS.WritableStream, text: () => chunks.join("") };
}

Deno.test("runsProgress draws one bar over all the runs' steps; a finished run counts in full", () => {
  const out = recordingStream();
  const p = runsProgress(["a", "b", "c", "d"], 100, { tty: true, stream: out.stream });
  p.onStep("a", 50);
  p.onStep("b", 30);
  assert.deepEqual(p.state(), {
    finished: 0,
    failed: 0,
    total: 4,
    running: ["a", "b"],
    steps: 80,
    stepsTotal: 400,
  });
  p.onDone("a", true); // a stopped early at step 50: it counts 100
  assert.deepEqual(p.state(), {
    finished: 1,
    failed: 0,
    total: 4,
    running: ["b"],
    steps: 130,
    stepsTotal: 400,
  });
  p.onStep("b", 500); // past the budget: capped
  assert.equal(p.state().steps, 200);
  p.onDone("b", false);
  p.onDone("c", true);
  p.onDone("d", true);
  p.stop();
  const text = out.text();
  assert.match(text, /runs 4\/4 \(1 failed\) \[[^\]]*\] 100%/, text.slice(-400));
  assert.doesNotMatch(text, /runs [05]\/4/, text.slice(-400));
  // The finished runs' lines are printed above the bar, the last one too.
  assert.deepEqual(text.match(/\[\d\/4\] \w+ (done|FAILED)/g), [
    "[1/4] a done",
    "[2/4] b FAILED",
    "[3/4] c done",
    "[4/4] d done",
  ]);
});

Deno.test("readStepLines finds the step lines in a child's stdout, split across chunks", async () => {
  const text = `Backend: wasm\n${stepLine(10)}\nprogress step x\n${stepLine(20)}\n${stepLine(30)}`;
  const bytes = new TextEncoder().encode(text);
  const cuts = [0, 5, 17, 18, 40, bytes.length];
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 1; i < cuts.length; i++) controller.enqueue(bytes.slice(cuts[i - 1], cuts[i]));
      controller.close();
    },
  });
  const steps: number[] = [];
  await readStepLines(stream, (s) => steps.push(s));
  assert.deepEqual(steps, [10, 20, 30]);
});
