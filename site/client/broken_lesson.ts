/**
 * A learner's exercise file that the demos' engine could not build (missing, or it does not
 * compile), as the server finds it (`glue/stand_ins.ts`) and as the demos say it. The engine is
 * built with a stand-in for that file: a demo that imports it stops with a
 * {@linkcode BrokenLessonError} that carries a {@linkcode BrokenLesson}; the other demos run.
 * No Deno or Node API: the server and the browser both use this module.
 *
 * @example
 * ```ts
 * import { brokenNote } from "./broken_lesson.ts";
 * const b = { lesson: 3, slug: "03_associative_memory", file: "lessons/03_associative_memory/exercises.ts", missing: true, problem: "" };
 * brokenNote(b, 5).command; // "deno task lesson 3 --reset"
 * ```
 * @module
 */

/** The name of the error a demo gets when it imports a broken exercise file. */
export const BROKEN_LESSON_ERROR = "BrokenLessonError";

/** An exercise file that could not be built. */
export interface BrokenLesson {
  /** The lesson's number. */
  lesson: number;
  /** The lesson's folder name, `03_associative_memory`. */
  slug: string;
  /** The file, as the learner names it: `lessons/03_associative_memory/exercises.ts`. */
  file: string;
  /** True when the file is not there. */
  missing: boolean;
  /** What is wrong, in one line (`SyntaxError: Expression expected`); empty when missing. */
  problem: string;
  /** Where, when known: `lessons/03_associative_memory/exercises.ts:395:11`. */
  where?: string;
}

/**
 * What the learner does about it, in one line, from the terminal's own commands: the check
 * (which shows the error with its line) or, for a missing file, `--reset` (which writes the
 * original stub; there is nothing of the learner's to overwrite).
 *
 * @example
 * ```ts
 * import { brokenMessage } from "./broken_lesson.ts";
 * brokenMessage({ lesson: 2, slug: "02_attention", file: "lessons/02_attention/exercises.ts", missing: false, problem: "SyntaxError: Expression expected", where: "lessons/02_attention/exercises.ts:9:3" });
 * // "lessons/02_attention/exercises.ts does not compile: SyntaxError: Expression expected at lessons/02_attention/exercises.ts:9:3; `deno task lesson 2` shows it"
 * ```
 */
export function brokenMessage(b: BrokenLesson): string {
  const note = brokenNote(b);
  const where = note.where ? ` at ${note.where.text}` : "";
  return `${note.lead}${where}${note.sep} \`${note.command}\` ${note.tail}`;
}

/**
 * The parts of the note a demo shows: the text, where the error is (with its line on the site,
 * `/source/...#L12`), the command to run, and what it does.
 */
export interface BrokenNote {
  /** What stopped the demo, naming the lesson and the file. */
  lead: string;
  /** Where the error is, when known, and the address of that line on the site. */
  where?: { text: string; href?: string };
  /** The punctuation before the command (":" or ";"). */
  sep: string;
  /** The terminal command that helps. */
  command: string;
  /** What the command does. */
  tail: string;
}

/**
 * The note of a demo stopped by `b`. `demoLesson`, the lesson whose demo it is, is named when
 * it is another lesson than `b`'s ("Lesson 5's demo needs your lesson 3 code").
 *
 * @example
 * ```ts
 * import { brokenNote } from "./broken_lesson.ts";
 * const b = { lesson: 3, slug: "03_associative_memory", file: "lessons/03_associative_memory/exercises.ts", missing: true, problem: "" };
 * brokenNote(b, 5).lead; // "Lesson 5's demo needs your lesson 3 code, and lessons/03_associative_memory/exercises.ts is missing"
 * ```
 */
export function brokenNote(b: BrokenLesson, demoLesson?: number): BrokenNote {
  const what = b.missing ? "is missing" : `does not compile: ${b.problem}`;
  const lead = demoLesson === undefined
    ? `${b.file} ${what}`
    : demoLesson === b.lesson
    ? `Lesson ${b.lesson}'s demo runs your ${b.file}, which ${what}`
    : `Lesson ${demoLesson}'s demo needs your lesson ${b.lesson} code, and ${b.file} ${what}`;
  if (b.missing) {
    return {
      lead,
      sep: ":",
      command: `deno task lesson ${b.lesson} --reset`,
      tail: "restores the original stub",
    };
  }
  const at = b.where?.match(/^(lessons\/.+):(\d+):\d+$/);
  const where = b.where
    ? { text: b.where, href: at ? `/source/${at[1]}#L${at[2]}` : undefined }
    : undefined;
  return { lead, where, sep: ";", command: `deno task lesson ${b.lesson}`, tail: "shows it" };
}

/**
 * The broken lesson an error carries, when a demo stopped at a broken exercise file.
 *
 * @example
 * ```ts
 * import { brokenLesson } from "./broken_lesson.ts";
 * brokenLesson(new Error("x")); // undefined
 * ```
 */
export function brokenLesson(error: unknown): BrokenLesson | undefined {
  const e = error as { name?: string; broken?: BrokenLesson } | undefined;
  return e?.name === BROKEN_LESSON_ERROR && typeof e.broken?.file === "string"
    ? e.broken
    : undefined;
}

/**
 * The source of the stand-in for `b`'s file in the learner's engine: a CommonJS module whose
 * exports, whatever a module imports from it, fail with a {@linkcode BROKEN_LESSON_ERROR}
 * carrying `b`. The bundler takes any named import from CommonJS, and each module that imports
 * the stand-in reads its exports as it starts: it fails to load, and so does every demo that
 * imports it, and only those.
 *
 * @example
 * ```ts
 * import { standInSource } from "./broken_lesson.ts";
 * standInSource({ lesson: 3, slug: "03_associative_memory", file: "lessons/03_associative_memory/exercises.ts", missing: true, problem: "" });
 * ```
 */
export function standInSource(b: BrokenLesson): string {
  return `// Stands in for ${b.file}, which the course site could not build:
// every module that imports it fails with this error (site/client/broken_lesson.ts).
"use strict";
const broken = ${JSON.stringify(b)};
const message = ${JSON.stringify(brokenMessage(b))};
function fail() {
  throw Object.assign(new Error(message), { name: ${JSON.stringify(BROKEN_LESSON_ERROR)}, broken });
}
module.exports = new Proxy({}, {
  get: fail, has: fail, ownKeys: fail, getOwnPropertyDescriptor: fail, getPrototypeOf: fail,
  set: fail, defineProperty: fail, deleteProperty: fail,
});
`;
}
