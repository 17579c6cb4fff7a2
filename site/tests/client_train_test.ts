// The lesson-5 demo's engine (lessons/05_training/experiment.ts's LiveTraining, which the site's
// training island drives) run in Deno on the cpu backend with the reference parts: a Reset
// (dispose, then a fresh run) must give back every tensor the run made.
import { assertEquals } from "./assert.ts";
import * as data from "../../solutions/01_bigram_data/exercises.ts";
import * as training from "../../solutions/05_training/exercises.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { LiveTraining } from "../../lessons/05_training/experiment.ts";
import { startBackend, tf } from "../client/tf.ts";

Deno.test("the lesson-5 demo frees every tensor on Reset (no growth over three runs)", async () => {
  await startBackend("cpu");
  const counts: number[] = [];
  for (let run = 0; run < 3; run++) {
    const live = new LiveTraining("tiny", { parts: trainerParts(data, training) });
    await live.run(2);
    await live.evaluate();
    live.dispose();
    counts.push(tf.memory().numTensors);
  }
  assertEquals(counts[2], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
  assertEquals(counts[1], counts[0], `tensors alive after each Reset: ${counts.join(", ")}`);
});
