/**
 * Test support for the CLI's tests (not part of the course): a throw-away copy of the course with
 * lesson 1 only, and a fake terminal that records what the CLI prints.
 *
 * The copy holds `deno.json`, `deno.lock`, `lib/`, and lesson 1's exercise folder, solution and
 * test file; `node_modules/` is a symbolic link to the real one, so nothing is downloaded. Only
 * lesson 1 is copied so that lessons other engineers are still writing cannot break these tests.
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
import type { CliIo } from "@lib/course/cli/lesson.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { markedRegions } from "@lib/course/author/markers.ts";

/** The real course, the one these tests belong to. */
export const COURSE_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Lesson 1's folder name. */
export const LESSON1 = "01_bigram_data";

/** A temporary copy of the course. */
export interface CourseCopy {
  /** Its root folder. */
  root: string;
  /** Deletes it. */
  remove(): Promise<void>;
}

/**
 * Copies the course (lesson 1 only) into a temporary folder, with lesson 1's exercise file set
 * to its pristine stub.
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

/** A {@linkcode CliIo} that records everything, with ANSI colours removed. */
export interface FakeIo extends CliIo {
  /** Everything written to stdout. */
  stdout: string[];
  /** Every line written to stderr. */
  stderr: string[];
  /** The questions asked. */
  questions: string[];
  /** stdout and stderr as one string, since the last `clear()`. */
  text(): string;
  /** Forgets what was written. */
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
 * Removes ANSI escape sequences.
 *
 * @example
 * ```ts
 * import { stripAnsi } from "@lib/course/_test_course.ts";
 * stripAnsi("\x1b[31mred\x1b[39m"); // "red"
 * ```
 */
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "");
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
