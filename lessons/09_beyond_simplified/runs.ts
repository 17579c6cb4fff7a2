/**
 * Lesson 9's cached training runs: the `cpu` preset and its variants (one layer, the freeze grid,
 * the loss on all targets with W_F, learned embeddings), one seeded process per run, `--jobs` at
 * a time. Each finished run appends one JSON line to `lessons/09_beyond_simplified/figures/runs.jsonl`
 * (the run's key, then every evaluation's metrics and probes); a run already in the file is
 * skipped, so an interrupted batch of runs resumes where it stopped.
 *
 * ```sh
 * deno run -A lessons/09_beyond_simplified/runs.ts [--jobs 1] [--only one-layer,freeze-wO2,...]
 * ```
 *
 * The reference code runs them (each process gets `@exercises/` pointed at `solutions/`): the
 * runs measure the models, not your code; `deno task demo 9` reads and draws them.
 *
 * @example
 * ```ts
 * import { RUNS } from "./runs.ts";
 * RUNS.map((r) => r.key); // ["two-layer", "one-layer", ...]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { train, Trainer } from "@lib/train/trainer.ts";
import { FullTrainer, trainFull } from "@lib/train/full.ts";
import * as ex9 from "@exercises/09_beyond_simplified/exercises.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { readJsonl, runInProcesses } from "../08_data_distribution/processes.ts";
import { bestHeadMap } from "./experiment.ts";
import {
  FULL_RUNS,
  fullRunConfig,
  runConfig,
  type RunResult,
  RUNS,
  setUpVariant,
  toResult,
} from "./variants.ts";

export { FULL_RUNS, RUNS };

/** The file the runs append to. */
export const RUNS_FILE = join(new URL(".", import.meta.url).pathname, "figures", "runs.jsonl");

/** The file the full transformer's runs append to (`--file` it; they run beside the others). */
export const FULL_FILE = join(new URL(".", import.meta.url).pathname, "figures", "full.jsonl");

/**
 * Reads the finished runs (an absent file is none; a damaged line is skipped).
 *
 * @example
 * ```ts
 * import { readRuns, RUNS_FILE } from "./runs.ts";
 * (await readRuns(RUNS_FILE)).length; // how many runs have finished
 * ```
 */
export function readRuns(path: string): Promise<RunResult[]> {
  return readJsonl<RunResult>(path);
}

/** A full-transformer run with its heads' induction scores and its induction head's map. */
async function runFull(key: string): Promise<RunResult> {
  const config = fullRunConfig(key);
  const parts = { ...data, ...training, ...ex9 };
  const trainer = new FullTrainer(config, parts);
  const started = performance.now();
  try {
    const records = await trainFull(config, parts, { trainer });
    // the best head's attention on one fresh sequence of the training distribution
    const map = bestHeadMap(trainer, records.at(-1)!.induction);
    return {
      key,
      steps: records.map((r) => r.step),
      metrics: {
        inContextAcc: records.map((r) => Number(r.inContextAcc.toFixed(4))),
        lossGlobal: records.map((r) => Number(r.lossGlobal.toFixed(4))),
        lossInContext: records.map((r) => Number(r.lossInContext.toFixed(4))),
      },
      heads: records.map((r) => r.induction.map((hs) => hs.map((v) => Number(v.toFixed(4))))),
      map,
      seconds: Math.round((performance.now() - started) / 100) / 10,
    };
  } finally {
    trainer.dispose();
  }
}

/**
 * Runs lesson 5 already made with the same config and code (its freeze experiment): read from its
 * logs instead of trained again. The course's code is deterministic in steps: this runner's
 * `two-layer` run matched lesson 5's `birth.jsonl` at every one of its 31 evaluations.
 */
export const FROM_LESSON_5: Record<string, string> = {
  "freeze-none": "freeze_none.jsonl",
  "freeze-wK": "freeze_wK_300.jsonl",
  "global-linear": "global.jsonl",
};

/** A run of lesson 5's log as a cached result of this lesson (its config must match). */
async function fromLesson5(key: string): Promise<RunResult> {
  const path = join(
    new URL("../05_training/figures", import.meta.url).pathname,
    FROM_LESSON_5[key],
  );
  const lines = (await Deno.readTextFile(path)).split("\n").filter((l) => l.trim());
  const header = JSON.parse(lines[0]);
  const variant = RUNS.find((r) => r.key === key)!;
  const expected = JSON.stringify(runConfig(variant));
  if (JSON.stringify(header.config) !== expected) {
    throw new Error(`${path}: its config differs from ${key}'s: ${JSON.stringify(header.config)}`);
  }
  const records = lines.slice(1).map((l) => JSON.parse(l));
  const result = toResult(variant, records, records.at(-1).elapsedMs / 1000);
  return { ...result, source: `lessons/05_training/figures/${FROM_LESSON_5[key]}` };
}

async function runOne(key: string): Promise<RunResult> {
  if (key in FROM_LESSON_5) return await fromLesson5(key);
  await initBackend("wasm");
  if (FULL_RUNS.includes(key)) return await runFull(key);
  const run = RUNS.find((r) => r.key === key)!;
  const config = runConfig(run);
  const trainer = new Trainer(config, trainerParts(data, training));
  setUpVariant(trainer.params, config.model, run);
  const started = performance.now();
  try {
    const records = await train(config, { trainer });
    return toResult(run, records, (performance.now() - started) / 1000);
  } finally {
    trainer.dispose();
  }
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: "string", default: "1" },
      only: { type: "string" },
      one: { type: "string" },
      file: { type: "string", default: RUNS_FILE },
    },
  });
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error("--jobs must be an integer >= 1");
    return 2;
  }
  const keys = [...RUNS.map((r) => r.key), ...FULL_RUNS];
  const wanted = values.one ? [values.one] : values.only ? values.only.split(",") : keys;
  for (const key of wanted) {
    if (!keys.includes(key)) {
      console.error(`unknown run "${key}": one of ${keys.join(", ")}`);
      return 2;
    }
  }
  if (values.one) {
    const result = await runOne(values.one);
    await Deno.mkdir(dirname(values.file!), { recursive: true });
    await Deno.writeTextFile(values.file!, JSON.stringify(result) + "\n", { append: true });
    return 0;
  }
  const done = new Set((await readRuns(values.file!)).map((r) => r.key));
  const todo = wanted.filter((k) => !done.has(k));
  console.log(
    `runs: ${wanted.length - todo.length} of ${wanted.length} cached in ${values.file}; ` +
      `running ${todo.length}, ${jobs} at a time`,
  );
  const started = performance.now();
  let finished = 0;
  const failed = await runInProcesses(
    new URL(import.meta.url).pathname,
    todo,
    jobs,
    ["--file", values.file!],
    {
      onStep: () => {},
      onDone: (key, ok) => {
        finished++;
        const secs = ((performance.now() - started) / 1000).toFixed(0);
        console.log(`[${finished}/${todo.length}] ${key} ${ok ? "done" : "FAILED"} (${secs} s)`);
      },
    },
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
