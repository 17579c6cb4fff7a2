import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeTensor,
  decodeValues,
  encodeTensor,
  readCheckpoint,
  writeCheckpoint,
} from "./checkpoint.ts";
import { presets } from "./config.ts";

await initBackend(backendFromEnv());

Deno.test("tensors round-trip exactly through base64 float32", async () => {
  const values = [0, -1.5, Math.PI, 1e-38, 3.4e38, -0, 1 / 3];
  const t = tf.tensor2d(values.concat([7]), [2, 4]);
  const saved = await encodeTensor(t);
  assert.deepEqual(saved.shape, [2, 4]);
  const back = decodeTensor(saved);
  assert.deepEqual(back.shape, [2, 4]);
  assert.deepEqual(back.dataSync(), t.dataSync());
  tf.dispose([t, back]);
});

Deno.test("a tensor whose bytes do not match its shape is rejected", async () => {
  const t = tf.tensor1d([1, 2, 3]);
  const saved = await encodeTensor(t);
  t.dispose();
  assert.throws(() => decodeValues({ ...saved, shape: [4] }), /needs 16 bytes, got 12/);
});

/** A small checkpoint: two parameters, one optimizer slot. */
async function sampleCheckpoint(): Promise<Checkpoint> {
  const wK2 = tf.tensor2d([[1, -2], [0.5, 1 / 3]]);
  const pos = tf.tensor2d([[0, 1e-30, -7]], [1, 3]);
  const m = tf.tensor2d([[0.25, 0], [0, -0.125]]);
  try {
    return {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: presets.tiny,
      step: 42,
      elapsedMs: 1234.5,
      params: { wK2: await encodeTensor(wK2), pos: await encodeTensor(pos) },
      optimizer: { kind: "adam", slots: { "wK2/m": await encodeTensor(m) }, counters: { t: 42 } },
      data: { seed: 7, nextBatch: 42 },
    };
  } finally {
    tf.dispose([wK2, pos, m]);
  }
}

Deno.test("writeCheckpoint then readCheckpoint gives the same checkpoint back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/checkpoint.json`;
    const saved = await sampleCheckpoint();
    await writeCheckpoint(path, saved);
    const back = await readCheckpoint(path);
    assert.deepEqual(back, saved);
    assert.deepEqual(decodeValues(back.params.wK2), new Float32Array([1, -2, 0.5, 1 / 3]));
    assert.deepEqual(
      decodeValues(back.optimizer.slots["wK2/m"]),
      new Float32Array([0.25, 0, 0, -0.125]),
    );
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["checkpoint.json"],
      "no temporary file is left behind",
    );
    // writing again replaces the file
    await writeCheckpoint(path, { ...saved, step: 43, data: { seed: 7, nextBatch: 43 } });
    assert.equal((await readCheckpoint(path)).step, 43);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCheckpoint: a missing, damaged or foreign file gets a clear message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/checkpoint.json`;
    await assert.rejects(readCheckpoint(path), /cannot read checkpoint .*checkpoint\.json/);
    const good = JSON.stringify(await sampleCheckpoint());
    await Deno.writeTextFile(path, good.slice(0, good.length / 2)); // a truncated file
    await assert.rejects(readCheckpoint(path), /cannot read checkpoint .*checkpoint\.json: .*JSON/);
    await Deno.writeTextFile(path, JSON.stringify({ step: 3, params: {} }));
    await assert.rejects(
      readCheckpoint(path),
      /checkpoint\.json is not a training checkpoint \(no "format": "birth-of-a-transformer\/checkpoint"\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCheckpoint: another version is refused, naming both versions", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/old.json`;
    await writeCheckpoint(path, { ...(await sampleCheckpoint()), version: CHECKPOINT_VERSION + 1 });
    await assert.rejects(
      readCheckpoint(path),
      new RegExp(
        `old\\.json is a version ${CHECKPOINT_VERSION + 1} checkpoint; ` +
          `this code reads version ${CHECKPOINT_VERSION}`,
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readCheckpoint: a bad step, time, data position, tensor or config is refused by name", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/c.json`;
    const good = await sampleCheckpoint();
    const cases: [unknown, RegExp][] = [
      [{ ...good, step: -3 }, /"step" must be a whole number >= 0, got -3/],
      [{ ...good, step: "many" }, /"step" must be a whole number >= 0, got "many"/],
      [{ ...good, step: 2.5 }, /"step" must be a whole number >= 0, got 2\.5/],
      [{ ...good, elapsedMs: "x" }, /"elapsedMs" must be a number >= 0/],
      [
        { ...good, data: { seed: 7, nextBatch: 41 } },
        /"data\.nextBatch" \(41\) must equal "step" \(42\)/,
      ],
      [{ ...good, data: undefined }, /"data\.nextBatch" must be a whole number >= 0/],
      [
        { ...good, params: { wK2: { ...good.params.wK2, shape: [3, 2] } } },
        /params\.wK2: shape \[3,2\] needs 24 bytes, got 16/,
      ],
      [
        { ...good, params: { wK2: { ...good.params.wK2, shape: [-1, 2] } } },
        /params\.wK2: bad shape/,
      ],
      [
        { ...good, params: { wK2: { ...good.params.wK2, data: 17 } } },
        /params\.wK2: no base64 data/,
      ],
      [{ ...good, params: undefined }, /"params" must be an object/],
      [
        { ...good, optimizer: { ...good.optimizer, slots: { "wK2/m": { shape: [2] } } } },
        /optimizer\.slots\.wK2\/m: /,
      ],
      [
        { ...good, optimizer: { ...good.optimizer, counters: { t: -1 } } },
        /optimizer\.counters\.t must be a whole number >= 0/,
      ],
      [
        { ...good, config: { ...good.config, batchSize: 0 } },
        /its config cannot run: .*batchSize must be an integer >= 1/,
      ],
    ];
    for (const [checkpoint, message] of cases) {
      await Deno.writeTextFile(path, JSON.stringify(checkpoint));
      await assert.rejects(readCheckpoint(path), (e: Error) => {
        assert.match(e.message, message);
        assert.match(e.message, /c\.json/, "the message names the file");
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
