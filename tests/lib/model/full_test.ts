import * as tf from "@tensorflow/tfjs";
import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
import { assertAllClose, assertShape, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import {
  disposeFullParams,
  type FullConfig,
  fullForward,
  initFullParams,
} from "@lib/model/full.ts";

await initBackend(backendFromEnv());

const config: FullConfig = { dim: 16, heads: 4, layers: 2, maxLen: 8, vocabSize: 65, seed: 1 };

Deno.test("initFullParams: shapes, seeded, d must split into the heads", () => {
  const p = initFullParams(config);
  assertShape(p.wE, [65, 16], "wE");
  assertShape(p.pos, [8, 16], "pos");
  assertShape(p["l1.w1"], [64, 16], "l1.w1 (4d x d)");
  assertShape(p["l1.w2"], [16, 64], "l1.w2");
  assertShape(p["lnF.g"], [16], "lnF.g");
  const again = initFullParams(config);
  assertAllClose(again["l0.wK"], p["l0.wK"], { what: "the same seed draws the same W_K" });
  check(Object.values(p).every((v) => v.trainable), "every variable trains");
  disposeFullParams(p);
  disposeFullParams(again);
  let threw = false;
  try {
    initFullParams({ ...config, heads: 3 });
  } catch {
    threw = true;
  }
  check(threw, "d = 16 with 3 heads is an error");
});

Deno.test("fullForward: shapes, causal attention rows summing to 1, no future leak", () => {
  const p = initFullParams(config);
  const a = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], "int32");
  const b = tf.tensor2d([[1, 2, 3, 4, 5, 40]], [1, 6], "int32");
  const before = tf.memory().numTensors;
  const out = fullForward(p, config, a, ex9, { attention: true });
  assertShape(out.logits, [1, 6, 65], "logits");
  check(out.attention!.length === 2, "one attention map per layer");
  assertShape(out.attention![0], [1, 4, 6, 6], "layer 1's attention");
  assertAllClose(out.attention![1].sum(-1), tf.ones([1, 4, 6]), { what: "rows sum to 1" });
  const upper = tf.tidy(() =>
    out.attention![0].mul(tf.sub(1, tf.linalg.bandPart(tf.ones([6, 6]), -1, 0))).sum()
  );
  assertAllClose(upper, 0, { what: "attention on future positions" });
  const later = fullForward(p, config, b, ex9).logits;
  assertAllClose(later.slice([0, 0, 0], [1, 5, 65]), out.logits.slice([0, 0, 0], [1, 5, 65]), {
    atol: 1e-4,
    what: "logits of positions 1..5 when only the 6th token changes",
  });
  tf.dispose([out.logits, ...out.attention!, upper, later]);
  check(tf.memory().numTensors <= before + 8, "fullForward frees its intermediates");
  tf.dispose([a, b]);
  disposeFullParams(p);
});
