import * as tf from "@tensorflow/tfjs";
import { assertAllClose, assertShape, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import {
  defaultModelConfig,
  disposeParams,
  initParams,
  type ModelConfig,
  PARAM_NAMES,
  paramShape,
} from "./mod.ts";

await initBackend(backendFromEnv());

const small: ModelConfig = { ...defaultModelConfig, dim: 64, maxLen: 32 };

Deno.test("initParams: shapes, trainable flags, W_F only with finalFfn", () => {
  const p = initParams(small);
  assertShape(p.wE!, [65, 64], "wE");
  assertShape(p.pos!, [32, 64], "pos");
  assertShape(p.wU!, [65, 64], "wU");
  for (const n of ["wK1", "wV1", "wO1", "wK2", "wV2", "wO2"] as const) {
    assertShape(p[n]!, [64, 64], n);
  }
  check(p.wF === undefined, "no W_F without finalFfn");
  check(p.wK1!.trainable && p.wK2!.trainable && p.wO2!.trainable, "W_K1, W_K2, W_O2 train");
  check(!p.wV1!.trainable && !p.wE!.trainable && !p.wU!.trainable, "the rest is frozen");
  disposeParams(p);
  const f = initParams({ ...small, finalFfn: true, trainable: ["wF"] });
  assertShape(f.wF!, [64, 64], "wF");
  check(f.wF!.trainable && !f.wK1!.trainable, "trainable follows the config");
  disposeParams(f);
});

Deno.test("initParams: seeded, and each parameter independent of the others", () => {
  const a = initParams(small);
  const b = initParams(small);
  const c = initParams({ ...small, seed: 1 });
  const f = initParams({ ...small, finalFfn: true });
  assertAllClose(a.wK2!, b.wK2!, { atol: 0, rtol: 0, what: "same seed, same W_K2" });
  check(
    tf.tidy(() => a.wK2!.sub(c.wK2!).abs().max().dataSync()[0]) > 0.01,
    "another seed should give another W_K2",
  );
  assertAllClose(a.wU!, f.wU!, { atol: 0, rtol: 0, what: "adding W_F leaves W_U unchanged" });
  [a, b, c, f].forEach(disposeParams);
});

Deno.test("initParams: N(0,1) embeddings, U(-1/sqrt d, 1/sqrt d) matrices", () => {
  const d = 256;
  const p = initParams({ ...defaultModelConfig, dim: d });
  const [eMean, eVar] = tf.tidy(() => {
    const m = tf.moments(p.pos!);
    return [m.mean.dataSync()[0], m.variance.dataSync()[0]];
  });
  assertAllClose(eMean, 0, { atol: 0.01, what: "mean of p_t entries" });
  assertAllClose(eVar, 1, { atol: 0.02, what: "variance of p_t entries" });
  const [max, v] = tf.tidy(() => [
    p.wV1!.abs().max().dataSync()[0],
    tf.moments(p.wV1!).variance.dataSync()[0],
  ]);
  check(max < 1 / Math.sqrt(d), `|W_V1| entries must stay below 1/sqrt(d), max ${max}`);
  assertAllClose(v, 1 / (3 * d), { rtol: 0.03, what: "variance of W_V1 entries (1/(3d))" });
  disposeParams(p);
});

Deno.test("initParams: bad configurations get a readable message", () => {
  const bad: [Partial<ModelConfig>, RegExp][] = [
    [{ dim: 0 }, /dim must be a positive integer/],
    [{ trainable: ["wX" as "wE"] }, /unknown parameter "wX"/],
    [{ trainable: ["wF"] }, /finalFfn is false/],
  ];
  for (const [patch, pattern] of bad) {
    let message = "";
    try {
      initParams({ ...small, ...patch });
    } catch (e) {
      message = (e as Error).message;
    }
    check(pattern.test(message), `expected ${pattern} but got "${message}"`);
  }
});

Deno.test("initParams + disposeParams leave no tensor behind", () => {
  disposeParams(initParams(small));
  const before = tf.memory().numTensors;
  disposeParams(initParams({ ...small, finalFfn: true }));
  check(tf.memory().numTensors === before, `numTensors ${before} -> ${tf.memory().numTensors}`);
});

Deno.test("paramShape: [N, d] embeddings, [T, d] positions, d×d matrices", () => {
  const cfg: ModelConfig = { ...defaultModelConfig, vocabSize: 65, dim: 48, maxLen: 20 };
  const expected: Record<string, [number, number]> = {
    wE: [65, 48],
    wU: [65, 48],
    pos: [20, 48],
  };
  for (const name of PARAM_NAMES) {
    const shape = paramShape(name, cfg);
    const want = expected[name] ?? [48, 48];
    check(
      shape.length === 2 && shape[0] === want[0] && shape[1] === want[1],
      `paramShape("${name}") should be [${want}], got [${shape}]`,
    );
  }
  const p = initParams({ ...cfg, finalFfn: true });
  for (const name of PARAM_NAMES) assertShape(p[name]!, paramShape(name, cfg), name);
  disposeParams(p);
});
