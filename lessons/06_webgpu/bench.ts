/**
 * `deno task bench`: the course benchmark (`--help` lists the options; `lib/bench/cli.ts` holds
 * the command). Each backend runs in its own process of `bench_worker.ts`, which takes lessons
 * 1, 5 and 6 through `@exercises/`: the reference by default, your code with `--mine`. The GPU
 * kit (`lib/bench/gpu_kit.sh`) bundles this file and `bench_worker.ts` as they are.
 *
 * ```sh
 * deno task bench --config cpu --backends wasm --climb   # lesson 6's CPU climb
 * deno task bench --config tiny --mine                   # time your lesson 1, 5 and 6 code
 * ```
 * @module
 */
import { main } from "@lib/bench/cli.ts";

if (import.meta.main) {
  Deno.exit(
    await main(Deno.args, {
      worker: new URL("./bench_worker.ts", import.meta.url),
      entry: import.meta.url,
    }),
  );
}
