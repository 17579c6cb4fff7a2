import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { readLog } from "@lib/train/log.ts";
import { train, Trainer } from "@lib/train/trainer.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { trainerParts } from "@lib/train/parts.ts";

async function rejectsWith(fn: () => Promise<unknown>, text: string | RegExp): Promise<void> {
  await assert.rejects(
    fn,
    (e: unknown) =>
      e instanceof Error &&
      (typeof text === "string" ? e.message.includes(text) : text.test(e.message)),
  );
}

await initBackend(backendFromEnv());

const tiny = withOverrides(presets.tiny, { evalEvery: 1000 });
// The reference code: the course check runs lib's tests with `@exercises/` -> solutions/.
const parts = trainerParts(data, training);

function test(name: string, fn: () => Promise<void> | void) {
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });
}

async function nextLosses(trainer: Trainer, count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    trainer.step();
    out.push(await trainer.lastLoss());
  }
  return out;
}

test("one step lowers the loss on its batch", async () => {
  const trainer = new Trainer(withOverrides(tiny, { optimizer: { lr: 0.5 } }), parts);
  const batch = trainer.batchAt(0);
  const before = await trainer.lossOn(batch);
  trainer.step();
  assert.deepEqual(await trainer.lastLoss(), before, "step() reports the loss before its update");
  const after = await trainer.lossOn(batch);
  if (!(after < before - 1e-3)) throw new Error(`loss did not drop: ${before} -> ${after}`);
  tf.dispose(batch as unknown as tf.Tensor[]);
  trainer.dispose();
});

for (const kind of ["sgd", "adamw"] as const) {
  test(`checkpoint save and load give identical next-step losses (${kind})`, async () => {
    const dir = await Deno.makeTempDir();
    const config = withOverrides(tiny, {
      optimizer: kind === "adamw" ? { kind, lr: 0.01, weightDecay: 0.01 } : {},
      freeze: [{ param: "wK1", untilStep: 4 }],
    });
    const a = new Trainer(config, parts);
    await nextLosses(a, 3);
    await a.save(`${dir}/ckpt.json`);
    const expected = await nextLosses(a, 3); // steps 3, 4 (wK1 unfreezes), 5
    const b = await Trainer.load(`${dir}/ckpt.json`, parts);
    assert.deepEqual(b.stepCount, 3);
    assert.deepEqual(await nextLosses(b, 3), expected);
    for (const name of ["wK1", "wK2", "wO2"] as const) {
      assert.deepEqual(
        b.params[name]!.dataSync(),
        a.params[name]!.dataSync(),
        `${name} after resume`,
      );
    }
    a.dispose();
    b.dispose();
    await Deno.remove(dir, { recursive: true });
  });
}

test("Trainer.load explains a file that is not a checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/x.json`, JSON.stringify({ hello: 1 }));
  await rejectsWith(() => Trainer.load(`${dir}/x.json`, parts), /not a training checkpoint/);
  await rejectsWith(() => Trainer.load(`${dir}/missing.json`, parts), /cannot read checkpoint/);
  await Deno.remove(dir, { recursive: true });
});

test("Trainer.load refuses a missing optimizer slot, a wrong-size tensor or another optimizer", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/c.json`;
  const t = new Trainer(tiny, parts);
  t.step();
  await t.save(path);
  t.dispose();
  const saved = JSON.parse(await Deno.readTextFile(path));
  const variants: [(c: typeof saved) => void, RegExp][] = [
    [
      (c) => delete c.optimizer.slots["wK1.velocity"],
      /c\.json has no optimizer state wK1\.velocity/,
    ],
    [
      (c) => (c.optimizer.slots["wV1.velocity"] = c.optimizer.slots["wK1.velocity"]),
      /c\.json has optimizer state wV1\.velocity, which this model does not/,
    ],
    [
      (c) => (c.params.wK1 = { shape: [1], dtype: "float32", data: "AACAPw==" }),
      /wK1 has shape \[1\], the model \[64,64\]/,
    ],
    [(c) => delete c.params.wO2, /c\.json has no wO2/],
    [
      (c) => (c.optimizer.kind = "adamw"),
      /c\.json holds adamw optimizer state, its config says sgd/,
    ],
  ];
  const before = tf.memory().numTensors;
  for (const [change, message] of variants) {
    const c = structuredClone(saved);
    change(c);
    await Deno.writeTextFile(path, JSON.stringify(c));
    await rejectsWith(() => Trainer.load(path, parts), message);
  }
  assert.equal(tf.memory().numTensors, before, "a refused checkpoint leaves no tensor behind");
  await Deno.remove(dir, { recursive: true });
});

test("no tensor leak across 50 steps and evaluations", async () => {
  const trainer = new Trainer(tiny, parts);
  trainer.step();
  await trainer.evaluate();
  trainer.step();
  const before = tf.memory().numTensors; // measured after a step: no batch is pending
  for (let i = 0; i < 50; i++) {
    if (i % 10 === 0) await trainer.evaluate();
    trainer.step();
  }
  assert.deepEqual(tf.memory().numTensors, before, "tensors alive after 50 more steps");
  trainer.dispose();
});

test("a run leaves no tensor after dispose, with SGD (3 slots) or AdamW (6)", async () => {
  for (const kind of ["sgd", "adamw"] as const) {
    const before = tf.memory().numTensors;
    const trainer = new Trainer({ ...tiny, optimizer: { ...tiny.optimizer, kind } }, parts);
    trainer.step();
    await trainer.evaluate();
    trainer.dispose();
    assert.equal(tf.memory().numTensors, before, `${kind}: tensors left after dispose`);
  }
});

test("step() reads no tensor back (no dataSync, data, array, buffer)", async () => {
  // Kernels of the CPU backends may read their own memory; what must not happen is a
  // readback requested by the training code, which on a GPU stalls the device every step.
  const trainer = new Trainer(tiny, parts);
  trainer.step();
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const methods = ["dataSync", "data", "array", "arraySync", "bufferSync", "buffer"];
  const originals = methods.map((m) => proto[m]);
  const calls: string[] = [];
  methods.forEach((m, i) => {
    proto[m] = function (this: unknown, ...a: unknown[]) {
      calls.push(m);
      return originals[i].apply(this, a);
    };
  });
  try {
    for (let i = 0; i < 5; i++) trainer.step();
  } finally {
    methods.forEach((m, i) => (proto[m] = originals[i]));
  }
  assert.deepEqual(calls, [], "readbacks during 5 steps");
  const r = await trainer.evaluate(); // evaluation reads back, and still works after the patch
  assert.equal(r.step, 6);
  trainer.dispose();
});

test("frozen matrices hold still until their step (reference schedule)", () => {
  const trainer = new Trainer(
    withOverrides(tiny, { freeze: [{ param: "wK2", untilStep: 3 }] }),
    parts,
  );
  const start = trainer.params.wK2!.dataSync().slice();
  for (let i = 0; i < 3; i++) trainer.step();
  assert.deepEqual(trainer.params.wK2!.dataSync(), start);
  trainer.step();
  const moved = trainer.params.wK2!.dataSync().some((v, i) => v !== start[i]);
  assert.deepEqual(moved, true, "wK2 trains from step 3");
  trainer.dispose();
});

test("train() evaluates every evalEvery steps and at the end, and writes the log", async () => {
  const dir = await Deno.makeTempDir();
  const config = withOverrides(presets.tiny, { steps: 12, evalEvery: 5 });
  const seen: number[] = [];
  const records = await train(config, {
    parts,
    logPath: `${dir}/log.jsonl`,
    onEval: (r) => seen.push(r.step),
  });
  assert.deepEqual(records.map((r) => r.step), [0, 5, 10, 12]);
  assert.deepEqual(seen, [0, 5, 10, 12]);
  const log = await readLog(`${dir}/log.jsonl`);
  assert.deepEqual(log.header.config.steps, 12);
  assert.deepEqual(log.records.length, 4);
  assert.deepEqual(log.records[3].inContextAcc, records[3].inContextAcc);
  for (const key of ["inContextAcc", "lossGlobal", "wO2", "wK2", "wK1", "wK1Early", "prevToken"]) {
    const v = records[3][key as keyof typeof records[3]];
    if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${key} is ${v}`);
  }
  await Deno.remove(dir, { recursive: true });
});

test("the data stream is a function of the step (same batch after a restart)", () => {
  const a = new Trainer(tiny, parts);
  const b = new Trainer(tiny, parts);
  const x = a.batchAt(7);
  const y = b.batchAt(7);
  const z = b.batchAt(8);
  assert.deepEqual(x.inputs.dataSync(), y.inputs.dataSync());
  assert.deepEqual(
    Array.from(x.inputs.dataSync()).join() === Array.from(z.inputs.dataSync()).join(),
    false,
  );
  tf.dispose([x, y, z].flatMap((t) => [t.inputs, t.targets, t.labels, t.inContextMask]));
  a.dispose();
  b.dispose();
});

test("train() lets timers run between steps, and schedules no timer of its own per step", async () => {
  // A timer between steps (setTimeout(0)) is clamped to 4 ms once nested, as each step's would
  // be: 200 steps of the birth run lost about 0.5 s waiting. train() yields with setImmediate.
  const realSetTimeout = globalThis.setTimeout;
  let scheduled = 0;
  let fired = -1;
  const countingSetTimeout = ((fn: () => void, ms?: number) => {
    scheduled++;
    return realSetTimeout(fn, ms);
  }) as typeof setTimeout;
  globalThis.setTimeout = countingSetTimeout;
  try {
    await train(withOverrides(tiny, { steps: 6 }), {
      parts,
      signal: new AbortController().signal,
      onStep: (s) => {
        if (s === 2) realSetTimeout(() => fired = s, 0); // a progress bar's redraw, say
      },
    });
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
  assert.equal(fired, 2, "a timer set during the run fired before it ended");
  assert.equal(scheduled, 0, "timers train() scheduled");
});
