import * as tf from "@tensorflow/tfjs";
import { assertAllClose, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { inverseSpd } from "./linalg.ts";

await initBackend(backendFromEnv());

Deno.test("inverseSpd: a hand-computed 2×2 inverse", () => {
  // [[4, 1], [1, 3]]^-1 = [[3, -1], [-1, 4]] / 11
  const inv = inverseSpd(tf.tensor2d([[4, 1], [1, 3]]));
  assertAllClose(inv, [[3 / 11, -1 / 11], [-1 / 11, 4 / 11]], { atol: 1e-6, what: "inverse" });
  inv.dispose();
});

Deno.test("inverseSpd: A A^-1 = I for an ill-conditioned second-moment matrix plus a ridge", () => {
  // C = X^T X / n with n = 32 rows in d = 64: rank 32, so it needs the ridge (condition ~1e3)
  const rng = new Rng(3);
  const x = tf.tensor2d(rng.normals(32 * 64), [32, 64]);
  const a = tf.tidy(() => tf.matMul(x, x, true, false).div(32).add(tf.eye(64).mul(0.01)));
  const before = tf.memory().numTensors;
  const inv = inverseSpd(a as tf.Tensor2D);
  check(tf.memory().numTensors === before + 1, "inverseSpd should leave only its result");
  assertAllClose(tf.matMul(a, inv), tf.eye(64), { atol: 1e-3, what: "A · inverseSpd(A)" });
  tf.dispose([x, a, inv]);
});

Deno.test("inverseSpd: rejects a non-square matrix and a bad iteration count", () => {
  const m = tf.zeros([2, 3]) as tf.Tensor2D;
  let message = "";
  try {
    inverseSpd(m);
  } catch (e) {
    message = (e as Error).message;
  }
  check(message.includes("square"), `expected a message about a square matrix, got "${message}"`);
  message = "";
  try {
    inverseSpd(tf.eye(2) as tf.Tensor2D, { iterations: 0 });
  } catch (e) {
    message = (e as Error).message;
  }
  check(message.includes("iterations"), `expected a message about iterations, got "${message}"`);
  m.dispose();
});
