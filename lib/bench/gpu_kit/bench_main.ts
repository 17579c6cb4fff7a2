/**
 * The GPU kit's benchmark entry (bundled into `.gpukit/bench.js` by `lib/bench/gpu_kit.sh`):
 * `deno task bench` without `deno.json` or `node_modules`, for a machine that has neither. Set
 * `COURSE_BENCH_WORKER` to the kit's `worker.js`.
 *
 * @example
 * ```ts
 * // COURSE_BENCH_WORKER=.gpukit/worker.js deno run -A --no-config .gpukit/bench.js --config paper
 * ```
 * @module
 */
import { main } from "../cli.ts";

Deno.exit(await main(Deno.args));
