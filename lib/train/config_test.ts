import assert from "node:assert/strict";
import { parseFreeze, presets, validateConfig, withOverrides } from "./config.ts";

Deno.test("every preset is valid; paper is the Figure 3 run", () => {
  for (const p of Object.values(presets)) validateConfig(p);
  const { paper } = presets;
  assert.deepEqual([paper.model.dim, paper.data.seqLen, paper.batchSize], [256, 256, 512]);
  assert.deepEqual([paper.data.k, paper.data.fixedTriggers, paper.optimizer.lr], [5, true, 0.03]);
  assert.deepEqual([paper.optimizer.momentum, paper.optimizer.weightDecay], [0.9, 1e-4]);
  assert.deepEqual(paper.model.trainable, ["wK1", "wK2", "wO2"]);
  assert.deepEqual(paper.loss, "inContext");
});

Deno.test("cpu-long is the cpu run with longer sequences, a larger batch and more steps", () => {
  const { cpu } = presets;
  const long = presets["cpu-long"];
  assert.deepEqual({ ...long.model, maxLen: cpu.model.maxLen }, cpu.model);
  assert.deepEqual({ ...long.data, seqLen: cpu.data.seqLen }, cpu.data);
  assert.deepEqual([long.optimizer, long.loss], [cpu.optimizer, cpu.loss]);
  assert.deepEqual(long.data.seqLen > 64 && long.model.maxLen === long.data.seqLen, true);
  assert.deepEqual(long.batchSize > cpu.batchSize && long.steps > cpu.steps, true);
});

Deno.test("withOverrides merges one level deep and keeps the model consistent", () => {
  const c = withOverrides(presets.cpu, { data: { seqLen: 200 }, model: { finalFfn: true } });
  assert.deepEqual(c.model.maxLen, 200, "maxLen follows a longer seqLen");
  assert.deepEqual(c.model.trainable.includes("wF"), true, "W_F trains when it exists");
  assert.deepEqual(c.data.k, presets.cpu.data.k);
  assert.deepEqual(presets.cpu.data.seqLen !== 200, true, "the preset itself is not changed");
  const back = withOverrides(c, { model: { finalFfn: false } });
  assert.deepEqual(back.model.trainable.includes("wF"), false);
  const relu = withOverrides(c, { model: { finalFfn: "relu" } });
  assert.deepEqual(
    relu.model.trainable,
    ["wK1", "wK2", "wO2", "wF1", "wF2"],
    "the ReLU layer's two matrices train when it exists, the linear W_F is gone",
  );
  const linear = withOverrides(relu, { model: { finalFfn: true } });
  assert.deepEqual(linear.model.trainable, ["wK1", "wK2", "wO2", "wF"]);
});

Deno.test("validateConfig names every bad field", () => {
  const bad = { ...presets.tiny, batchSize: 0, optimizer: { ...presets.tiny.optimizer, lr: -1 } };
  assert.throws(() => validateConfig(bad), /batchSize must be an integer >= 1/);
  assert.throws(() => validateConfig(bad), /optimizer\.lr must be > 0/);
  assert.throws(
    () => withOverrides(presets.tiny, { data: { seqLen: 64 }, model: { maxLen: 32 } }),
    /data\.seqLen \(64\) must be <= model\.maxLen \(32\)/,
  );
  assert.throws(
    () => validateConfig({ ...presets.tiny, model: { ...presets.tiny.model, trainable: ["wF"] } }),
    /model\.finalFfn is false/,
  );
  assert.throws(
    () =>
      validateConfig({
        ...presets.tiny,
        model: { ...presets.tiny.model, finalFfn: true, trainable: ["wF1"] },
      }),
    /"wF1" is trainable but model\.finalFfn is true \(the model has no wF1\)/,
  );
});

Deno.test("parseFreeze reads the authors' freeze_until format", () => {
  assert.deepEqual(parseFreeze("wK1:300,wK2:300"), [
    { param: "wK1", untilStep: 300 },
    { param: "wK2", untilStep: 300 },
  ]);
  assert.deepEqual(parseFreeze(""), []);
  assert.throws(() => parseFreeze("wK3:10"), /write MATRIX:STEP/);
  assert.throws(() => parseFreeze("wK1=10"), /write MATRIX:STEP/);
});
