/**
 * One backend's process of `deno task bench` (`lib/bench/worker.ts` holds its body): it takes
 * lessons 1, 5 and 6 through `@exercises/`, so the import map it is started with (the bench
 * passes its own) decides whose code it times. Data-parallel rows start lesson 5's
 * `train_worker.ts`. Also bundled as the GPU kit's worker (`lib/bench/gpu_kit.sh`).
 *
 * ```sh
 * deno run -A lessons/06_webgpu/bench_worker.ts '{"backend":"wasm","tasks":[],"warmup":2,"steps":5,"budgetS":60}'
 * ```
 * @module
 */
// First: in the GPU kit's bundle, tfjs-backend-wasm finds its .wasm files through __dirname.
import "@lib/bench/wasm_dirname.ts";
import { workerMain } from "@lib/bench/worker.ts";
import { benchParts } from "@lib/bench/configs.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import * as webgpu from "@exercises/06_webgpu/exercises.ts";

if (import.meta.main) {
  Deno.exit(
    await workerMain(Deno.args, {
      ...benchParts(data, training, webgpu),
      workerUrl: new URL("../05_training/train_worker.ts", import.meta.url),
    }),
  );
}
