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
  check(f.wF1 === undefined && f.wF2 === undefined, "no ReLU layer with the linear W_F");
  disposeParams(f);
  const r = initParams({ ...small, finalFfn: "relu", trainable: ["wF1", "wF2"] });
  assertShape(r.wF1!, [256, 64], "wF1 (d -> 4d)");
  assertShape(r.wF2!, [64, 256], "wF2 (4d -> d)");
  check(r.wF === undefined, "no linear W_F with the ReLU layer");
  check(r.wF1!.trainable && r.wF2!.trainable && !r.wK1!.trainable, "trainable follows the config");
  disposeParams(r);
});

Deno.test("initParams: the ReLU layer as nn.Linear, U(-1/sqrt fan_in, 1/sqrt fan_in)", () => {
  const d = 64;
  const p = initParams({ ...small, dim: d, finalFfn: "relu" });
  for (const [name, fanIn] of [["wF1", d], ["wF2", 4 * d]] as const) {
    const [max, v] = tf.tidy(() => [
      p[name]!.abs().max().dataSync()[0],
      tf.moments(p[name]!).variance.dataSync()[0],
    ]);
    check(
      max < 1 / Math.sqrt(fanIn),
      `|${name}| entries must stay below 1/sqrt(${fanIn}), max ${max}`,
    );
    assertAllClose(v, 1 / (3 * fanIn), { rtol: 0.03, what: `variance of ${name} (1/(3 fan_in))` });
  }
  disposeParams(p);
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
  const r = initParams({ ...small, finalFfn: "relu" });
  assertAllClose(a.wU!, r.wU!, { atol: 0, rtol: 0, what: "the ReLU layer leaves W_U unchanged" });
  [a, b, c, f, r].forEach(disposeParams);
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
    [{ trainable: ["wF1"] }, /"wF1" but finalFfn is false/],
    [{ finalFfn: "relu", trainable: ["wF"] }, /"wF" but finalFfn is "relu"/],
    [{ finalFfn: true, trainable: ["wF2"] }, /"wF2" but finalFfn is true/],
    [{ finalFfn: "gelu" as "relu" }, /finalFfn must be false, true \(linear W_F\) or "relu"/],
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
    wF1: [192, 48],
    wF2: [48, 192],
  };
  for (const name of PARAM_NAMES) {
    const shape = paramShape(name, cfg);
    const want = expected[name] ?? [48, 48];
    check(
      shape.length === 2 && shape[0] === want[0] && shape[1] === want[1],
      `paramShape("${name}") should be [${want}], got [${shape}]`,
    );
  }
  for (const finalFfn of [true, "relu"] as const) {
    const p = initParams({ ...cfg, finalFfn });
    for (const name of Object.keys(p) as (keyof typeof p)[]) {
      assertShape(p[name]!, paramShape(name, cfg), name);
    }
    check(
      Object.keys(p).length === 10 + (finalFfn === "relu" ? 1 : 0),
      `parameters: ${Object.keys(p)}`,
    );
    disposeParams(p);
  }
});
