import * as tf from "@tensorflow/tfjs";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
import { check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { fullPreset, FullTrainer, trainFull } from "@lib/train/full.ts";

await initBackend(backendFromEnv());

const parts = { ...data, ...training, ...ex9 };
const small = {
  ...fullPreset,
  model: { ...fullPreset.model, dim: 16, maxLen: 16 },
  data: { ...fullPreset.data, seqLen: 16 },
  batchSize: 8,
  steps: 20,
  evalEvery: 10,
};

Deno.test("FullTrainer: AdamW steps lower the loss on all targets, and free their tensors", async () => {
  const trainer = new FullTrainer(small, parts);
  const first = await trainer.evaluate();
  trainer.step();
  const before = tf.memory().numTensors;
  for (let i = 0; i < 11; i++) trainer.step();
  check(tf.memory().numTensors === before, "steps leave no tensor behind");
  const last = await trainer.evaluate();
  check(last.step === 12, `12 steps done, got ${last.step}`);
  check(last.lossAll < first.lossAll - 0.3, `loss ${first.lossAll} -> ${last.lossAll}`);
  check(last.induction.length === 2 && last.induction[0].length === 4, "a score per head");
  trainer.dispose();
});

Deno.test("trainFull: evaluates every evalEvery steps and after the last", async () => {
  const records = await trainFull({ ...small, steps: 6, evalEvery: 5 }, parts);
  check(
    records.map((r) => r.step).join() === "0,5,6",
    `evaluations at ${records.map((r) => r.step)}`,
  );
});
