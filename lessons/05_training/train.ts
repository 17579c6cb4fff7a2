/**
 * `deno task train`: lesson 5's trainer on its own, from the command line (`--help` lists the
 * options; `lib/train/cli.ts` holds the command). This entry point assembles it from the
 * lessons through `@exercises/`: lesson 1's data, lesson 5's step and lesson 6's gradient
 * averaging for `--workers`. The reference runs by default, your code with `--mine`.
 *
 * ```sh
 * deno task train --preset cpu --log runs/cpu.jsonl --plot runs/cpu.svg --save runs/cpu.ckpt.json
 * deno task train --preset tiny --mine                # with your lesson 1, 5 and 6 code
 * ```
 * @module
 */
import { main } from "@lib/train/cli.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { averageGradients } from "@exercises/06_webgpu/exercises.ts";

if (import.meta.main) {
  Deno.exit(
    await main(Deno.args, {
      data,
      training,
      averageGradients,
      workerUrl: new URL("./train_worker.ts", import.meta.url),
      entry: import.meta.url,
    }),
  );
}
