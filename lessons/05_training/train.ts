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
import {
  cannotLoadMessage,
  runWithSource,
  sourceFromArgs,
  sourceInUse,
} from "@lib/code_source/mod.ts";

if (import.meta.main) {
  // Start the copy of the code that runs (the reference, or yours with --mine) before loading
  // any lesson: your unfinished or missing lesson files must not stop the reference from running.
  let code: number | undefined;
  try {
    const { source } = sourceFromArgs(Deno.args, "solutions");
    code = await runWithSource(source, import.meta.url, Deno.args);
  } catch {
    // A bad command line: main says what is wrong with it.
  }
  if (code !== undefined) Deno.exit(code);
  let lessons;
  try {
    lessons = await Promise.all([
      import("@exercises/01_bigram_data/exercises.ts"),
      import("@exercises/05_training/exercises.ts"),
      import("@exercises/06_webgpu/exercises.ts"),
    ]);
  } catch (error) {
    if (sourceInUse() !== "lessons") throw error; // the reference's: the course's bug
    console.error(cannotLoadMessage("deno task train", error));
    Deno.exit(1);
  }
  const [data, training, { averageGradients }] = lessons;
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
