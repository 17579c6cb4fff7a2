/**
 * Turns test outcomes into the state of each exercise of a lesson: passed, failing (with the
 * first failure) or not started (every failure is the stub's "not implemented" error).
 *
 * @example
 * ```ts
 * import { exerciseStates } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * exerciseStates(lesson, [{ name: "a: works", fn: "a", file: "", ok: true }]);
 * // [{ exercise: ..., state: "passed", passed: 1, total: 1 }]
 * ```
 * @module
 */
import type { Exercise, Lesson } from "@lib/course/lessons.ts";
import type { Outcome } from "@lib/course/run_tests.ts";

/** Where an exercise stands. */
export type State = "passed" | "failing" | "not started" | "no tests";

/** One exercise's state, with its tests' counts and first failure. */
export interface ExerciseState {
  /** The exercise, as the README describes it. */
  exercise: Exercise;
  /** Its state. */
  state: State;
  /** Tests that passed. */
  passed: number;
  /** Tests that ran. */
  total: number;
  /** The first failing test, if any. */
  firstFailure?: Outcome;
}

/**
 * Groups `outcomes` by the exercise whose functions they test.
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
    else if (passed === 0 && mine.every((o) => isStubFailure(o))) state = "not started";
    else state = "failing";
    return { exercise, state, passed, total: mine.length, firstFailure };
  });
}

/**
 * Whether a failure is only the stub's "not implemented yet" error.
 *
 * @example
 * ```ts
 * import { isStubFailure } from "@lib/course/status.ts";
 * isStubFailure({ name: "a: b", fn: "a", file: "", ok: false, message: "`a` is not implemented yet: ..." }); // true
 * ```
 */
export function isStubFailure(outcome: Outcome): boolean {
  return !outcome.ok && /is not implemented yet/.test(outcome.message ?? "");
}

/**
 * The function of another exercise that `state`'s first failure waits for: its test called a
 * function that is still a stub and is not one of this exercise's own (a function of an earlier
 * lesson, or of a later exercise). Undefined otherwise.
 *
 * @example
 * ```ts
 * import { waitingOn } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * const failure = { name: "a: x", fn: "a", file: "", ok: false, message: "`b` is not implemented yet: ..." };
 * waitingOn({ exercise: lesson.exercises[0], state: "not started", passed: 0, total: 1, firstFailure: failure }); // "b"
 * ```
 */
export function waitingOn(state: ExerciseState): string | undefined {
  const fn = state.firstFailure?.message?.match(/^`(\w+)` is not implemented yet/)?.[1];
  return fn && !state.exercise.functions.includes(fn) ? fn : undefined;
}

/**
 * The exercise to work on next: the first that does not pass and does not wait for another
 * exercise's stub (see {@linkcode waitingOn}); failing that, the first that does not pass.
 *
 * @example
 * ```ts
 * import { nextOpen } from "@lib/course/status.ts";
 * // nextOpen(states)?.exercise.id; // "4.5" while 4.2 waits for lesson 2's residualAttention
 * ```
 */
export function nextOpen(states: ExerciseState[]): ExerciseState | undefined {
  const open = states.filter((s) => s.state !== "passed");
  return open.find((s) => waitingOn(s) === undefined) ?? open[0];
}
