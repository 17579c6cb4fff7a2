/**
 * Lesson 8's out-of-distribution runs: the `cpu` preset trained on one data distribution and
 * tested on others, with the model's in-context accuracy next to the bigram-alone baseline
 * (`oodAccuracy`). Three trainings, one process each (`--jobs` at a time); each appends one JSON
 * line to `lessons/08_data_distribution/figures/ood.jsonl`, and a finished one is skipped (the
 * command line, the cache and the progress bar are `processes.ts`'s).
 *
 * - `bigram-outputs`: trained with outputs from pi_b(. | trigger); tested with pi_b outputs,
 *   uniform outputs, and outputs restricted to the ids >= 48.
 * - `outputs-below-48`: trained with outputs uniform over the ids < 48 (the authors' split);
 *   tested on ids < 48, on ids >= 48, and with pi_b outputs.
 * - `fixed-top5`: the plain cpu preset (top-5 fixed triggers, uniform outputs); tested on the
 *   same, on the next 5 tokens as fixed triggers, and with random triggers.
 *
 * ```sh
 * deno run -A lessons/08_data_distribution/ood.ts [--jobs 2] [--steps 300] [--only fixed-top5,...]
 * ```
 *
 * The reference code runs it (each run's process gets `@exercises/` pointed at `solutions/`):
 * the runs measure the data, not your code; `deno task demo 8` reads their results.
 *
 * @example
 * ```ts
 * import { OOD_RUNS } from "./ood.ts";
 * OOD_RUNS.map((r) => r.name); // ["bigram-outputs", "outputs-below-48", "fixed-top5"]
 * ```
 * @module
 */
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { oodAccuracy } from "@exercises/08_data_distribution/exercises.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { train } from "@lib/train/trainer.ts";
import { Rng } from "@lib/rng/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runnerMain } from "./processes.ts";
import { type DataSetting, type OodResult, sampleBatch, SettingTrainer } from "./experiment.ts";

/** One run: what it trains on and what it is tested on (each a data setting). */
export interface OodRun {
  /** The run's key. */
  name: string;
  /** The training distribution. */
  train: DataSetting;
  /** The test distributions (the first is the training one). */
  tests: DataSetting[];
}

const below48 = Array.from({ length: 48 }, (_, i) => i);
const from48 = Array.from({ length: 17 }, (_, i) => 48 + i);

/** The three runs. */
export const OOD_RUNS: OodRun[] = [
  {
    name: "bigram-outputs",
    train: { name: "outputs ~ pi_b", data: { outputs: "bigram" } },
    tests: [
      { name: "outputs ~ pi_b", data: { outputs: "bigram" } },
      { name: "uniform outputs", data: { outputs: "uniform" } },
      { name: "outputs uniform over ids >= 48", data: {}, outputSet: from48 },
    ],
  },
  {
    name: "outputs-below-48",
    train: { name: "outputs uniform over ids < 48", data: {}, outputSet: below48 },
    tests: [
      { name: "outputs uniform over ids < 48", data: {}, outputSet: below48 },
      { name: "outputs uniform over ids >= 48", data: {}, outputSet: from48 },
      { name: "outputs ~ pi_b", data: { outputs: "bigram" } },
    ],
  },
  {
    name: "fixed-top5",
    train: { name: "top-5 fixed triggers", data: {} },
    tests: [
      { name: "top-5 fixed triggers", data: {} },
      { name: "next 5 as fixed triggers", data: { triggerOffset: 5 } },
      { name: "random triggers", data: { fixedTriggers: false } },
    ],
  },
];

/** The file the runs append to. */
export const OOD_FILE = join(new URL(".", import.meta.url).pathname, "figures", "ood.jsonl");

async function runOne(
  key: string,
  steps: number,
  onStep: (step: number) => void,
): Promise<OodResult> {
  const run = OOD_RUNS.find((r) => r.name === key)!;
  await initBackend("wasm");
  const config = withOverrides(presets.cpu, { steps, data: run.train.data });
  const started = performance.now();
  const trainer = new SettingTrainer(config, run.train);
  const records = await train(config, { trainer, onStep });
  const stats = data.loadStats();
  const tests = run.tests.map((dist, i) => {
    const batch = sampleBatch(new Rng(1000 + i), dist, config.data.seqLen, 256);
    const r = oodAccuracy(trainer.params, config.model, batch, stats.bigram);
    tf.dispose(Object.values(batch));
    return { name: dist.name, ...r };
  });
  return {
    name: run.name,
    steps,
    trainAcc: records[records.length - 1].inContextAcc,
    tests,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

if (import.meta.main) {
  Deno.exit(
    await runnerMain(Deno.args, {
      name: "ood",
      script: import.meta.url,
      keys: OOD_RUNS.map((r) => r.name),
      file: OOD_FILE,
      keyOf: (r: OodResult) => r.name,
      runOne,
    }),
  );
}
