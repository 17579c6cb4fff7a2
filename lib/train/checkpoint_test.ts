import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { decodeTensor, decodeValues, encodeTensor } from "./checkpoint.ts";

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
  const saved = await encodeTensor(tf.tensor1d([1, 2, 3]));
  assert.throws(() => decodeValues({ ...saved, shape: [4] }), /needs 16 bytes, got 12/);
});
