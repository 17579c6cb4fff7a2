/**
 * The Worker of data-parallel training (lib/train/parallel.ts): it computes the gradients of one
 * shard of each batch with lesson 5's `trainingStep`. A tool entry point: it takes that step
 * from `@exercises/`, and a Worker inherits the import map of the process that starts it, so it
 * runs the same copy (the reference, or the learner's with `--mine`) as the main thread.
 *
 * @example
 * ```ts
 * import { GradientPool } from "@lib/train/parallel.ts";
 * const workerUrl = new URL("./parallel_worker.ts", import.meta.resolve("@lib/train/parallel.ts"));
 * // const pool = await GradientPool.start({ workers: 2, backend: "wasm", model, average, workerUrl });
 * ```
 * @module
 */
import * as training from "@exercises/05_training/exercises.ts";
import { serveGradients } from "./parallel.ts";

serveGradients(training.trainingStep);
