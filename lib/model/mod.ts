/**
 * The paper's simplified two-layer transformer (Bietti et al. 2023, §4.2) as a library: its
 * configuration, seeded parameters, a readable reference forward pass and a fast one, the
 * hand-wired induction head, the evaluation metrics and the probes. Lessons 4 to 6 use it.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import { batchMetrics, defaultModelConfig, forward, handWire, initParams } from "@lib/model/mod.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * const config = { ...defaultModelConfig, dim: 256, maxLen: 64 };
 * const params = initParams(config);
 * handWire(params, config, { triggers: [1, 43, 58, 53, 39], keys: "whitened" });
 * const dataConfig = { seqLen: 64, k: 5, fixedTriggers: true, triggerOffset: 0, outputs: "uniform" } as const;
 * const batch = data.makeBatch(new Rng(1), data.loadStats(), dataConfig, 8);
 * const { logits } = forward(params, config, batch.inputs);
 * (await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc; // 1 (plain: 0.75)
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./params.ts";
export * from "./forward.ts";
export * from "./batch_matmul.ts";
export * from "./linalg.ts";
export * from "./wiring.ts";
export * from "./metrics.ts";
export * from "./probes.ts";
