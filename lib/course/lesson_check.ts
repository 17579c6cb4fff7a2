/**
 * Checking a lesson as every learner command does: its tests against the learner's code (or the
 * reference), the outcomes turned into exercise states and recorded; and whether the recorded
 * states are still fresh (no file the check reads changed since), so that `--hint`,
 * `--show-solution` and the overview need not rerun the tests.
 *
 * @example
 * ```ts
 * import { checkLesson } from "@lib/course/lesson_check.ts";
 * import { findLesson, listLessons } from "@lib/course/lessons.ts";
 * const lesson = findLesson(await listLessons("."), "1");
 * const result = await checkLesson(".", lesson, { target: "lessons" });
 * console.log(result.states.map((s) => `${s.exercise.id} ${s.state}`));
 * ```
 * @module
 */
import { join } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import {
  type Outcome,
  runExerciseTests,
  type RunResult,
  type Target,
} from "@lib/course/run_tests.ts";
import { type ExerciseState, exerciseStates, type StatusInput } from "@lib/course/status.ts";
import { type Progress, recordStates, updateProgress } from "@lib/course/progress.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { probeWebGPU, quietMesa } from "@lib/webgpu/adapter.ts";
import testTimes from "@lib/course/test_times.json" with { type: "json" };

/** Options of {@linkcode checkLesson}. */
export interface CheckOptions {
  /** Which code to check (default `lessons`); only `lessons` is recorded. */
  target?: Target;
  backend?: string;
  /** Seconds one test may compute (default {@linkcode defaultTimeout}). */
  timeout?: number;
  signal?: AbortSignal;
  onOutcome?: (outcome: Outcome) => void;
  /** The clock (tests pin it); the check is recorded at the time it started. */
  now?: () => Date;
}

/** What {@linkcode checkLesson} found. */
export interface CheckResult {
  /** Each exercise's state (empty when the tests could not run). */
  states: ExerciseState[];
  /** Why the tests could not run at all (a type or syntax error, ...). */
  error?: string;
  /** Stopped through the signal; nothing was recorded. */
  aborted?: boolean;
  /** What to tell about the record (not recorded after a crash, a damaged progress file). */
  notice?: string;
}

/**
 * Runs one lesson's tests and records the states (only for the learner's own code).
 *
 * @example
 * ```ts
 * import { checkLesson } from "@lib/course/lesson_check.ts";
 * // const { states, error } = await checkLesson(".", lesson, { timeout: 30 });
 * ```
 */
export async function checkLesson(
  root: string,
  lesson: Lesson,
  options: CheckOptions = {},
): Promise<CheckResult> {
  const target = options.target ?? "lessons";
  // Recorded at the time the check started: a file saved while the tests ran is newer.
  const started = options.now?.() ?? new Date();
  const timeout = options.timeout ?? defaultTimeout(lesson);
  const run = await runExerciseTests({
    root,
    tests: [lesson.paths.test],
    target,
    backend: options.backend,
    testTimeoutSeconds: timeout,
    timeoutAdvice: timeoutAdvice(lesson, timeout, options.timeout !== undefined),
    functions: lesson.exercises.flatMap((e) => e.functions),
    signal: options.signal,
    onOutcome: options.onOutcome,
  });
  if (run.aborted) return { states: [], aborted: true };
  if (run.error) return { states: [], error: run.error };
  const mine = run.outcomes.filter((o) => lesson.exercises.some((e) => e.functions.includes(o.fn)));
  if (run.crash && mine.length === 0) {
    return {
      states: [],
      error: `The test process crashed before any test of lesson ${lesson.number} ran: ` +
        `${run.crash.detail}. Code at the top level of an exercise file runs when the tests ` +
        `import it: look there first.`,
    };
  }
  const states = exerciseStates(lesson, run.outcomes);
  if (target !== "lessons") return { states };
  const unrecorded = notRecorded(run, lesson);
  if (unrecorded) return { states, notice: unrecorded };
  const { notice } = await updateProgress(root, (p) => recordStates(p, lesson, states, started));
  return { states, notice };
}

/** How many times its slowest reference test a lesson's default timeout allows. */
export const TIMEOUT_MARGIN = 20;

/**
 * The CPU seconds of a lesson's slowest reference test (`test_times.json`, kept true by the
 * course check); undefined for a lesson not measured.
 *
 * @example
 * ```ts
 * import { slowestTest } from "@lib/course/lesson_check.ts";
 * slowestTest("01_bigram_data"); // e.g. 0.3
 * ```
 */
export function slowestTest(slug: string): number | undefined {
  return (testTimes.slowestCpuSeconds as Record<string, number>)[slug];
}

/**
 * The default `--timeout` of a lesson: {@linkcode TIMEOUT_MARGIN} times its slowest reference
 * test's CPU time, at least 10 s; 60 s for a lesson never measured.
 *
 * @example
 * ```ts
 * import { defaultTimeout } from "@lib/course/lesson_check.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * defaultTimeout(parseLesson("01_bigram_data", "# Lesson 1: Data\n")); // 10
 * ```
 */
export function defaultTimeout(lesson: Lesson): number {
  const slowest = slowestTest(lesson.slug);
  if (slowest === undefined) return 60;
  return Math.max(10, Math.ceil(slowest * TIMEOUT_MARGIN));
}

/** The sentence added to a timeout message: what the tests normally take, and how to allow more. */
function timeoutAdvice(lesson: Lesson, timeout: number, chosen: boolean): string {
  const slowest = slowestTest(lesson.slug);
  const normal = slowest === undefined
    ? ""
    : `This lesson's tests take at most ${slowest < 1 ? "a second" : `${Math.ceil(slowest)} s`} ` +
      `each with the reference code. `;
  return normal +
    (chosen
      ? `You chose --timeout ${timeout}.`
      : `The limit is the lesson's default; \`--timeout ${timeout * 3}\` allows more.`);
}

/**
 * Why `run` must not replace what was recorded for `lesson` (its test process crashed, or no
 * test of the lesson reported), or undefined when it may.
 *
 * @example
 * ```ts
 * import { notRecorded } from "@lib/course/lesson_check.ts";
 * // if (!notRecorded(run, lesson)) await updateProgress(root, (p) => recordStates(p, lesson, states));
 * ```
 */
export function notRecorded(run: RunResult, lesson: Lesson): string | undefined {
  if (run.crash) {
    const during = run.crash.running ? ` while \`${run.crash.running}\` was running` : "";
    return `The test process crashed (${run.crash.detail})${during}, so the tests after it ` +
      `did not run. Nothing was recorded: your recorded progress is unchanged.`;
  }
  if (!run.outcomes.some((o) => lesson.exercises.some((e) => e.functions.includes(o.fn)))) {
    return `No test of lesson ${lesson.number} reported, so nothing was recorded for it: your ` +
      `recorded progress is unchanged.`;
  }
  return undefined;
}

/**
 * Whether WebGPU can run here, when an exercise of `lesson` needs it; undefined otherwise.
 *
 * @example
 * ```ts
 * import { webgpuFor } from "@lib/course/lesson_check.ts";
 * // const webgpu = await webgpuFor(".", lesson); // { available: false, reason: "..." }
 * ```
 */
export async function webgpuFor(
  root: string,
  lesson: Lesson,
): Promise<{ available: boolean; reason?: string } | undefined> {
  if (!lesson.exercises.some((e) => e.needs.includes("WebGPU"))) return undefined;
  await quietMesa(root);
  const { available, reason } = await probeWebGPU();
  return { available, reason };
}

/**
 * The states recorded for `lesson` when still fresh (no file the check reads changed since, see
 * {@linkcode newestChange}); undefined when stale or never recorded. They carry no messages.
 *
 * @example
 * ```ts
 * import { recordedStates } from "@lib/course/lesson_check.ts";
 * import { readProgress } from "@lib/course/progress.ts";
 * // const states = await recordedStates(".", lesson, await readProgress("."));
 * ```
 */
export async function recordedStates(
  root: string,
  lesson: Lesson,
  progress: Progress,
): Promise<ExerciseState[] | undefined> {
  const record = progress.lessons[lesson.slug];
  if (!record?.lastChecked) return undefined;
  const checked = Date.parse(record.lastChecked);
  const newest = await newestChange(root, lesson);
  if (newest === undefined || newest > checked) return undefined;
  const states: ExerciseState[] = [];
  for (const exercise of lesson.exercises) {
    const ex = record.exercises[exercise.id];
    if (!ex?.lastChecked) return undefined;
    states.push({ exercise, state: ex.state, passed: ex.passed, total: ex.total });
  }
  return states;
}

/** Whether the learner's exercise file of `lesson` is still exactly the generated stub. */
async function isPristine(root: string, lesson: Lesson): Promise<boolean> {
  const mine = await Deno.readTextFile(join(root, lesson.paths.exercises)).catch(() => undefined);
  return mine === await stubFor(root, lesson.slug).catch(() => null);
}

/**
 * The latest modification time (ms since the epoch) of the files a lesson's check reads: the
 * code and data of its folder under `lessons/` and of every lesson folder it imports through
 * `@exercises/` (transitively), and its test file. Undefined if none could be read.
 *
 * @example
 * ```ts
 * import { newestChange } from "@lib/course/lesson_check.ts";
 * // const t = await newestChange(".", lesson);
 * ```
 */
export async function newestChange(root: string, lesson: Lesson): Promise<number | undefined> {
  const files = [join(root, lesson.paths.test)];
  for (const slug of await dependencies(root, lesson)) {
    const dir = join(root, "lessons", slug);
    for (const e of await Array.fromAsync(Deno.readDir(dir)).catch(() => [])) {
      if (e.isFile && /\.(ts|js|json)$/.test(e.name)) files.push(join(dir, e.name));
    }
  }
  const times = await Promise.all(
    files.map((f) => Deno.stat(f).then((s) => s.mtime?.getTime(), () => undefined)),
  );
  const known = times.filter((t) => t !== undefined);
  return known.length > 0 ? Math.max(...known) : undefined;
}

/** The lesson folders a lesson's check reads: its own and those imported via `@exercises/`. */
async function dependencies(root: string, lesson: Lesson): Promise<string[]> {
  const found = new Set<string>([lesson.slug]);
  const todo = [lesson.paths.test, lesson.paths.exercises];
  while (todo.length > 0) {
    const file = todo.pop()!;
    const text = await Deno.readTextFile(join(root, file)).catch(() => "");
    for (const m of text.matchAll(/@exercises\/(\d\d_[a-z0-9_]+)\//g)) {
      if (found.has(m[1])) continue;
      found.add(m[1]);
      todo.push(`lessons/${m[1]}/exercises.ts`);
    }
  }
  return [...found].sort();
}

/**
 * What the overview needs of each lesson: its record, whether it is stale, and whether the
 * learner's file is still the untouched stub.
 *
 * @example
 * ```ts
 * import { progressEntries } from "@lib/course/lesson_check.ts";
 * import { readProgress } from "@lib/course/progress.ts";
 * import { listLessons } from "@lib/course/lessons.ts";
 * const entries = await progressEntries(".", await listLessons("."), await readProgress("."));
 * ```
 */
export async function progressEntries(
  root: string,
  lessons: Lesson[],
  progress: Progress,
): Promise<StatusInput[]> {
  return await Promise.all(lessons.map(async (lesson) => {
    const record = progress.lessons[lesson.slug];
    const checked = record?.lastChecked ? Date.parse(record.lastChecked) : undefined;
    const newest = checked === undefined ? undefined : await newestChange(root, lesson);
    return {
      lesson,
      record,
      stale: checked !== undefined && newest !== undefined && newest > checked,
      pristine: await isPristine(root, lesson),
    };
  }));
}
