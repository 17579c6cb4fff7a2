// The lesson-5 demo's engine (site/client/train.ts) run in Deno on the cpu backend: a Reset
// (dispose, then a fresh run) must give back every tensor the run made.
import { assertEquals } from "./assert.ts";
import { LiveTraining } from "../client/train.ts";
import { tf } from "../client/tf.ts";

Deno.test("the lesson-5 demo frees every tensor on Reset (no growth over three runs)", async () => {
  const counts: number[] = [];
  for (let run = 0; run < 3; run++) {
    const live = await LiveTraining.create("tiny", "cpu");
    await live.run(2);
    await live.evaluate();
    live.dispose();
    counts.push(tf.memory().numTensors);
  }
  assertEquals(counts[2], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
  assertEquals(counts[1], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
});
