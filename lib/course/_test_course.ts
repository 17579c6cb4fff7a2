/**
 * Test support for the CLI's tests: a throw-away copy of the course with lesson 1 only (so that
 * lessons still being written cannot break them; `node_modules/` linked, nothing downloaded),
 * and a fake terminal that records what the CLI prints.
 *
 * @example
 * ```ts
 * import { copyCourse } from "@lib/course/_test_course.ts";
 * const course = await copyCourse();
 * // ... run the CLI with course.root ...
 * await course.remove();
 * ```
 * @module
 */
import { cp, symlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters as stripAnsi } from "node:util";
import type { CliIo } from "@lib/course/cli/lesson.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { markedRegions } from "@lib/course/author/markers.ts";

/** The real course. */
export const COURSE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Lesson 1's folder name. */
export const LESSON1 = "01_bigram_data";

/** A temporary copy of the course: its root, and how to delete it. */
export interface CourseCopy {
  root: string;
  remove(): Promise<void>;
}

/**
 * Copies the course (lesson 1 only, its exercise file the pristine stub) into a temporary folder.
 *
 * @example
 * ```ts
 * import { copyCourse } from "@lib/course/_test_course.ts";
 * const { root, remove } = await copyCourse();
 * await remove();
 * ```
 */
export async function copyCourse(): Promise<CourseCopy> {
  const root = await Deno.makeTempDir({ prefix: "course_copy_" });
  const copy = async (rel: string) => {
    await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
    await cp(join(COURSE_ROOT, rel), join(root, rel), {
      recursive: true,
      filter: (src) => !/[\\/](\.course|node_modules)([\\/]|$)/.test(src.slice(COURSE_ROOT.length)),
    });
  };
  for (
    const rel of [
      "deno.json",
      "deno.lock",
      "lib",
      `lessons/${LESSON1}`,
      `solutions/${LESSON1}`,
      `tests/lessons/${LESSON1}_test.ts`,
    ]
  ) await copy(rel);
  await symlink(join(COURSE_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  await Deno.writeTextFile(
    join(root, "lessons", LESSON1, "exercises.ts"),
    await stubFor(root, LESSON1),
  );
  return { root, remove: () => Deno.remove(root, { recursive: true }) };
}

/** A {@linkcode CliIo} that records stdout, stderr and the questions, colours removed. */
export interface FakeIo extends CliIo {
  stdout: string[];
  stderr: string[];
  questions: string[];
  /** stdout and stderr as one string, since the last `clear()`. */
  text(): string;
  clear(): void;
}

/**
 * A fake terminal: stdout not a terminal, stdin a terminal only when `answer` is given (then
 * every question gets that answer).
 *
 * @example
 * ```ts
 * import { fakeIo } from "@lib/course/_test_course.ts";
 * const io = fakeIo();
 * io.write("hi\n");
 * io.text(); // "hi\n"
 * ```
 */
export function fakeIo(answer?: boolean): FakeIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const questions: string[] = [];
  return {
    stdout,
    stderr,
    questions,
    write: (text) => void stdout.push(stripAnsi(text)),
    error: (line) => void stderr.push(stripAnsi(line) + "\n"),
    stdoutIsTerminal: false,
    stdinIsTerminal: answer !== undefined,
    confirm: (question) => {
      questions.push(question);
      return Promise.resolve(answer ?? false);
    },
    keys: () => ({ async *[Symbol.asyncIterator]() {} }),
    text: () => stdout.join("") + stderr.join(""),
    clear: () => {
      stdout.length = 0;
      stderr.length = 0;
    },
  };
}

/**
 * Replaces the stub line `throw notImplemented("fn");` of each named function with `body`.
 *
 * @example
 * ```ts
 * import { implement } from "@lib/course/_test_course.ts";
 * implement('  throw notImplemented("f");\n', { f: "return 1;" }); // "  return 1;\n"
 * ```
 */
export function implement(source: string, bodies: Record<string, string>): string {
  let out = source;
  for (const [fn, body] of Object.entries(bodies)) {
    const stub = `throw notImplemented("${fn}");`;
    if (!out.includes(stub)) throw new Error(`no stub line for ${fn}`);
    out = out.replace(stub, body);
  }
  return out;
}

/**
 * The body of `fn` in a solution file: the lines between its BEGIN and END SOLUTION markers.
 *
 * @example
 * ```ts
 * import { solutionBody } from "@lib/course/_test_course.ts";
 * solutionBody("function f() {\n  // BEGIN SOLUTION\n  return 1;\n  // END SOLUTION\n}", "f"); // "return 1;"
 * ```
 */
export function solutionBody(solution: string, fn: string): string {
  const region = markedRegions(solution).find((r) => r.fn === fn);
  if (!region) throw new Error(`no solution region for ${fn}`);
  return region.body.join("\n").trim();
}
