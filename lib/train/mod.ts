/**
 * The course's trainer as a library (lesson 5): configurations and presets, the optimizers, the
 * training loop with its evaluations, checkpoints, the JSON-lines log, and SVG figures. The
 * command line is `deno task train` (`lib/train/cli.ts`).
 *
 * @example
 * ```ts
 * import { presets, train, withOverrides } from "@lib/train/mod.ts";
 * const records = await train(withOverrides(presets.tiny, { steps: 50 }));
 * console.log(records.at(-1)!.inContextAcc);
 * ```
 * @module
 */
export * from "./config.ts";
export * from "./optimizer.ts";
export * from "./trainer.ts";
export * from "./checkpoint.ts";
export * from "./log.ts";
export * from "./plot.ts";
export * from "./figures.ts";
