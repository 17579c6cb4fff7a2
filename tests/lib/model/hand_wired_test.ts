/**
 * lib/model's forward pass, metrics and probes on lesson 4's hand-wired induction head (the
 * wiring's one home is Exercise 4.4: `handWireInduction`, and 4.9: `whitenedKeyMemory`, taken
 * through `@exercises/`, which the course check points at `solutions/` for lib's tests).
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  handWireInduction,
  keySecondMoment,
  whitenedKeyMemory,
} from "@exercises/04_induction_transformer/exercises.ts";
import {
  defaultDataConfig,
  loadStats,
  makeBatch,
  topTriggers,
} from "@exercises/01_bigram_data/exercises.ts";
import { check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  attentionProbes,
  attentionProbesAsync,
  batchMetrics,
  defaultModelConfig,
  disposeParams,
  forward,
  initParams,
  memoryProbes,
  memoryProbesAsync,
  type ModelConfig,
  type Params,
} from "@lib/model/mod.ts";

await initBackend(backendFromEnv());

// d = 256 as in the paper, shorter sequences to stay fast.
const config: ModelConfig = { ...defaultModelConfig, dim: 256, maxLen: 64 };
const stats = loadStats();
const triggers = topTriggers(stats.unigram, 5);

/** Lesson 4's wiring with the whitened W_K^2 of Exercise 4.9 (`ridge`: its λ / (tr(C) / d)). */
function wireWhitened(params: Params, cfg: ModelConfig, ridge?: number) {
  handWireInduction(params, cfg, { triggers });
  const w = whitenedKeyMemory(params, cfg, { triggers, ridge });
  params.wK2!.assign(w);
  w.dispose();
}

async function evaluate(params: ReturnType<typeof initParams>, seed: number) {
  const batch = makeBatch(new Rng(seed), stats, { ...defaultDataConfig, seqLen: 64 }, 16);
  const out = forward(params, config, batch.inputs, { attention: true });
  const metrics = await batchMetrics(out.logits, batch.targets, batch.labels);
  const probes = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
  tf.dispose([out.logits, out.attn1!, out.attn2!, ...Object.values(batch)]);
  return { ...metrics, ...probes };
}

Deno.test("hand-wired (lesson 4): memory probes are exactly 1; random init is near chance", () => {
  const params = initParams(config);
  const before = memoryProbes(params, config, triggers);
  check(before.wO2 < 0.1, `W_O2 probe at init should be near 1/65, got ${before.wO2}`);
  check(before.wK1 < 0.1, `W_K1 probe at init should be near 1/63, got ${before.wK1}`);
  check(before.wK2 <= 0.6, `W_K2 probe (5 triggers) at init should be near 1/5, got ${before.wK2}`);
  handWireInduction(params, config, { triggers });
  const after = memoryProbes(params, config, triggers);
  for (const [k, v] of Object.entries(after)) check(v === 1, `probe ${k} should be 1, got ${v}`);
  handWireInduction(params, config); // all tokens
  const all = memoryProbes(params, config, null);
  check(all.wK2 === 1, `W_K2 over all 65 tokens should be 1, got ${all.wK2}`);
  disposeParams(params);
});

Deno.test("hand-wired (lesson 4): an induction head with no training; removing layer 1 breaks it", async () => {
  const params = initParams(config);
  const init = await evaluate(params, 11);
  check(init.inContextAcc < 0.1, `random init in-context accuracy ${init.inContextAcc}`);
  handWireInduction(params, config, { triggers });
  const wired = await evaluate(params, 11);
  check(wired.prevToken > 0.99, `layer 1 should attend to t-1 at outputs, got ${wired.prevToken}`);
  check(wired.induction > 0.8, `layer 2 induction probe ${wired.induction}`);
  check(wired.inContextAcc > 0.8, `hand-wired in-context accuracy ${wired.inContextAcc}`);
  check(wired.lossInContext < 1, `hand-wired in-context loss ${wired.lossInContext}`);
  params.wK1!.assign(tf.zeros([256, 256])); // layer 1 attends uniformly
  const ablated = await evaluate(params, 11);
  check(
    ablated.inContextAcc < 0.4 && ablated.inContextAcc < wired.inContextAcc - 0.4,
    `without layer 1's memory the accuracy should collapse, got ${ablated.inContextAcc}`,
  );
  disposeParams(params);
});

Deno.test("hand-wired (lesson 4): accuracy grows with d (cross-talk shrinks like 1/sqrt(d))", async () => {
  const accs: number[] = [];
  for (const dim of [64, 256]) {
    const cfg = { ...config, dim };
    const params = initParams(cfg);
    handWireInduction(params, cfg, { triggers });
    const batch = makeBatch(new Rng(12), stats, { ...defaultDataConfig, seqLen: 64 }, 16);
    const { logits } = forward(params, cfg, batch.inputs);
    accs.push((await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc);
    tf.dispose([logits, ...Object.values(batch)]);
    disposeParams(params);
  }
  check(accs[1] > accs[0] + 0.2, `accuracy at d=64, 256: ${accs}`);
});

Deno.test("memoryProbesAsync and attentionProbesAsync equal the synchronous probes", async () => {
  const cfg = { ...config, dim: 64, finalFfn: true };
  const params = initParams(cfg);
  handWireInduction(params, cfg, { triggers });
  const sync = memoryProbes(params, cfg, triggers, stats.bigram);
  const async = await memoryProbesAsync(params, cfg, triggers, stats.bigram);
  check(
    JSON.stringify(sync) === JSON.stringify(async),
    `${JSON.stringify(sync)} vs ${JSON.stringify(async)}`,
  );
  check(
    typeof sync.wF === "number" && sync.wF > 0,
    `the W_F probe is a positive KL, got ${sync.wF}`,
  );
  const batch = makeBatch(new Rng(13), stats, { ...defaultDataConfig, seqLen: 64 }, 4);
  const out = forward(params, cfg, batch.inputs, { attention: true });
  const a = attentionProbes(out.attn1!, out.attn2!, batch.inputs, batch.targets, batch.labels);
  const b = await attentionProbesAsync(
    out.attn1!,
    out.attn2!,
    batch.inputs,
    batch.targets,
    batch.labels,
  );
  check(a.prevToken === b.prevToken && a.induction === b.induction, `${JSON.stringify([a, b])}`);
  tf.dispose([out.logits, out.attn1!, out.attn2!, ...Object.values(batch)]);
  disposeParams(params);
});

Deno.test("keySecondMoment: symmetric, trace about (2 + 2/9) d", () => {
  const cfg = { ...config, dim: 128, maxLen: 64 };
  const params = initParams(cfg);
  const c = keySecondMoment(params, cfg);
  const [asym, trace] = tf.tidy(() => [
    c.sub(c.transpose()).abs().max().dataSync()[0],
    c.mul(tf.eye(128)).sum().dataSync()[0] / 128,
  ]);
  check(asym < 1e-3, `C should be symmetric, max |C - C^T| = ${asym}`);
  check(trace > 2 && trace < 2.45, `tr(C) / d should be about 2.22, got ${trace}`);
  tf.dispose(c);
  disposeParams(params);
});

Deno.test("hand-wired, whitened keys: probes stay 1, no tensor leaks, a bad ridge rejected", () => {
  const params = initParams(config);
  wireWhitened(params, config); // warm-up (kernels, caches)
  const before = tf.memory().numTensors;
  wireWhitened(params, config, 0.05);
  check(tf.memory().numTensors === before, `numTensors ${before} -> ${tf.memory().numTensors}`);
  const probes = memoryProbes(params, config, triggers);
  for (const [k, v] of Object.entries(probes)) check(v === 1, `probe ${k} should be 1, got ${v}`);
  let message = "";
  try {
    wireWhitened(params, config, 0);
  } catch (e) {
    message = (e as Error).message;
  }
  check(message.startsWith("whitenedKeyMemory:"), `ridge 0 should be rejected: "${message}"`);
  disposeParams(params);
});

Deno.test("hand-wired, whitened keys: >= 99% at d = 256, T = 256, outer product below", async () => {
  // The paper's size. 8 sequences of 256 tokens (about 600 in-context targets) per model.
  const cfg = { ...defaultModelConfig, dim: 256, maxLen: 256 };
  const accs = { outer: [] as number[], whitened: [] as number[] };
  for (const seed of [0, 1]) {
    const params = initParams({ ...cfg, seed });
    const batch = makeBatch(new Rng(40 + seed), stats, { ...defaultDataConfig, seqLen: 256 }, 8);
    for (const keys of ["outer", "whitened"] as const) {
      if (keys === "outer") handWireInduction(params, cfg, { triggers });
      else wireWhitened(params, cfg);
      const { logits } = forward(params, cfg, batch.inputs);
      accs[keys].push((await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc);
      logits.dispose();
    }
    tf.dispose(Object.values(batch));
    disposeParams(params);
  }
  check(Math.min(...accs.whitened) >= 0.99, `whitened accuracies ${accs.whitened}`);
  check(
    Math.max(...accs.outer) < 0.98 && Math.max(...accs.outer) < Math.min(...accs.whitened) - 0.02,
    `outer-product accuracies ${accs.outer} should stay below the whitened ${accs.whitened}`,
  );
});
