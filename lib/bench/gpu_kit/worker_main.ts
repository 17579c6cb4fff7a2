/**
 * The GPU kit's worker entry (bundled into `.gpukit/worker.js` by `lib/bench/gpu_kit.sh`): the
 * benchmark's worker, with `__dirname` set first so that the wasm backend finds its files.
 *
 * @example
 * ```ts
 * // deno run -A --no-config .gpukit/worker.js '<job as JSON>'
 * ```
 * @module
 */
import "./wasm_dirname.ts";
import { workerMain } from "../worker.ts";

Deno.exit(await workerMain(Deno.args));
