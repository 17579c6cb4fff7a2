/**
 * The course tool's one decision: where each exercise of a lesson stands and what the learner
 * should do next. Test outcomes (or the states recorded in the progress file) go in; one
 * {@linkcode LessonStatus} comes out, listing every case an exercise can be in with its next
 * action decided once. The views (`report.ts`, `watch.ts`, the site's badge) only render it.
 *
 * ```text
 * lessons.ts (manifest) ─┐
 * progress.ts (record) ──┼─> lessonStatus() ─> LessonStatus ─> report.ts / watch.ts / site
 * run_tests.ts (tests) ──┘
 * ```
 *
 * @example
 * ```ts
 * import { exerciseStates, lessonStatus } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * const states = exerciseStates(lesson, [{ name: "a: works", fn: "a", file: "", ok: true }]);
 * lessonStatus({ lesson, states }).next; // "done"
 * ```
 * @module
 */
import type { Exercise, Lesson } from "@lib/course/lessons.ts";
import type { Outcome } from "@lib/course/run_tests.ts";
import type { ExerciseProgress, LessonProgress, State } from "@lib/course/progress.ts";

/** One exercise's state after a check: tests passed of those run, and the first failure. */
export interface ExerciseState {
  exercise: Exercise;
  state: State;
  passed: number;
  total: number;
  firstFailure?: Outcome;
}

/**
 * Every case an exercise can be in, each with its own mark and words in every view:
 * - `passed`: every test passes;
 * - `fallback only`: every test passes, but its WebGPU kernels could not run here;
 * - `failing`: a test fails in the learner's own code (n of m pass);
 * - `not started`: every test hits the exercise's own stub;
 * - `waits`: its first failure is another exercise's stub (see {@linkcode ExerciseStatus.waits});
 * - `no tests`: no test checks its functions;
 * - `not checked`: never checked (from the progress file only).
 */
export type Kind =
  | "passed"
  | "fallback only"
  | "failing"
  | "not started"
  | "waits"
  | "no tests"
  | "not checked";

/** One exercise, as every view shows it. */
export interface ExerciseStatus {
  exercise: Exercise;
  kind: Kind;
  passed: number;
  total: number;
  /** The first failing test: from a check run now, or as the progress file recorded it. */
  failure?: Outcome;
  /** For `waits`: the stub's function, and its lesson and exercise when known. */
  waits?: { fn: string; lesson?: Lesson; exercise?: Exercise };
  hintsSeen: number;
}

/**
 * The one next action of a lesson: `done` (every exercise passes, perhaps on the WebGPU fallback
 * only), `check` (the record is missing or older than the files), `work` on the current
 * exercise (its failure, its stub, or what it waits for), or the current exercise, asked for
 * (`--exercise`, watch's `n`), `passes` (compare it with the reference).
 */
export type Next = "done" | "check" | "work" | "passes";

/** A lesson, decided. */
export interface LessonStatus {
  lesson: Lesson;
  exercises: ExerciseStatus[];
  /** Exercises that pass (`passed` or `fallback only`). */
  done: number;
  /** Exercises that fail in the learner's own code. */
  failing: number;
  /** When the states were recorded (from the progress file). */
  checked?: string;
  /** An exercise file changed after the recorded check. */
  changedSince: boolean;
  /** Why WebGPU cannot run here, when an exercise is `fallback only`. */
  noWebGPU?: string;
  next: Next;
  /** The exercise `work` and `passes` are about. */
  current?: ExerciseStatus;
  /** `current` is the exercise asked for, not the one picked. */
  focused: boolean;
}

/** What {@linkcode lessonStatus} decides from. */
export interface StatusInput {
  lesson: Lesson;
  /** The states of a check run now; without them, the recorded ones are used. */
  states?: ExerciseState[];
  /** The lesson's record in the progress file (hints seen; the states when not checked now). */
  record?: LessonProgress;
  /** An exercise file changed after the recorded check. */
  stale?: boolean;
  /** The learner's file is still the untouched stub (never checked: "not started"). */
  pristine?: boolean;
  /** Every lesson, to name the exercise a `waits` waits for. */
  lessons?: Lesson[];
  /** Whether WebGPU can run here (for the exercises marked `**Needs:** WebGPU`). */
  webgpu?: { available: boolean; reason?: string };
  /** The exercise asked for; default the next one to work on. */
  focus?: string;
}

/**
 * Decides a lesson: each exercise's {@linkcode Kind} and the lesson's next action.
 *
 * @example
 * ```ts
 * import { lessonStatus } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * lessonStatus({ lesson }).next; // "check": never checked
 * ```
 */
export function lessonStatus(input: StatusInput): LessonStatus {
  const { lesson, record, webgpu } = input;
  const exercises = lesson.exercises.map((exercise, i): ExerciseStatus => {
    const mine = record?.exercises[exercise.id];
    const hintsSeen = mine?.hintsSeen ?? 0;
    const state: ExerciseState | undefined = input.states ? input.states[i] : mine?.lastChecked
      ? {
        exercise,
        state: mine.state,
        passed: mine.passed,
        total: mine.total,
        firstFailure: mine.failure && { ...mine.failure, ok: false },
      }
      : undefined;
    if (!state) {
      const kind = input.pristine ? "not started" : "not checked";
      return { exercise, kind, passed: 0, total: mine?.total ?? 0, hintsSeen };
    }
    const { passed, total, firstFailure: failure } = state;
    const base = { exercise, passed, total, failure, hintsSeen };
    if (state.state === "passed") {
      const fallback = exercise.needs.includes("WebGPU") && webgpu?.available === false;
      return { ...base, kind: fallback ? "fallback only" : "passed" };
    }
    const fn = waitingOn(state);
    if (fn) {
      const lesson = input.lessons?.find((l) => l.exercises.some((e) => e.functions.includes(fn)));
      const waited = lesson?.exercises.find((e) => e.functions.includes(fn));
      return { ...base, kind: "waits", waits: { fn, lesson, exercise: waited } };
    }
    return { ...base, kind: state.state };
  });
  const passes = (s: ExerciseStatus) => s.kind === "passed" || s.kind === "fallback only";
  const done = exercises.filter(passes).length;
  const changedSince = !input.states && !!input.stale && !!record?.lastChecked;
  const focused = exercises.find((s) => s.exercise.id === input.focus);
  const check = changedSince || exercises.some((s) => s.kind === "not checked");
  const current = focused ?? (check ? undefined : pickNext(exercises));
  const next: Next = current ? (passes(current) ? "passes" : "work") : check ? "check" : "done";
  return {
    lesson,
    exercises,
    done,
    failing: exercises.filter((s) => s.kind === "failing").length,
    checked: input.states ? undefined : record?.lastChecked,
    changedSince,
    noWebGPU: exercises.some((s) => s.kind === "fallback only")
      ? webgpu?.reason ?? "no adapter"
      : undefined,
    next,
    current,
    focused: !!focused,
  };
}

/**
 * The exercise to work on next: the first that fails in the learner's own code (its message
 * matters more than the next stub), else the first not started, else the first that waits.
 */
function pickNext(exercises: ExerciseStatus[]): ExerciseStatus | undefined {
  for (const kinds of [["failing"], ["not started", "no tests", "not checked"], ["waits"]]) {
    const found = exercises.find((s) => kinds.includes(s.kind));
    if (found) return found;
  }
  return undefined;
}

/**
 * Groups `outcomes` by the exercise whose functions they test: passed, failing (with the first
 * failure), not started (every failure is the stub's "not implemented" error) or no tests.
 *
 * @example
 * ```ts
 * import { exerciseStates } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * const [state] = exerciseStates(lesson, [
 *   { name: "a: works", fn: "a", file: "", ok: true },
 *   { name: "a: edge case", fn: "a", file: "", ok: false, message: "expected 1 but got 2" },
 * ]);
 * state.state; // "failing"
 * state.firstFailure?.name; // "a: edge case"
 * ```
 */
export function exerciseStates(lesson: Lesson, outcomes: Outcome[]): ExerciseState[] {
  return lesson.exercises.map((exercise) => {
    const mine = outcomes.filter((o) => exercise.functions.includes(o.fn));
    const passed = mine.filter((o) => o.ok).length;
    const firstFailure = mine.find((o) => !o.ok);
    let state: State;
    if (mine.length === 0) state = "no tests";
    else if (!firstFailure) state = "passed";
    // "not started" only while nothing passes: half an exercise written is "failing", n/m.
    else if (passed === 0 && mine.every((o) => /is not implemented yet/.test(o.message ?? ""))) {
      state = "not started";
    } else state = "failing";
    return { exercise, state, passed, total: mine.length, firstFailure };
  });
}

/**
 * The function of another exercise that `state`'s first failure waits for: its test called a
 * function that is still a stub and is not one of this exercise's own (a function of an earlier
 * lesson, or of a later exercise).
 */
function waitingOn(state: ExerciseState): string | undefined {
  const fn = state.firstFailure?.message?.match(/^`(\w+)` is not implemented yet/)?.[1];
  return fn && !state.exercise.functions.includes(fn) ? fn : undefined;
}

/**
 * The site's badge of one exercise's record: its words, its kind as a CSS class suffix
 * (`passed`, `failing`, `not-started`, `no-tests`, `unknown`), and the hints and solution seen.
 *
 * @example
 * ```ts
 * import { badge } from "@lib/course/status.ts";
 * badge(undefined).label; // "not checked yet"
 * ```
 */
export function badge(record: ExerciseProgress | undefined): Badge {
  const hints = record?.hintsSeen ?? 0;
  const extras = [
    hints ? `${hints} hint${hints > 1 ? "s" : ""} read` : "",
    record?.solutionShown ? "solution shown" : "",
  ].filter(Boolean).join(", ");
  if (!record?.lastChecked) return { label: "not checked yet", kind: "unknown", extras };
  const counts = record.total > 0 ? ` ${record.passed}/${record.total}` : "";
  return { label: record.state + counts, kind: record.state.replace(" ", "-"), extras };
}

/** What {@linkcode badge} returns. */
export type Badge = { label: string; kind: string; extras: string };
