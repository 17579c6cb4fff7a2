/**
 * Lesson 8's sweep: the `cpu` preset trained on each data setting (K triggers, fixed ones after
 * skipping the `offset` most frequent tokens, or random ones), one seeded process per setting,
 * `--jobs` at a time. Each finished run appends one JSON line to
 * `lessons/08_data_distribution/figures/sweep.jsonl` (the setting, then the in-context accuracy at
 * every evaluation); a setting already in the file is skipped, so an interrupted sweep resumes
 * where it stopped. A run stops early once its in-context accuracy reaches 0.9. A progress bar
 * follows every run's steps (the command line, the cache and the bar are `processes.ts`'s).
 *
 * ```sh
 * deno run -A lessons/08_data_distribution/sweep.ts [--jobs 2] [--steps 300] [--only K5-fixed0,...] [--file F]
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
import { join } from "node:path";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { presets, withOverrides } from "@lib/train/config.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { train } from "@lib/train/trainer.ts";
import { initBackend } from "@lib/tf/mod.ts";
import { runnerMain } from "./processes.ts";

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

/** Trains one setting on the cpu preset and returns its result. */
async function runOne(
  key: string,
  maxSteps: number,
  onStep: (step: number) => void,
): Promise<SweepResult> {
  const setting = sweepSettings().find((s) => settingKey(s) === key)!;
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
    onStep,
    onEval: (r) => {
      if (r.inContextAcc >= 0.9) stop.abort();
    },
  });
  return {
    key,
    ...setting,
    maxSteps,
    steps: records.map((r) => r.step),
    acc: records.map((r) => Number(r.inContextAcc.toFixed(4))),
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
}

if (import.meta.main) {
  Deno.exit(
    await runnerMain(Deno.args, {
      name: "sweep",
      script: import.meta.url,
      keys: sweepSettings().map(settingKey),
      file: SWEEP_FILE,
      keyOf: (r: SweepResult) => r.key,
      runOne,
    }),
  );
}
