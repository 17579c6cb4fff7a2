/**
 * The paper's simplified two-layer transformer (Bietti et al. 2023, §4.2) as a library: its
 * configuration, seeded parameters, a readable reference forward pass and a fast one, the
 * evaluation metrics and the probes. Lessons 4 to 6 use it. (The hand-wired induction head is
 * lesson 4's: `handWireInduction`, passed in by whoever needs it.)
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import { batchMetrics, defaultModelConfig, forward, initParams, type ModelConfig, type Params } from "@lib/model/mod.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * // lesson 4's wiring (Exercise 4.4), passed in by the tool
 * declare const handWireInduction: (p: Params, c: ModelConfig, o: { triggers: number[] }) => void;
 * const config = { ...defaultModelConfig, dim: 256, maxLen: 64 };
 * const params = initParams(config);
 * handWireInduction(params, config, { triggers: [1, 43, 58, 53, 39] });
 * const dataConfig = { seqLen: 64, k: 5, fixedTriggers: true, triggerOffset: 0, outputs: "uniform" } as const;
 * const batch = data.makeBatch(new Rng(1), data.loadStats(), dataConfig, 8);
 * const { logits } = forward(params, config, batch.inputs);
 * (await batchMetrics(logits, batch.targets, batch.labels)).inContextAcc; // about 0.75 (with the whitened W_K^2 of Exercise 4.9: 1)
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./params.ts";
export * from "./forward.ts";
export * from "./final_ffn.ts";
export * from "./batch_matmul.ts";
export * from "./linalg.ts";
export * from "./metrics.ts";
export * from "./probes.ts";
export * from "./full.ts";
