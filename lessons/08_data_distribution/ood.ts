/**
 * Lesson 8's out-of-distribution runs: the `cpu` preset trained on one data distribution and
 * tested on others, with the model's in-context accuracy next to the bigram-alone baseline
 * (`oodAccuracy`). Three trainings, one process each (`--jobs` at a time); each appends one JSON
 * line to `lessons/08_data_distribution/figures/ood.jsonl`, and a finished one is skipped.
 *
 * - `bigram-outputs`: trained with outputs from pi_b(. | trigger); tested with pi_b outputs,
 *   uniform outputs, and outputs restricted to the ids >= 48.
 * - `outputs-below-48`: trained with outputs uniform over the ids < 48 (the authors' split);
 *   tested on ids < 48, on ids >= 48, and with pi_b outputs.
 * - `fixed-top5`: the plain cpu preset (top-5 fixed triggers, uniform outputs); tested on the
 *   same, on the next 5 tokens as fixed triggers, and with random triggers.
 *
 * ```sh
 * deno run -A lessons/08_data_distribution/ood.ts [--jobs 2] [--steps 300]
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
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import {
  oodAccuracy,
  sampleSequenceWithOutputs,
  toBatch,
} from "@exercises/08_data_distribution/exercises.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import type { Batch, DataConfig } from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { train, Trainer } from "@lib/train/trainer.ts";
import { Rng } from "@lib/rng/mod.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runInProcesses } from "./processes.ts";

/** A data distribution: lesson 1's config, and optionally a restricted output set. */
export interface Distribution {
  /** Its name in the tables. */
  name: string;
  /** Lesson 1's data config (seqLen comes from the run). */
  data: Partial<DataConfig>;
  /** Outputs drawn uniformly from these ids instead (Exercise 8.2), or none. */
  outputSet?: number[];
}

/** One run: what it trains on and what it is tested on. */
export interface OodRun {
  /** The run's key. */
  name: string;
  /** The training distribution. */
  train: Distribution;
  /** The test distributions (the first is the training one). */
  tests: Distribution[];
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

/** One finished run, as stored. */
export interface OodResult {
  /** The run's key. */
  name: string;
  /** Training steps. */
  steps: number;
  /** The in-context accuracy of the last training evaluation. */
  trainAcc: number;
  /** One row per test distribution. */
  tests: { name: string; model: number; bigram: number; count: number }[];
  /** Wall time, seconds. */
  seconds: number;
}

/** The file the runs append to. */
export const OOD_FILE = join(new URL(".", import.meta.url).pathname, "figures", "ood.jsonl");

/**
 * `count` sequences of a distribution as a batch.
 *
 * @example
 * ```ts
 * import { OOD_RUNS, sampleBatch } from "./ood.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * sampleBatch(new Rng(0), OOD_RUNS[0].train, 64, 4).inputs.shape; // [4, 64]
 * ```
 */
export function sampleBatch(rng: Rng, dist: Distribution, seqLen: number, count: number): Batch {
  const stats = data.loadStats();
  const config = { ...data.defaultDataConfig, ...dist.data, seqLen };
  const seqs = Array.from(
    { length: count },
    () =>
      dist.outputSet
        ? sampleSequenceWithOutputs(rng, stats, config, dist.outputSet)
        : data.sampleSequence(rng, stats, config),
  );
  return toBatch(seqs);
}

/** A trainer whose batches come from a distribution with a restricted output set. */
class DistributionTrainer extends Trainer {
  #dist: Distribution;
  constructor(config: TrainConfig, dist: Distribution) {
    super(config, trainerParts(data, training));
    this.#dist = dist;
  }
  override batchAt(s: number): Batch {
    const rng = new Rng(this.config.seed).fork(s);
    return sampleBatch(rng, this.#dist, this.config.data.seqLen, this.config.batchSize);
  }
}

async function runOne(run: OodRun, steps: number): Promise<OodResult> {
  await initBackend("wasm");
  const config = withOverrides(presets.cpu, { steps, data: run.train.data });
  const started = performance.now();
  const trainer = new DistributionTrainer(config, run.train);
  const records = await train(config, { trainer });
  const stats = data.loadStats();
  const tests = run.tests.map((dist, i) => {
    const batch = sampleBatch(new Rng(1000 + i), dist, config.data.seqLen, 256);
    const r = oodAccuracy(trainer.params, config.model, batch, stats.bigram);
    tf.dispose(batch as unknown as tf.Tensor[]);
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

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: "string", default: "2" },
      steps: { type: "string", default: "300" },
      one: { type: "string" },
    },
  });
  const steps = Number(values.steps);
  if (!Number.isInteger(steps) || steps < 10) {
    console.error("--steps must be an integer >= 10");
    return 2;
  }
  if (values.one) {
    const run = OOD_RUNS.find((r) => r.name === values.one);
    if (!run) {
      console.error(`unknown run "${values.one}": one of ${OOD_RUNS.map((r) => r.name)}`);
      return 2;
    }
    const result = await runOne(run, steps);
    await Deno.mkdir(dirname(OOD_FILE), { recursive: true });
    await Deno.writeTextFile(OOD_FILE, JSON.stringify(result) + "\n", { append: true });
    return 0;
  }
  let done = new Set<string>();
  try {
    done = new Set(
      (await Deno.readTextFile(OOD_FILE)).split("\n").filter((l) => l.trim()).map((l) =>
        JSON.parse(l).name
      ),
    );
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const todo = OOD_RUNS.filter((r) => !done.has(r.name)).map((r) => r.name);
  console.log(`ood: ${done.size} runs cached; running ${todo.length}`);
  const failed = await runInProcesses(
    new URL(import.meta.url).pathname,
    todo,
    Number(values.jobs),
    ["--steps", `${steps}`],
    (name, ok) => console.log(`${name} ${ok ? "done" : "FAILED"}`),
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
