/**
 * The learner's checks as the site shows them: each exercise's case and, for one that does not
 * pass, the very lines the terminal prints under it (`problem:`, `where:`, `text:`, `stuck?`),
 * both from lib/course's one pipeline (`progressEntries` -> `lessonStatus` -> `nextSteps`) over
 * `.course/progress.json`, which records each exercise's first failure. Nothing is decided here.
 *
 * @example
 * ```ts
 * import { lessonView } from "./check_status.ts";
 * import { listLessons } from "@lib/course/lessons.ts";
 * import { readProgress } from "@lib/course/progress.ts";
 * const lessons = await listLessons(".");
 * const view = await lessonView(".", lessons[0], lessons, await readProgress("."));
 * view.exercises.map((e) => e.label); // e.g. ["passed 6/6 tests", "failing 1/3 tests", ...]
 * ```
 * @module
 */
import { stripVTControlCharacters } from "node:util";
import type { Lesson } from "@lib/course/lessons.ts";
import type { Progress } from "@lib/course/progress.ts";
import { progressEntries } from "@lib/course/lesson_check.ts";
import { type ExerciseStatus, type LessonStatus, lessonStatus } from "@lib/course/status.ts";
import { nextSteps } from "@lib/course/report.ts";

/** One exercise on the page. */
export interface ExerciseView {
  /** Its status, as the terminal decides it. */
  status: ExerciseStatus;
  /** Its case in words, with its tests' counts ("failing 1/3 tests"). */
  label: string;
  /** What the terminal prints for it when it is the exercise to work on; empty when it passes. */
  steps: string[];
}

/** One lesson's checks on the page. */
export interface LessonView {
  /** The lesson's status. */
  status: LessonStatus;
  /** Its exercises, in order. */
  exercises: ExerciseView[];
  /** The lesson's next step when it is not one exercise's (`check`, or `done`). */
  summary: string[];
}

/**
 * Decides a lesson from the recorded progress and renders each exercise's lines.
 *
 * @example
 * ```ts
 * import { lessonView } from "./check_status.ts";
 * // const { exercises } = await lessonView(root, lesson, lessons, progress);
 * ```
 */
export async function lessonView(
  root: string,
  lesson: Lesson,
  lessons: Lesson[],
  progress: Progress,
): Promise<LessonView> {
  const [entry] = await progressEntries(root, [lesson], progress);
  const input = { ...entry, lessons };
  const status = lessonStatus(input);
  const ctx = { source: "lessons" as const, root, progress };
  const exercises = status.exercises.map((s): ExerciseView => {
    const works = s.kind === "failing" || s.kind === "waits" || s.kind === "not started";
    // The terminal's `--exercise` view of this exercise: its own failure and next step.
    const steps = works
      ? plain(nextSteps(lessonStatus({ ...input, focus: s.exercise.id }), ctx))
      : [];
    return { status: s, label: kindLabel(s), steps };
  });
  const summary = status.next === "check" || status.next === "done"
    ? plain(nextSteps(status, ctx))
    : [];
  return { status, exercises, summary };
}

/**
 * An exercise's case in words: "passed 6/6 tests", "failing 1/3 tests", "waits for 1.2",
 * "not started", "not checked yet", "no tests found", "passed (fallback only)".
 *
 * @example
 * ```ts
 * import { kindLabel } from "./check_status.ts";
 * import { lessonStatus } from "@lib/course/status.ts";
 * import { parseLesson } from "@lib/course/lessons.ts";
 * const lesson = parseLesson("09_x", "# Lesson 9: X\n### Exercise 9.1: A\n**Functions:** `a`\n");
 * kindLabel(lessonStatus({ lesson }).exercises[0]); // "not checked yet"
 * ```
 */
export function kindLabel(s: ExerciseStatus): string {
  const tests = `${s.passed}/${s.total} tests`;
  switch (s.kind) {
    case "passed":
    case "failing":
      return `${s.kind} ${tests}`;
    case "fallback only":
      return `passed ${tests} (fallback only: WebGPU did not run)`;
    case "waits":
      return `waits for ${s.waits?.exercise?.id ?? `\`${s.waits?.fn}\``}`;
    case "not checked":
      return "not checked yet";
    case "no tests":
      return "no tests found";
    default:
      return s.kind;
  }
}

/**
 * The course-wide count: exercises that pass, of all.
 *
 * @example
 * ```ts
 * import { courseCount } from "./check_status.ts";
 * courseCount([]); // { done: 0, total: 0 }
 * ```
 */
export function courseCount(statuses: LessonStatus[]): { done: number; total: number } {
  return {
    done: statuses.reduce((sum, s) => sum + s.done, 0),
    total: statuses.reduce((sum, s) => sum + s.exercises.length, 0),
  };
}

/** Lines without their terminal colours. */
function plain(lines: string[]): string[] {
  return lines.flatMap((l) => stripVTControlCharacters(l).split("\n"));
}

/**
 * The terminal's lines as HTML: escaped, with the learner's file (`lessons/NN_x/exercises.ts:12`)
 * linked to that line of its source view, a lesson's README (`lessons/NN_x/README.md#anchor`)
 * to the lesson's page, and `` `commands` `` set as code.
 *
 * @example
 * ```ts
 * import { linkedLines } from "./check_status.ts";
 * linkedLines(["  where:  lessons/01_a/exercises.ts:12 (function f)"]);
 * // '  where:  <a href="/source/lessons/01_a/exercises.ts#L12">lessons/01_a/exercises.ts:12</a> (function f)'
 * ```
 */
export function linkedLines(lines: string[]): string {
  const escaped = escapeHtml(lines.join("\n"));
  return escaped
    .replace(
      /\blessons\/(\d\d_[a-z0-9_]+)\/README\.md(#[\w-]+)?/g,
      (all, slug, anchor = "") => `<a href="/lessons/${slug}${anchor}">${all}</a>`,
    )
    .replace(
      /\blessons\/\d\d_[a-z0-9_]+\/exercises\.ts(?::(\d+))?/g,
      (all, line) => {
        const file = all.replace(/:\d+$/, "");
        return `<a href="/source/${file}${line ? `#L${line}` : ""}">${all}</a>`;
      },
    )
    .replace(/`([^`\n]+)`/g, "<code>$1</code>");
}

/**
 * Escapes text for HTML.
 *
 * @example
 * ```ts
 * import { escapeHtml } from "./check_status.ts";
 * escapeHtml("a < b & c"); // "a &lt; b &amp; c"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
