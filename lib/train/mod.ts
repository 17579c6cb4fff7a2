/**
 * The course's trainer as a library (lesson 5): configurations and presets, the optimizers, the
 * training loop with its evaluations (taking the lessons' parts from the caller), checkpoints, the JSON-lines log, and SVG figures. The
 * command line is `deno task train` (`lib/train/cli.ts`, started by `lessons/05_training/train.ts`).
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets, train, trainerParts, withOverrides } from "@lib/train/mod.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const parts = trainerParts(data, training);
 * const records = await train(withOverrides(presets.tiny, { steps: 50 }), { parts });
 * console.log(records.at(-1)!.inContextAcc);
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./optimizer.ts";
export * from "./parts.ts";
export * from "./step.ts";
export * from "./trainer.ts";
export * from "./checkpoint.ts";
export * from "./log.ts";
export * from "./plot.ts";
export * from "./figures.ts";
