/**
 * The paper's simplified two-layer transformer (Bietti et al. 2023, §4.2) as a library: its
 * configuration, seeded parameters, a readable reference forward pass and a fast one, the
 * hand-wired induction head, the evaluation metrics and the probes. Lessons 4 to 6 use it.
 *
 * @example
 * ```ts
 * import { defaultDataConfig, loadStats, makeBatch } from "../../solutions/01_bigram_data/exercises.ts";
 * import { batchMetrics, defaultModelConfig, forward, handWire, initParams } from "@lib/model/mod.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const config = { ...defaultModelConfig, dim: 128, maxLen: 128 };
 * const params = initParams(config);
 * handWire(params, config);
 * const batch = makeBatch(new Rng(1), loadStats(), { ...defaultDataConfig, seqLen: 128 }, 8);
 * const { logits } = forward(params, config, batch.inputs);
 * (await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc; // > 0.99
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./params.ts";
export * from "./forward.ts";
export * from "./batch_matmul.ts";
export * from "./wiring.ts";
export * from "./metrics.ts";
export * from "./probes.ts";
