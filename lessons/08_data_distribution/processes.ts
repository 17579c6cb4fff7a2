/**
 * What lesson 8's two runners (`sweep.ts`, `ood.ts`) share: the command line, the JSONL cache
 * and the process pool. Each key runs as its own seeded process, `script --one KEY ...`, `--jobs`
 * at a time, with `@exercises/` pointed at the reference (`solutions/`), so that the cached runs
 * measure the data, not the learner's code. A finished run appends one JSON line to the cache;
 * a key already in it is skipped, so an interrupted run resumes where it stopped. A progress bar
 * (`runsProgress` of `@lib/train/progress_bar.ts`) follows every run's steps.
 *
 * ```sh
 * deno run -A lessons/08_data_distribution/sweep.ts [--jobs 2] [--steps 300] [--only KEY,...] [--file F]
 * ```
 *
 * @example
 * ```ts
 * import { runInProcesses } from "./processes.ts";
 * const failed = await runInProcesses("lessons/08_data_distribution/sweep.ts", [], 2, [], {
 *   onStep: () => {},
 *   onDone: () => {},
 * });
 * failed; // 0
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { dirname } from "node:path";
import { writeImportMap } from "@lib/course/run_tests.ts";
import {
  readStepLines,
  type RunsProgress,
  runsProgress,
  stepLine,
} from "@lib/train/progress_bar.ts";

/**
 * Reads a JSONL cache (an absent file is empty; a damaged line, cut by an interrupted write, is
 * skipped, so that its run is done again).
 *
 * @example
 * ```ts
 * import { readJsonl } from "./processes.ts";
 * (await readJsonl("lessons/08_data_distribution/figures/sweep.jsonl")).length; // 16
 * ```
 */
export async function readJsonl<T>(path: string): Promise<T[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  const out: T[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      // a line cut by an interrupted write: that run is done again
    }
  }
  return out;
}

/**
 * Runs `script --one KEY ...args` for every key, `jobs` processes at a time, and tells
 * `progress` each step a run reports (its {@linkcode stepLine}s on stdout) and each run's end.
 * Returns how many failed.
 *
 * @example
 * ```ts
 * import { runInProcesses } from "./processes.ts";
 * import { runsProgress } from "@lib/train/progress_bar.ts";
 * const progress = runsProgress(["fixed-top5"], 300);
 * await runInProcesses("lessons/08_data_distribution/ood.ts", ["fixed-top5"], 1, ["--steps", "300"], progress);
 * progress.stop();
 * ```
 */
export async function runInProcesses(
  script: string,
  keys: string[],
  jobs: number,
  args: string[],
  progress: Pick<RunsProgress, "onStep" | "onDone">,
): Promise<number> {
  const todo = [...keys];
  if (todo.length === 0) return 0;
  const map = await writeImportMap(new URL("../..", import.meta.url).pathname, "solutions");
  let failed = 0;
  const worker = async () => {
    while (todo.length > 0) {
      const key = todo.shift()!;
      progress.onStep(key, 0);
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `--import-map=${map}`, script, "--one", key, ...args],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      await readStepLines(child.stdout, (step) => progress.onStep(key, step));
      const { code } = await child.status;
      if (code !== 0) failed++;
      progress.onDone(key, code === 0);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(jobs, keys.length) }, worker));
  } finally {
    await Deno.remove(map).catch(() => {});
  }
  return failed;
}

/** What a runner (the sweep, the out-of-distribution runs) tells {@linkcode runnerMain}. */
export interface Runner<R> {
  /** Its name in the messages ("sweep", "ood"). */
  name: string;
  /** The runner's own file (`import.meta.url`): each run is `deno run` of it with `--one KEY`. */
  script: string;
  /** Every key it can run, in order. */
  keys: string[];
  /** The JSONL cache it appends to (`--file` overrides it). */
  file: string;
  /** The key of a cached result. */
  keyOf(result: R): string;
  /** Runs one key for `steps` steps, calling `onStep` after each step. */
  runOne(key: string, steps: number, onStep: (step: number) => void): Promise<R>;
}

/**
 * The command line of a runner: `--one KEY` runs one key in this process and appends its result
 * to the cache; otherwise the keys (`--only` ones, or all) not yet in the cache run as processes,
 * `--jobs` at a time, under a progress bar. Returns the exit code (2 for bad input, with a
 * one-line message; 1 if a run failed).
 *
 * @example
 * ```ts
 * import { runnerMain } from "./processes.ts";
 * const code = await runnerMain(["--only", "nothing"], {
 *   name: "demo", script: import.meta.url, keys: ["a"], file: "/tmp/demo.jsonl",
 *   keyOf: (r: { key: string }) => r.key, runOne: (key) => Promise.resolve({ key }),
 * });
 * code; // 2: "nothing" is not a key
 * ```
 */
export async function runnerMain<R>(args: string[], runner: Runner<R>): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        jobs: { type: "string", default: "2" },
        steps: { type: "string", default: "300" },
        only: { type: "string" },
        one: { type: "string" },
        file: { type: "string", default: runner.file },
      },
    }));
  } catch (e) {
    console.error(`${runner.name}: ${(e as Error).message}`);
    return 2;
  }
  const steps = Number(values.steps);
  const jobs = Number(values.jobs);
  if (!Number.isInteger(steps) || steps < 10 || !Number.isInteger(jobs) || jobs < 1) {
    console.error(`${runner.name}: --steps must be an integer >= 10 and --jobs an integer >= 1`);
    return 2;
  }
  const file = values.file!;
  const wanted = values.one ? [values.one] : values.only ? values.only.split(",") : runner.keys;
  const unknown = wanted.find((k) => !runner.keys.includes(k));
  if (unknown !== undefined) {
    console.error(`${runner.name}: unknown key "${unknown}": one of ${runner.keys.join(", ")}`);
    return 2;
  }
  if (values.one) {
    const result = await runner.runOne(values.one, steps, (step) => console.log(stepLine(step)));
    await Deno.mkdir(dirname(file), { recursive: true });
    await Deno.writeTextFile(file, JSON.stringify(result) + "\n", { append: true });
    return 0;
  }
  const done = new Set((await readJsonl<R>(file)).map(runner.keyOf));
  const todo = wanted.filter((k) => !done.has(k));
  console.log(
    `${runner.name}: ${wanted.length - todo.length} of ${wanted.length} cached in ${file}; ` +
      `running ${todo.length}, ${Math.min(jobs, Math.max(todo.length, 1))} at a time`,
  );
  const progress = runsProgress(todo, steps);
  try {
    const failed = await runInProcesses(
      new URL(runner.script).pathname,
      todo,
      jobs,
      ["--steps", String(steps), "--file", file],
      progress,
    );
    return failed > 0 ? 1 : 0;
  } finally {
    progress.stop();
  }
}
