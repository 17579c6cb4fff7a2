import assert from "node:assert/strict";
import { initBackend } from "@lib/tf/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { profileWorkers } from "@lib/bench/thread_cpu.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { averageGradients } from "@exercises/06_webgpu/exercises.ts";

await initBackend("wasm");

Deno.test({
  name: "profileWorkers: the Workers' warm-up apart, then each line's CPU by thread",
  ignore: Deno.build.os !== "linux",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const config = withOverrides(presets.tiny, {
      batchSize: 4,
      model: { dim: 16 },
      data: { seqLen: 8 },
    });
    const lines = await profileWorkers(config, trainerParts(data, training), {
      workers: 2,
      steps: 2,
      warmup: 3,
      average: averageGradients,
      workerUrl: new URL("../../../lessons/05_training/train_worker.ts", import.meta.url),
    });
    assert.deepEqual(lines.map((l) => l.what), [
      "first 3 steps with 2 Workers (warm-up)",
      "step, one process",
      "step, 2 Workers",
      "data of a batch (4 sequences)",
      "gradients of 4 sequences, no update (with their data)",
      "gradients of 2 sequences, no update (with their data)",
      "evaluation (one per evalEvery steps)",
      "step with its evaluation, run on the main thread while 2 Workers compute",
    ]);
    // Per-thread times are not checked: this small model's shards take under the 0.5 ms per
    // call below which profileWorkers leaves a thread out, and they depend on the machine.
  },
});
