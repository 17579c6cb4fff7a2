import * as tf from "@tensorflow/tfjs";
import { assertAllClose, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { attentionProbes, batchMetrics, correlation, tokenLosses } from "./mod.ts";

await initBackend(backendFromEnv());

const int = (rows: number[][]) => tf.tensor2d(rows, undefined, "int32");

Deno.test("batchMetrics: a hand-computed batch", async () => {
  // N = 3; positions: label 0 (global), 2 (in-context, right), 3 (in-context, wrong), 1 (first)
  const logits = tf.tensor3d([[[0, 0, 0], [0, Math.log(2), 0], [0, 0, Math.log(3)], [1, 0, 0]]]);
  const targets = int([[0, 1, 0, 2]]);
  const labels = int([[0, 2, 3, 1]]);
  const m = await batchMetrics(logits, targets, labels);
  assertAllClose(m.inContextAcc, 0.5, { what: "in-context accuracy" });
  assertAllClose(m.lossGlobal, Math.log(3), { what: "global loss" });
  const l1 = -Math.log(2 / 4);
  const l2 = -Math.log(1 / 5);
  assertAllClose(m.lossInContext, (l1 + l2) / 2, { what: "in-context loss" });
  const l3 = -Math.log(1 / (Math.E + 2));
  assertAllClose(m.lossAll, (Math.log(3) + l1 + l2 + l3) / 4, { what: "loss on all targets" });
});

Deno.test("batchMetrics: no in-context target gives NaN, not a fake 0", async () => {
  const m = await batchMetrics(tf.zeros([1, 2, 4]) as tf.Tensor3D, int([[0, 1]]), int([[0, 0]]));
  check(Number.isNaN(m.inContextAcc) && Number.isNaN(m.lossInContext), JSON.stringify(m));
  assertAllClose(m.lossGlobal, Math.log(4), { what: "uniform logits over 4 tokens" });
});

Deno.test("batchMetrics: shape mismatches get a readable message", async () => {
  let message = "";
  try {
    await batchMetrics(tf.zeros([1, 2, 4]) as tf.Tensor3D, int([[0, 1, 2]]), int([[0, 0]]));
  } catch (e) {
    message = (e as Error).message;
  }
  check(/targets must have shape \[1, 2\]/.test(message), message);
});

Deno.test("tokenLosses: matches -log softmax at the target", () => {
  const logits = tf.tensor3d([[[1, 2, 3]]]);
  const want = -(3 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)));
  assertAllClose(tokenLosses(logits, int([[2]])), [[want]], { what: "loss of target 2" });
});

Deno.test("attentionProbes: a hand-built case", () => {
  // tokens z = [5, 7, 5, 7]; z_1 = 7 follows trigger 5 at t=0 (label 1), and t=2 (label 2).
  const inputs = int([[5, 7, 5, 7]]);
  const targets = int([[7, 5, 7, 0]]);
  const labels = int([[1, 0, 2, 0]]);
  // layer 1: t attends to t-1 (row 0 to itself)
  const prev = tf.tensor3d([[[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]]);
  // layer 2 at t=2 attends to s=1, whose previous token z_0 = 5 = z_2
  const ind = tf.tensor3d([[[1, 0, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 0, 1]]]);
  const good = attentionProbes(prev, ind, inputs, targets, labels);
  assertAllClose([good.prevToken, good.induction], [1, 1], { what: "probes of the right maps" });
  // attending to itself everywhere: both wrong
  const eye = tf.eye(4).expandDims(0) as tf.Tensor3D;
  const bad = attentionProbes(eye, eye, inputs, targets, labels);
  assertAllClose([bad.prevToken, bad.induction], [0, 0], { what: "probes of identity maps" });
});

Deno.test("correlation: 1 for a line, -1 for a falling line, 0 for no linear relation", () => {
  assertAllClose(correlation([1, 2, 3, 4], [3, 5, 7, 9]), 1, { atol: 1e-12 });
  assertAllClose(correlation([1, 2, 3, 4], [8, 6, 4, 2]), -1, { atol: 1e-12 });
  assertAllClose(correlation([-1, 0, 1], [1, -2, 1]), 0, { atol: 1e-12 });
  check(Math.abs(correlation([1, 2, 3], [2, 4, 7]) - 0.9934) < 1e-4, "a near line: about 0.993");
});
