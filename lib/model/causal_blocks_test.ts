import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { assertAllClose, assertNoLeak } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  defaultModelConfig,
  disposeParams,
  forward,
  hasParam,
  initParams,
  type ModelConfig,
  PARAM_NAMES,
  type Params,
} from "./mod.ts";
import { blockedEntries, causalBlocks } from "./causal_blocks.ts";

await initBackend(backendFromEnv());

const config: ModelConfig = {
  ...defaultModelConfig,
  dim: 16,
  maxLen: 12,
  finalFfn: true,
  trainable: PARAM_NAMES.filter((n) => hasParam(n, { finalFfn: true })), // all the model has
};

function randomIds(seed: number, batch: number, seq: number): tf.Tensor2D {
  const rng = new Rng(seed);
  const ids = Int32Array.from({ length: batch * seq }, () => rng.int(65));
  return tf.tensor2d(ids, [batch, seq], "int32");
}

/** Logits, both attention maps and the gradients of every matrix, read back. */
async function run(params: Params, ids: tf.Tensor2D, causalBlock?: number) {
  const weights = tf.randomNormal([...ids.shape, 65], 0, 1, "float32", 7);
  const out = forward(params, config, ids, { attention: true, causalBlock });
  const { value, grads } = tf.variableGrads(() =>
    forward(params, config, ids, { causalBlock }).logits.mul(weights).sum() as tf.Scalar
  );
  const read = async (t: tf.Tensor) => Array.from(await t.data());
  const result: Record<string, number[]> = {
    logits: await read(out.logits),
    attn1: await read(out.attn1!),
    attn2: await read(out.attn2!),
  };
  for (const name of config.trainable) result[name] = await read(grads[params[name]!.name]);
  tf.dispose([weights, out.logits, out.attn1!, out.attn2!, value, ...Object.values(grads)]);
  return result;
}

Deno.test("causalBlocks: cuts the rows, the last block shorter; entries computed", () => {
  assert.deepEqual(causalBlocks(12, 5), [
    { start: 0, end: 5 },
    { start: 5, end: 10 },
    { start: 10, end: 12 },
  ]);
  assert.deepEqual(causalBlocks(12), [{ start: 0, end: 12 }]);
  assert.deepEqual(causalBlocks(12, 40), [{ start: 0, end: 12 }]);
  assert.equal(blockedEntries(64, 32), 32 * 32 + 32 * 64);
  assert.equal(blockedEntries(256, 64), (5 / 8) * 256 * 256);
  assert.equal(blockedEntries(8, 1), (8 * 9) / 2); // one row per block: the exact triangle
  assert.throws(() => causalBlocks(8, 0), /block size/);
});

Deno.test("forward with causal blocks: logits, attention and every gradient as the full square", async () => {
  const params = initParams(config);
  const ids = randomIds(3, 3, 12);
  try {
    const full = await run(params, ids);
    for (const block of [1, 4, 5, 12]) {
      const blocked = await run(params, ids, block);
      for (const [key, expected] of Object.entries(full)) {
        const scale = Math.max(...expected.map(Math.abs));
        assertAllClose(blocked[key], expected, {
          what: `${key} with blocks of ${block} rows vs the whole square`,
          atol: 1e-5 * scale,
          rtol: 1e-4,
        });
      }
    }
  } finally {
    ids.dispose();
    disposeParams(params);
  }
});

Deno.test("forward with causal blocks: frees its intermediates", async () => {
  const params = initParams(config);
  const ids = randomIds(4, 2, 12);
  try {
    await assertNoLeak(() => {
      const { value, grads } = tf.variableGrads(() =>
        forward(params, config, ids, { causalBlock: 5 }).logits.sum() as tf.Scalar
      );
      tf.dispose([value, ...Object.values(grads)]);
    }, "forward with causalBlock 5 and its gradients");
  } finally {
    ids.dispose();
    disposeParams(params);
  }
});
