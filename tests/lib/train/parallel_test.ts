import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { initBackend } from "@lib/tf/mod.ts";
import { assertAllClose, NotImplementedError } from "@lib/testing/mod.ts";
import { memoryProbesAsync, PARAM_NAMES } from "@lib/model/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { type TrainerParts, trainerParts } from "@lib/train/parts.ts";
import { type EvalRecord, train, Trainer } from "@lib/train/trainer.ts";
import {
  defaultWorkers,
  type GradientAverager,
  GradientPool,
  type PoolOptions,
  shardSizes,
} from "@lib/train/parallel.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { averageGradients } from "@exercises/06_webgpu/exercises.ts";

// The Workers run wasm, and so does the main thread: the same kernels on both sides.
await initBackend("wasm");

const parts = trainerParts(data, training);
// The Worker script of `deno task train --workers` (lesson 5's step through `@exercises/`).
const workerUrl = new URL("../../../lessons/05_training/train_worker.ts", import.meta.url);
// A seeded tiny run: d = 32, T = 16, batch 6 (shards of 3), every matrix but W_U trained so
// that the gradients reach the embeddings too; AdamW so that a wrong gradient scale shows.
const config = withOverrides(presets.tiny, {
  batchSize: 6,
  evalEvery: 1000,
  model: { dim: 32, trainable: ["wE", "pos", "wK1", "wV1", "wO1", "wK2", "wV2", "wO2"] },
  data: { seqLen: 16 },
  optimizer: { kind: "adamw", lr: 0.01, weightDecay: 0.01 },
});

/** A pool of 2 wasm Workers for `config`'s model, with `overrides`. */
function startPool(overrides: Partial<PoolOptions> = {}): Promise<GradientPool> {
  return GradientPool.start({
    workers: 2,
    backend: "wasm",
    model: config.model,
    average: averageGradients,
    workerUrl,
    ...overrides,
  });
}

function test(name: string, fn: () => Promise<void> | void) {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });
}

async function snapshot(trainer: Trainer): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = {};
  for (const name of PARAM_NAMES) {
    const p = trainer.params[name];
    if (p) out[name] = Array.from(await p.data());
  }
  return out;
}

test("shardSizes: even splits, never an empty shard", () => {
  assert.deepEqual(shardSizes(64, 2), [32, 32]);
  assert.deepEqual(shardSizes(7, 3), [3, 2, 2]);
  assert.deepEqual(shardSizes(2, 4), [1, 1]);
  assert.throws(() => shardSizes(0, 2), /positive integers/);
  assert.equal(defaultWorkers(16, 4), 4);
  assert.equal(defaultWorkers(1, 4), 1);
});

test("GradientPool: 2 workers make the same steps as 1, to float32 rounding; no leak", async () => {
  const single = new Trainer(config, parts);
  const pool = await startPool();
  const parallel = new Trainer(config, trainerParts(data, training, pool.parts()));
  try {
    assert.equal(pool.size, 2);
    for (let step = 0; step < 3; step++) {
      single.step();
      parallel.step();
      const [a, b] = [await single.lastLoss(), await parallel.lastLoss()];
      assertAllClose([b], [a], { what: `the loss of step ${step}`, rtol: 1e-5, atol: 1e-6 });
    }
    const [a, b] = [await snapshot(single), await snapshot(parallel)];
    for (const name of Object.keys(a)) {
      assertAllClose(b[name], a[name], { what: `${name} after 3 steps`, rtol: 1e-4, atol: 1e-5 });
    }
    // And the run moved: the comparison is not of two untouched copies.
    const fresh = new Trainer(config, parts);
    const init = await snapshot(fresh);
    fresh.dispose();
    assert.ok(a.wK2.some((v, i) => Math.abs(v - init.wK2[i]) > 1e-4), "the weights moved");
    // A data-parallel step leaves no tensor behind in the main thread.
    const before = tf.memory().numTensors;
    for (let i = 0; i < 2; i++) {
      parallel.step();
      await parallel.lastLoss();
    }
    assert.equal(tf.memory().numTensors, before, "tensors alive after two more steps");
  } finally {
    single.dispose();
    parallel.dispose();
    pool.dispose();
  }
});

test("GradientPool: evaluations overlapped with the Workers' steps give the same bits as in turn", async () => {
  // train() evaluates step s on the batch and weights step s trains on, before its update. With
  // a pool, the evaluation runs while the Workers compute step s: same records, same weights.
  const pool = await startPool();
  // W_K^2 frozen until step 3: the matrices flagged trainable change in the middle of the run.
  const run = withOverrides(config, {
    steps: 7,
    evalEvery: 2,
    freeze: [{ param: "wK2", untilStep: 3 }],
  });
  let inFlight = false;
  const evaluatedDuringStep: number[] = [];
  const overlapped: TrainerParts = trainerParts(data, training, {
    ...pool.parts(),
    startStep: (...args) => {
      const finish = pool.startStep(...args);
      inFlight = true;
      return () => {
        inFlight = false;
        return finish();
      };
    },
    memoryProbes: (...args) => {
      if (inFlight) evaluatedDuringStep.push(evaluatedDuringStep.length);
      return memoryProbesAsync(...args);
    },
  });
  // The old loop: the evaluation, then the whole step (the pool's synchronous trainingStep).
  const inTurn = trainerParts(data, training, { trainingStep: pool.trainingStep });
  const outcome = async (parts: TrainerParts) => {
    const trainer = new Trainer(run, parts);
    try {
      const records = await train(run, { trainer });
      return {
        records: records.map(({ elapsedMs: _, ...r }: EvalRecord) => r),
        params: await snapshot(trainer),
      };
    } finally {
      trainer.dispose();
    }
  };
  try {
    const before = tf.memory().numTensors;
    const a = await outcome(inTurn);
    const b = await outcome(overlapped);
    assert.equal(tf.memory().numTensors, before, "tensors alive after the runs");
    assert.deepEqual(a.records.map((r) => r.step), [0, 2, 4, 6, 7]);
    assert.deepEqual(b.records, a.records, "the evaluation records");
    assert.deepEqual(b.params, a.params, "the weights after 7 steps");
    // Steps 0, 2, 4 and 6 were evaluated while the Workers computed; step 7 has no step after it.
    assert.equal(evaluatedDuringStep.length, 4, "evaluations run during a step");
    // What runs during a step fails: its error comes back, the step is still completed (the
    // Workers are waited for), and the pool takes the next one.
    const trainer = new Trainer(run, overlapped);
    try {
      await assert.rejects(
        () =>
          trainer.stepWhile(() => {
            throw new Error("the evaluation broke");
          }),
        /the evaluation broke/,
      );
      assert.equal(trainer.stepCount, 1);
      trainer.step();
      assert.equal(trainer.stepCount, 2);
    } finally {
      trainer.dispose();
    }
  } finally {
    pool.dispose();
  }
});

test("GradientPool: a frozen matrix that changes between steps reaches the Workers", async () => {
  // The pool sends a matrix only when it changed since the last step (a frozen one never does
  // in training): a change from outside the optimizer (assign) must still reach the Workers.
  const single = new Trainer(config, parts);
  const pool = await startPool();
  const parallel = new Trainer(config, trainerParts(data, training, pool.parts()));
  try {
    assert.equal(config.model.trainable.includes("wU"), false, "W_U is frozen in this run");
    for (let step = 0; step < 3; step++) {
      if (step === 2) {
        for (const t of [single, parallel]) {
          tf.tidy(() =>
            t.params.wU!.assign(tf.randomNormal(t.params.wU!.shape, 0, 1, "float32", 3))
          );
        }
      }
      single.step();
      parallel.step();
      const [a, b] = [await single.lastLoss(), await parallel.lastLoss()];
      assertAllClose([b], [a], { what: `the loss of step ${step}`, rtol: 1e-5, atol: 1e-6 });
    }
    // A second trainer on the same pool: its own matrices, not the first one's.
    const other = new Trainer(
      withOverrides(config, { seed: 7 }),
      trainerParts(data, training, pool.parts()),
    );
    const alone = new Trainer(withOverrides(config, { seed: 7 }), parts);
    tf.tidy(() =>
      alone.params.wU!.assign(tf.randomNormal(alone.params.wU!.shape, 0, 1, "float32", 4))
    );
    tf.tidy(() => other.params.wU!.assign(alone.params.wU!));
    other.step();
    alone.step();
    assertAllClose([await other.lastLoss()], [await alone.lastLoss()], {
      what: "the loss of a second trainer's first step",
      rtol: 1e-5,
      atol: 1e-6,
    });
    other.dispose();
    alone.dispose();
  } finally {
    single.dispose();
    parallel.dispose();
    pool.dispose();
  }
});

test("GradientPool: a failing averaging or worker is reported, and dispose terminates", async () => {
  const broken: GradientAverager = () => {
    throw new Error("averaging broke");
  };
  const pool = await startPool({ average: broken });
  const trainer = new Trainer(config, trainerParts(data, training, pool.parts()));
  try {
    const before = tf.memory().numTensors;
    assert.throws(() => trainer.step(), /averaging broke/);
    assert.equal(tf.memory().numTensors, before, "the shards' gradients were freed");
    // A model of another width than the workers' is refused before any work.
    const wrong = withOverrides(config, { model: { dim: 16 } });
    const other = new Trainer(wrong, trainerParts(data, training, pool.parts()));
    try {
      assert.throws(() => other.step(), /hold another model \(dim 32, not 16\)/);
    } finally {
      other.dispose();
    }
  } finally {
    trainer.dispose();
    pool.dispose();
  }
  assert.throws(
    () => pool.trainingStep(trainer.params, config.model, {} as never, {} as never),
    /disposed/,
  );
});

test("GradientPool.start: a worker that cannot start is reported and none is left running", async () => {
  await assert.rejects(
    () => startPool({ backend: "nosuch" }),
    /worker \d: .*nosuch/,
  );
});

test("GradientPool: a Worker's error comes back with its number; a stub as NotImplementedError", async () => {
  const pool = await startPool({
    workerUrl: new URL("./_test_failing_worker.ts", import.meta.url),
  });
  const trainer = new Trainer(config, trainerParts(data, training, pool.parts()));
  const params = trainer.params;
  const shard = (first: number) => ({
    inputs: tf.tensor2d([[first, 1], [2, 3]], [2, 2], "int32"),
    targets: tf.tensor2d([[1, 1], [1, 1]], [2, 2], "int32"),
    inContextMask: tf.ones([2, 2]) as tf.Tensor2D,
  });
  const options = {
    trainable: ["wK1" as const],
    loss: "inContext" as const,
    optimizer: { update: () => {} } as never,
  };
  const [broken, stub] = [shard(5), shard(0)];
  try {
    assert.throws(
      () => pool.trainingStep(params, config.model, broken, options),
      /worker 1: this shard broke/,
    );
    // A step started early reports the Worker's error when it is finished; the pool goes on.
    const finish = pool.startStep(params, config.model, broken, options);
    assert.throws(
      () => pool.startStep(params, config.model, broken, options),
      /a step is already in flight/,
    );
    assert.throws(finish, /worker 1: this shard broke/);
    assert.throws(finish, /finished already/);
    assert.throws(
      () => pool.trainingStep(params, config.model, stub, options),
      (e: unknown) => e instanceof NotImplementedError && e.exercise === "trainingStep",
    );
    // A pool disposed while a step is in flight: finishing it says so (no stale gradients).
    const orphan = pool.startStep(params, config.model, broken, options);
    pool.dispose();
    assert.throws(orphan, /disposed during the step/);
  } finally {
    tf.dispose([...Object.values(broken), ...Object.values(stub)]);
    trainer.dispose();
    pool.dispose();
  }
});
