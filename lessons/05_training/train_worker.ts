/**
 * The Worker of data-parallel training (`deno task train --workers N`, and the benchmark's
 * Workers rows): it computes the gradients of one shard of each batch with lesson 5's
 * `trainingStep`, served by `lib/train/parallel.ts`'s `serveGradients`. A Worker inherits the
 * import map of the process that starts it, so it runs the same copy of lesson 5 (the reference,
 * or yours with `--mine`) as the main thread.
 * @module
 */
import { serveGradients } from "@lib/train/parallel.ts";
import { trainingStep } from "@exercises/05_training/exercises.ts";

serveGradients(trainingStep);
