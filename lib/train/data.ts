/**
 * The data the trainer reads: lesson 1's reference generator, re-exported so that library code
 * and tests have one import for it (lib never imports a learner's `@exercises/` file).
 *
 * @example
 * ```ts
 * import { defaultDataConfig, loadStats, makeBatch } from "@lib/train/data.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * const batch = makeBatch(new Rng(0), loadStats(), { ...defaultDataConfig, seqLen: 32 }, 4);
 * batch.inputs.shape; // [4, 32]
 * ```
 * @module
 */
export {
  type Batch,
  type BigramStats,
  type DataConfig,
  defaultDataConfig,
  loadStats,
  makeBatch,
  topTriggers,
} from "../../solutions/01_bigram_data/exercises.ts";
