import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  CLIMB_STAGES,
  climbStep,
  forwardFlat,
  forwardFolded,
  matMulFastGrad,
} from "@lib/bench/climb.ts";
import { defaultModelConfig, forwardReference, initParams } from "@lib/model/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { Trainer } from "@lib/train/trainer.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { meanLossRows, variantShape } from "@lib/bench/configs.ts";

// The reference code: the course check runs lib's tests with `@exercises/` -> solutions/.
const parts = trainerParts(data, training);
import { initBackend } from "@lib/tf/mod.ts";

await initBackend("wasm");

Deno.test("climb: every stage's forward pass gives the reference logits", () => {
  const config = { ...defaultModelConfig, dim: 16, maxLen: 8, finalFfn: true, trainable: [] };
  const params = initParams(config);
  const ids = tf.tensor2d(
    [[1, 5, 2, 9, 1, 5, 2, 64], [0, 3, 3, 3, 7, 7, 1, 2]],
    undefined,
    "int32",
  );
  const ref = forwardReference(params, config, ids).logits;
  for (
    const [name, logits] of [
      ["fold", forwardFolded(params, config, ids)],
      ["flat", forwardFlat(params, config, ids)],
      ["customgrad", forwardFlat(params, config, ids, matMulFastGrad)],
      ["batched", forwardFlat(params, config, ids, matMulFastGrad, true)],
    ] as const
  ) {
    const diff = tf.max(tf.abs(logits.sub(ref))).dataSync()[0];
    assert.ok(diff < 1e-4, `${name}: logits differ from the reference by ${diff}`);
  }
});

Deno.test("climb: every stage trains with the reference's losses", async () => {
  const config = withOverrides(presets.tiny, { batchSize: 4 });
  const losses: Record<string, number[]> = {};
  for (const stage of CLIMB_STAGES) {
    const step = climbStep(stage, training.maskedCrossEntropy);
    const trainer = new Trainer(config, step ? { ...parts, trainingStep: step } : parts);
    losses[stage] = [];
    for (let i = 0; i < 3; i++) {
      trainer.step();
      losses[stage].push(await trainer.lastLoss());
    }
    trainer.dispose();
  }
  for (const stage of CLIMB_STAGES) {
    losses[stage].forEach((l, i) => {
      const r = losses.reference[i];
      assert.ok(Math.abs(l - r) < 1e-4 * Math.abs(r), `${stage}, step ${i}: loss ${l} vs ${r}`);
    });
  }
  assert.notEqual(losses.reference[2], losses.reference[0]);
});

Deno.test("climb: a step leaves no tensor behind", () => {
  const config = withOverrides(presets.tiny, { batchSize: 2 });
  for (const stage of CLIMB_STAGES) {
    const step = climbStep(stage, training.maskedCrossEntropy);
    const trainer = new Trainer(config, step ? { ...parts, trainingStep: step } : parts);
    trainer.step();
    const before = tf.memory().numTensors;
    trainer.step();
    assert.equal(tf.memory().numTensors, before, `${stage} leaks tensors`);
    trainer.dispose();
  }
});

Deno.test("climb: a trainable embedding is refused with a clear message", () => {
  const config = { ...defaultModelConfig, dim: 8, maxLen: 4, trainable: ["wE" as const] };
  const ids = tf.zeros([1, 4], "int32") as tf.Tensor2D;
  assert.throws(() => forwardFlat(initParams(config), config, ids), /assumes frozen embeddings/);
});

Deno.test("bench: the course variant's FLOPs count the loss's rows, the mean over the measured batches", () => {
  const config = withOverrides(presets.tiny, { batchSize: 8 });
  const trainer = new Trainer(config, parts);
  const counts = [0, 1, 2].map((s) => {
    const batch = trainer.batchAt(s);
    const n = batch.inContextMask.sum().dataSync()[0];
    tf.dispose(batch as unknown as tf.Tensor[]);
    return n;
  });
  trainer.dispose();
  const mean = (counts[0] + counts[1] + counts[2]) / 3;
  assert.ok(mean > 0 && mean < 8 * config.data.seqLen, `some rows are loss targets (${mean})`);
  assert.equal(meanLossRows(config, parts, 3), mean);
  assert.equal(meanLossRows(withOverrides(config, { loss: "all" }), parts, 3), undefined);
  assert.equal(variantShape("course", config, mean).lossRows, mean);
  assert.equal(variantShape("blocks", config, mean).lossRows, undefined);
  assert.equal(variantShape("course", config).lossRows, undefined);
});
