/**
 * `deno task lesson [N] [options]`: the lesson in the terminal.
 *
 * Without N, lists every lesson with its done and pending exercises. With N, prints the
 * lesson's goals, the file to edit, the state of each exercise (its tests run against the
 * learner's code in `lessons/`, or the reference with `--solutions`) and the first failure in
 * plain words. Exits 0 only when every exercise of the lesson passes.
 *
 * @example
 * ```sh
 * deno task lesson 1
 * deno task lesson 1 --solutions
 * deno task lesson 1 --hint
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import pc from "picocolors";
import { findLesson, type Lesson, listLessons } from "@lib/course/lessons.ts";
import { runExerciseTests, type RunResult, type Target } from "@lib/course/run_tests.ts";
import { exerciseStates } from "@lib/course/status.ts";
import { lessonReport, listReport } from "@lib/course/report.ts";
import { parseBackend } from "@lib/tf/mod.ts";

const USAGE = `Usage: deno task lesson [N] [options]

  deno task lesson              list the lessons and your progress
  deno task lesson N            check lesson N against your code in lessons/
  deno task lesson N --hint     show a hint for the first unfinished exercise
  deno task lesson N --solutions  check the reference code in solutions/ instead

Options:
  --solutions         run the checks against solutions/ (the reference)
  --hint              print a hint for the first exercise that does not pass yet
  --backend NAME      TensorFlow.js backend for the checks: auto, cpu, wasm or webgpu
  --timeout SECONDS   stop a test that runs longer than this (default 60)
  -h, --help          this help`;

/** Parsed command-line options. */
export interface LessonArgs {
  /** The lesson number as typed, or undefined to list lessons. */
  lesson?: string;
  /** Check solutions/ instead of lessons/. */
  solutions: boolean;
  /** Print a hint. */
  hint: boolean;
  /** Backend name, already validated. */
  backend?: string;
  /** Per-test time limit in seconds. */
  timeout: number;
  /** Print the usage. */
  help: boolean;
}

/**
 * Parses the CLI's arguments; throws an Error with a learner-facing message on bad input.
 *
 * @example
 * ```ts
 * import { parseLessonArgs } from "@lib/course/cli/lesson.ts";
 * parseLessonArgs(["1", "--solutions"]).solutions; // true
 * ```
 */
export function parseLessonArgs(args: string[]): LessonArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        solutions: { type: "boolean", default: false },
        hint: { type: "boolean", default: false },
        backend: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, ".");
    throw new Error(`${msg}\n\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new Error(`Give one lesson number at a time (got ${positionals.join(" ")}).\n\n${USAGE}`);
  }
  let timeout = 60;
  if (values.timeout !== undefined) {
    timeout = Number(values.timeout);
    if (!(timeout > 0)) {
      throw new Error(`--timeout takes a number of seconds, got "${values.timeout}".`);
    }
  }
  return {
    lesson: positionals[0],
    solutions: values.solutions,
    hint: values.hint,
    backend: values.backend === undefined ? undefined : parseBackend(values.backend),
    timeout,
    help: values.help,
  };
}

/**
 * Runs a lesson's tests against `lessons/` or `solutions/`.
 *
 * @example
 * ```ts
 * import { checkLessons } from "@lib/course/cli/lesson.ts";
 * // const run = await checkLessons(".", lessons, "lessons", {});
 * ```
 */
export function checkLessons(
  root: string,
  lessons: Lesson[],
  target: Target,
  options: { backend?: string; timeout?: number },
): Promise<RunResult> {
  return runExerciseTests({
    root,
    tests: lessons.map((l) => l.paths.test),
    target,
    backend: options.backend,
    testTimeoutSeconds: options.timeout,
  });
}

/**
 * Runs the CLI and returns its exit code.
 *
 * @example
 * ```ts
 * import { main } from "@lib/course/cli/lesson.ts";
 * const code = await main(["1"], ".");
 * ```
 */
export async function main(args: string[], root: string): Promise<number> {
  let opts: LessonArgs;
  try {
    opts = parseLessonArgs(args);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const lessons = await listLessons(root);
  const target: Target = opts.solutions ? "solutions" : "lessons";

  if (opts.lesson === undefined) {
    if (opts.hint) {
      console.error("Say which lesson you want a hint for: `deno task lesson N --hint`.");
      return 2;
    }
    const run = await withSpinner(
      "Checking every lesson",
      () => checkLessons(root, lessons, target, opts),
    );
    if (run.error) return loadFailure(run.error);
    const entries = lessons.map((lesson) => ({
      lesson,
      states: exerciseStates(lesson, run.outcomes),
    }));
    console.log(listReport(entries).join("\n"));
    return entries.every((e) => e.states.every((s) => s.state === "passed")) ? 0 : 1;
  }

  let lesson: Lesson;
  try {
    lesson = findLesson(lessons, opts.lesson);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const run = await withSpinner(
    `Checking lesson ${lesson.number}`,
    () => checkLessons(root, [lesson], target, opts),
  );
  if (run.error) return loadFailure(run.error, lesson);
  const states = exerciseStates(lesson, run.outcomes);
  console.log(
    lessonReport(lesson, states, { source: target as "lessons" | "solutions", root }).join("\n"),
  );
  if (opts.hint) printHint(lesson, states.find((s) => s.state !== "passed")?.exercise.id);
  return states.every((s) => s.state === "passed") ? 0 : 1;
}

function printHint(lesson: Lesson, exerciseId: string | undefined): void {
  const exercise = lesson.exercises.find((e) => e.id === exerciseId);
  if (!exercise) {
    console.log("\nEvery exercise passes: no hint needed.");
    return;
  }
  const hint = exercise.hints[0];
  console.log("");
  if (!hint) {
    console.log(`Exercise ${exercise.id} has no hints; read ${lesson.paths.readme}.`);
    return;
  }
  console.log(pc.bold(`Exercise ${exercise.id}, ${hint.title}`));
  console.log(hint.body);
}

function loadFailure(message: string, lesson?: Lesson): number {
  console.error(pc.red(pc.bold("The checks could not run.")));
  console.error(message);
  if (lesson) console.error(`\nYour file: ${lesson.paths.exercises}`);
  return 1;
}

async function withSpinner<T>(label: string, work: () => Promise<T>): Promise<T> {
  if (!Deno.stdout.isTerminal()) return await work();
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let i = 0;
  const enc = new TextEncoder();
  const id = setInterval(() => {
    Deno.stdout.writeSync(enc.encode(`\r${frames[i++ % frames.length]} ${label} ...`));
  }, 100);
  try {
    return await work();
  } finally {
    clearInterval(id);
    Deno.stdout.writeSync(enc.encode("\r\x1b[2K"));
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, resolve(new URL("../../..", import.meta.url).pathname)));
}
