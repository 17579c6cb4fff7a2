/**
 * lib/model's fast paths against the lessons' reference code (imported through `@exercises/`:
 * the course check runs lib's tests with it pointing at `solutions/`). The lessons are the one
 * home of what they teach; what lib keeps of it is a faster or differently shaped path
 * (one-readback probes, a hand-written backward pass), and these tests hold it to the lesson's
 * version. The hand wiring has no copy in lib: the models probed here are wired by lesson 4.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as induction from "@exercises/04_induction_transformer/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import { mlp } from "@exercises/09_beyond_simplified/exercises.ts";
import { assertAllClose, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  attentionProbes,
  defaultModelConfig,
  disposeParams,
  finalLayer,
  forward,
  forwardReference,
  initParams,
  memoryProbes,
  memoryProbesAsync,
  type ModelConfig,
  type Params,
} from "@lib/model/mod.ts";

await initBackend(backendFromEnv());

const stats = data.loadStats();
const triggers = data.topTriggers(stats.unigram, 5);

function batchOf(cfg: ModelConfig, seed: number, size = 4) {
  const dataConfig = { ...data.defaultDataConfig, seqLen: cfg.maxLen };
  return data.makeBatch(new Rng(seed), stats, dataConfig, size);
}

Deno.test("forward and forwardReference equal lesson 4's inductionForward (with and without W_F)", () => {
  for (const finalFfn of [false, true]) {
    const cfg: ModelConfig = { ...defaultModelConfig, dim: 32, maxLen: 16, finalFfn };
    const params = initParams(cfg);
    const batch = batchOf(cfg, 1);
    const lesson = induction.inductionForward(params, cfg, batch.inputs);
    for (
      const [name, f] of [["forward", forward], ["forwardReference", forwardReference]] as const
    ) {
      const out = f(params, cfg, batch.inputs, { attention: true });
      assertAllClose(out.logits, lesson.logits, { atol: 1e-4, what: `${name} logits` });
      assertAllClose(out.attn1!, lesson.attn1, { atol: 1e-5, what: `${name} layer 1` });
      assertAllClose(out.attn2!, lesson.attn2, { atol: 1e-5, what: `${name} layer 2` });
      tf.dispose([out.logits, out.attn1!, out.attn2!]);
    }
    tf.dispose([lesson.logits, lesson.attn1, lesson.attn2]);
    tf.dispose(Object.values(batch));
    disposeParams(params);
  }
});

/** A model partly trained-looking: random, then hand-wired with some noise on top. */
function probedModel(cfg: ModelConfig, noise: number): Params {
  const params = initParams(cfg);
  induction.handWireInduction(params, cfg, { triggers });
  const rng = new Rng(7);
  for (const name of ["wK1", "wK2", "wO2", "wF"] as const) {
    const p = params[name];
    if (!p) continue;
    const jitter = tf.tensor(
      Float32Array.from({ length: p.size }, () => rng.normal() * noise),
      p.shape,
    );
    p.assign(p.add(jitter));
    jitter.dispose();
  }
  return params;
}

Deno.test("memoryProbes (sync and async) equal lesson 5's probes, wired and noisy", async () => {
  for (const noise of [0, 0.5, 3]) {
    const cfg: ModelConfig = { ...defaultModelConfig, dim: 64, maxLen: 64, finalFfn: true };
    const params = probedModel(cfg, noise);
    const fast = memoryProbes(params, cfg, triggers, stats.bigram);
    const later = await memoryProbesAsync(params, cfg, triggers, stats.bigram);
    const lesson = {
      wO2: training.probeWO2(params),
      wK2: training.probeWK2(params, triggers),
      wK1: training.probeWK1(params),
      wK1Early: training.probeWK1(params, 64),
      wF: training.probeWF(params, stats.bigram, triggers),
    };
    for (const key of Object.keys(lesson) as (keyof typeof lesson)[]) {
      const tol = key === "wF" ? 1e-3 : 1e-9;
      check(
        Math.abs(fast[key]! - lesson[key]) <= tol * Math.max(1, Math.abs(lesson[key])),
        `noise ${noise}: lib's ${key} probe ${fast[key]} vs lesson 5's ${lesson[key]}`,
      );
      check(later[key] === fast[key], `noise ${noise}: async ${key} ${later[key]} vs ${fast[key]}`);
    }
    disposeParams(params);
  }
});

Deno.test("attentionProbes equal lesson 4's previousTokenProbe and inductionProbe", () => {
  for (const noise of [0, 1]) {
    const cfg: ModelConfig = { ...defaultModelConfig, dim: 64, maxLen: 32 };
    const params = probedModel(cfg, noise);
    const batch = batchOf(cfg, 3, 8);
    const out = forward(params, cfg, batch.inputs, { attention: true });
    const fast = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
    const prev = induction.previousTokenProbe(out.attn1!, batch.labels);
    const ind = induction.inductionProbe(out.attn2!, batch.inputs, batch.labels);
    check(Math.abs(fast.prevToken - prev) < 1e-9, `prevToken ${fast.prevToken} vs ${prev}`);
    check(Math.abs(fast.induction - ind) < 1e-9, `induction ${fast.induction} vs ${ind}`);
    tf.dispose([out.logits, out.attn1!, out.attn2!, ...Object.values(batch)]);
    disposeParams(params);
  }
});

Deno.test("finalLayer (the ReLU W_F of forward and the probe) is lesson 9's mlp, and forwardReference adds it", () => {
  const cfg: ModelConfig = { ...defaultModelConfig, dim: 32, maxLen: 16, finalFfn: "relu" };
  const params = initParams(cfg);
  const h = tf.randomNormal([2, 5, 32], 0, 1, "float32", 11) as tf.Tensor3D;
  const rows = h.reshape([10, 32]) as tf.Tensor2D;
  const lesson = mlp(rows, params.wF1!, params.wF2!);
  const lib = finalLayer(params, cfg, h);
  assertAllClose(lib.reshape([10, 32]), lesson, { atol: 1e-5, what: "finalLayer vs mlp" });
  // forwardReference's h3 = h2 + W_F2 relu(W_F1 h2): W_F2 = 0 is the model without W_F
  const batch = batchOf(cfg, 2, 2);
  const withF = forwardReference(params, cfg, batch.inputs).logits;
  const zeroed = initParams(cfg);
  zeroed.wF2!.assign(tf.zerosLike(zeroed.wF2!));
  const without = forwardReference(zeroed, cfg, batch.inputs).logits;
  const plain = forwardReference(params, { ...cfg, finalFfn: false, trainable: [] }, batch.inputs);
  assertAllClose(without, plain.logits, { atol: 1e-5, what: "W_F2 = 0 is the model without W_F" });
  const moved = tf.tidy(() => withF.sub(without).abs().max().dataSync()[0]);
  check(moved > 1e-3, `the ReLU layer must change the logits (max change ${moved})`);
  tf.dispose([h, rows, lesson, lib, withF, without, plain.logits, ...Object.values(batch)]);
  disposeParams(params);
  disposeParams(zeroed);
});

/**
 * A ReLU layer that computes a linear map: W_F1 = [I; -I; 0] and W_F2 = [A, -A, 0] give
 * W_F2 relu(W_F1 h) = A relu(h) - A relu(-h) = A h (without the ReLU it would be 2 A h).
 */
function reluAsLinear(params: Params, a: tf.Tensor2D, d: number): void {
  tf.tidy(() => {
    const eye = tf.eye(d);
    params.wF1!.assign(tf.concat([eye, eye.neg(), tf.zeros([2 * d, d])], 0) as tf.Tensor2D);
    params.wF2!.assign(tf.concat([a, a.neg(), tf.zeros([d, 2 * d])], 1) as tf.Tensor2D);
  });
}

Deno.test("memoryProbes: the ReLU layer's W_F probe is lesson 5's probeWF of the map it computes", async () => {
  const d = 64;
  const relu: ModelConfig = { ...defaultModelConfig, dim: d, maxLen: 64, finalFfn: "relu" };
  const linear: ModelConfig = { ...relu, finalFfn: true };
  const r = initParams(relu);
  const l = initParams(linear);
  for (const seed of [3, 4]) {
    const a = tf.randomUniform([d, d], -0.3, 0.3, "float32", seed) as tf.Tensor2D;
    reluAsLinear(r, a, d);
    l.wF!.assign(a);
    for (const t of [triggers, null]) {
      const lesson = training.probeWF(l, stats.bigram, t ?? []);
      const fast = memoryProbes(r, relu, t, stats.bigram).wF!;
      const later = (await memoryProbesAsync(r, relu, t, stats.bigram)).wF!;
      check(
        Math.abs(fast - lesson) <= 1e-3 * Math.max(1, lesson),
        `seed ${seed}, triggers ${t}: ReLU probe ${fast} vs lesson 5's probeWF of A ${lesson}`,
      );
      check(later === fast, `async ${later} vs ${fast}`);
    }
    a.dispose();
  }
  // F = 0 (W_F2 = 0): the model's bigram is uniform, KL(pi_b || uniform)
  r.wF2!.assign(tf.zerosLike(r.wF2!));
  l.wF!.assign(tf.zerosLike(l.wF!));
  const zero = memoryProbes(r, relu, triggers, stats.bigram).wF!;
  const uniform = training.probeWF(l, stats.bigram, triggers);
  check(Math.abs(zero - uniform) <= 1e-4 * uniform, `F = 0: ${zero} vs ${uniform}`);
  disposeParams(r);
  disposeParams(l);
});
