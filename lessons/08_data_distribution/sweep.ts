/**
 * Lesson 8's sweep: the `cpu` preset trained on each data setting (K triggers, fixed ones after
 * skipping the `offset` most frequent tokens, or random ones), one seeded process per setting,
 * `--jobs` at a time. Each finished run appends one JSON line to
 * `lessons/08_data_distribution/figures/sweep.jsonl` (the setting, then the in-context accuracy at
 * every evaluation); a setting already in the file is skipped, so an interrupted sweep resumes
 * where it stopped. A run stops early once its in-context accuracy reaches 0.9.
 *
 * ```sh
 * deno run -A lessons/08_data_distribution/sweep.ts [--jobs 2] [--steps 300] [--only K5-fixed0,...]
 * ```
 *
 * The reference code runs it (each run's process gets `@exercises/` pointed at `solutions/`):
 * the sweep measures the data, not your code; `deno task demo 8` reads its results.
 *
 * @example
 * ```ts
 * import { settingKey, sweepSettings } from "./sweep.ts";
 * sweepSettings().map(settingKey); // ["K1-fixed0", "K1-fixed5", ...]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { train } from "@lib/train/trainer.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runInProcesses } from "./processes.ts";

/** One data setting of the sweep. */
export interface SweepSetting {
  /** K, the number of triggers per sequence. */
  k: number;
  /** Fixed triggers (the K most frequent after `offset`) or random ones (drawn per sequence). */
  fixed: boolean;
  /** Skip this many of the most frequent tokens before choosing fixed triggers (0 for random). */
  offset: number;
}

/** One finished run, as stored in the JSONL file. */
export interface SweepResult extends SweepSetting {
  /** The setting's key, e.g. `K5-fixed0`. */
  key: string;
  /** The step budget of the run. */
  maxSteps: number;
  /** The steps of the evaluations. */
  steps: number[];
  /** The in-context accuracy at each evaluation (on the training batch, before the update). */
  acc: number[];
  /** Wall time of the run, seconds (moves with the machine's load; steps do not). */
  seconds: number;
}

/** The file the sweep appends to. */
export const SWEEP_FILE = join(
  new URL(".", import.meta.url).pathname,
  "figures",
  "sweep.jsonl",
);

/**
 * The key of a setting: `K5-fixed0`, `K3-random`.
 *
 * @example
 * ```ts
 * import { settingKey } from "./sweep.ts";
 * settingKey({ k: 5, fixed: true, offset: 10 }); // "K5-fixed10"
 * ```
 */
export function settingKey(s: SweepSetting): string {
  return `K${s.k}-${s.fixed ? `fixed${s.offset}` : "random"}`;
}

/**
 * Every setting of the sweep: K in {1, 3, 5, 10}, fixed triggers after skipping 0, 5 or 10
 * frequent tokens, and random triggers.
 *
 * @example
 * ```ts
 * import { sweepSettings } from "./sweep.ts";
 * sweepSettings().length; // 16
 * ```
 */
export function sweepSettings(): SweepSetting[] {
  const out: SweepSetting[] = [];
  for (const k of [1, 3, 5, 10]) {
    for (const offset of [0, 5, 10]) out.push({ k, fixed: true, offset });
    out.push({ k, fixed: false, offset: 0 });
  }
  return out;
}

/**
 * Reads the finished runs (an absent file is an empty sweep; a damaged line is skipped).
 *
 * @example
 * ```ts
 * import { readSweep, SWEEP_FILE } from "./sweep.ts";
 * (await readSweep(SWEEP_FILE)).length; // how many settings have finished
 * ```
 */
export async function readSweep(path: string): Promise<SweepResult[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: SweepResult[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line cut by an interrupted write: that setting runs again
    }
  }
  return out;
}

/** Trains one setting on the cpu preset and returns its result. */
async function runOne(setting: SweepSetting, maxSteps: number): Promise<SweepResult> {
  await initBackend("wasm");
  const config = withOverrides(presets.cpu, {
    steps: maxSteps,
    data: { k: setting.k, fixedTriggers: setting.fixed, triggerOffset: setting.offset },
  });
  const stop = new AbortController();
  const started = performance.now();
  const records = await train(config, {
    parts: trainerParts(data, training),
    signal: stop.signal,
    onEval: (r) => {
      if (r.inContextAcc >= 0.9) stop.abort();
    },
  });
  return {
    key: settingKey(setting),
    ...setting,
    maxSteps,
    steps: records.map((r) => r.step),
    acc: records.map((r) => Number(r.inContextAcc.toFixed(4))),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      jobs: { type: "string", default: "2" },
      steps: { type: "string", default: "300" },
      only: { type: "string" },
      one: { type: "string" },
      file: { type: "string", default: SWEEP_FILE },
    },
  });
  const maxSteps = Number(values.steps);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(maxSteps) || maxSteps < 10 || !Number.isInteger(jobs) || jobs < 1) {
    console.error("--steps must be an integer >= 10 and --jobs an integer >= 1");
    return 2;
  }
  const all = sweepSettings();
  if (values.one) {
    const setting = all.find((s) => settingKey(s) === values.one);
    if (!setting) {
      console.error(`unknown setting "${values.one}": one of ${all.map(settingKey).join(", ")}`);
      return 2;
    }
    const result = await runOne(setting, maxSteps);
    await Deno.mkdir(dirname(values.file!), { recursive: true });
    await Deno.writeTextFile(values.file!, JSON.stringify(result) + "\n", { append: true });
    return 0;
  }
  const wanted = values.only ? values.only.split(",") : all.map(settingKey);
  for (const key of wanted) {
    if (!all.some((s) => settingKey(s) === key)) {
      console.error(`unknown setting "${key}": one of ${all.map(settingKey).join(", ")}`);
      return 2;
    }
  }
  const done = new Set((await readSweep(values.file!)).map((r) => r.key));
  const todo = wanted.filter((k) => !done.has(k));
  console.log(
    `sweep: ${
      wanted.length - todo.length
    } of ${wanted.length} settings cached in ${values.file}; ` +
      `running ${todo.length}, ${jobs} at a time`,
  );
  const started = performance.now();
  const failed = await runInProcesses(
    new URL(import.meta.url).pathname,
    todo,
    jobs,
    ["--steps", String(maxSteps), "--file", values.file!],
    (key, ok, finished, left) => {
      const secs = ((performance.now() - started) / 1000).toFixed(0);
      console.log(`[${finished}/${finished + left}] ${key} ${ok ? "done" : "FAILED"} (${secs} s)`);
    },
  );
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
