/**
 * Which of the learner's exercise files the demos' engine cannot build, so that one broken file
 * stops only the demos that import it (see `EngineBundles` in `bundle.ts`). Before a build,
 * {@linkcode findBrokenLessons} finds the files that are missing and those with a syntax error
 * (all at once, with `deno fmt --check`, which parses with the same parser as `deno bundle`);
 * after a failed build, {@linkcode blameLesson} names the lesson whose file the bundler's error
 * points at, for the errors only a build finds (an import of a module that does not exist). The
 * engine is then built with a stand-in for each such file (`standInSource` in
 * `client/broken_lesson.ts`). Nothing here writes to the learner's folder.
 *
 * @example
 * ```ts
 * import { findBrokenLessons } from "./stand_ins.ts";
 * const broken = await findBrokenLessons(".", "lessons", ["01_bigram_data"]);
 * broken.size; // 0 on a fresh clone
 * ```
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrokenLesson } from "../client/broken_lesson.ts";
import { LESSON_SLUG } from "@lib/course/lessons.ts";

/**
 * The lessons with an exercise file in `dir` (a `solutions/` or `lessons/` folder), sorted.
 *
 * @example
 * ```ts
 * import { exerciseLessons } from "./stand_ins.ts";
 * await exerciseLessons("solutions"); // ["00_tfjs_primer", "01_bigram_data", ...]
 * ```
 */
export async function exerciseLessons(dir: string): Promise<string[]> {
  const slugs: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isDirectory || !LESSON_SLUG.test(entry.name)) continue;
      const file = await Deno.stat(join(dir, entry.name, "exercises.ts")).catch(() => undefined);
      if (file?.isFile) slugs.push(entry.name);
    }
  } catch {
    // no such folder: no lessons
  }
  return slugs.sort();
}

/**
 * How a path is shown to the learner: `lessons/...` under their lessons folder `dir`, relative
 * under the project `root`, else as it is.
 */
function shownPath(path: string, root: string, dir: string): string {
  const inside = (base: string) => {
    const rel = relative(base, path);
    return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
  };
  const inLessons = inside(dir);
  if (inLessons) return `lessons/${inLessons}`;
  return inside(root) ?? path;
}

/**
 * `text` with the colours dropped and every `file://` URL or quoted relative path (`deno bundle`
 * writes both) shown as the learner names it (see `shownPath`).
 *
 * @example
 * ```ts
 * import { plainError } from "./stand_ins.ts";
 * plainError('Module not found "file:///c/lib/x.ts"', "/c", "/c/lessons"); // 'Module not found "lib/x.ts"'
 * ```
 */
export function plainError(text: string, root: string, dir: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, "")
    .replace(/file:\/\/[^\s"')]+/g, (url) => shownPath(fileURLToPath(url), root, dir))
    .replace(/"(\.\.?\/[^"]+)"/g, (_, p: string) => `"${shownPath(resolve(root, p), root, dir)}"`);
}

/** The lesson whose folder in `dir` holds `path`, or undefined. */
function lessonOf(path: string, dir: string): string | undefined {
  const rel = relative(dir, path);
  if (!rel || rel.startsWith("..") || isAbsolute(rel)) return undefined;
  const slug = rel.split(sep)[0];
  return LESSON_SLUG.test(slug) ? slug : undefined;
}

/** A broken lesson's record, from its folder name. */
function broken(slug: string, fields: Omit<BrokenLesson, "lesson" | "slug" | "file">) {
  return {
    lesson: Number(slug.slice(0, 2)),
    slug,
    file: `lessons/${slug}/exercises.ts`,
    ...fields,
  };
}

/**
 * The exercise files of `slugs` in the learner's lessons folder `dir` that are missing or do
 * not parse, by lesson, with the parser's first error and its place. `root` is the project (for
 * how paths are shown, and where `deno fmt` runs; it writes nothing with `--check`).
 *
 * @example
 * ```ts
 * import { findBrokenLessons } from "./stand_ins.ts";
 * const broken = await findBrokenLessons(".", "lessons", ["01_bigram_data", "02_attention"]);
 * broken.get("02_attention")?.problem; // "SyntaxError: Expression expected" after a typo
 * ```
 */
export async function findBrokenLessons(
  root: string,
  dir: string,
  slugs: string[],
): Promise<Map<string, BrokenLesson>> {
  const found = new Map<string, BrokenLesson>();
  const present: string[] = [];
  const lessons = resolve(root, dir);
  for (const slug of slugs) {
    const path = join(lessons, slug, "exercises.ts");
    const file = await Deno.stat(path).catch(() => undefined);
    if (file?.isFile) present.push(path);
    else found.set(slug, broken(slug, { missing: true, problem: "" }));
  }
  if (present.length === 0) return found;
  let stderr: Uint8Array;
  try {
    ({ stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "--check", "--no-config", ...present],
      cwd: root,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output());
  } catch {
    return found; // no parser to ask: the build's own error names such a file
  }
  // "Error checking: PATH", then the parser's message and "at file:///PATH:LINE:COL", indented.
  const text = plainError(new TextDecoder().decode(stderr), root, lessons);
  for (const block of text.split(/^Error (?:checking|formatting): /m).slice(1)) {
    const [first, ...rest] = block.split("\n");
    const slug = lessonOf(resolve(lessons, first.trim().replace(/^lessons\//, "")), lessons);
    if (!slug || found.has(slug)) continue;
    const problem = rest.find((l) => l.trim() !== "")?.trim() ?? "it does not parse";
    const where = rest.map((l) => l.match(/^\s+at (\S+:\d+:\d+)\s*$/)?.[1]).find(Boolean);
    found.set(slug, broken(slug, { missing: false, problem, where }));
  }
  return found;
}

/**
 * The lesson whose file in the learner's lessons folder `dir` a failed `deno bundle`'s output
 * points at (the place of its first error, else the first file it names), with the error in
 * one line; undefined when the error is not in the learner's lessons.
 *
 * @example
 * ```ts
 * import { blameLesson } from "./stand_ins.ts";
 * blameLesson('error: Module not found "file:///c/lib/x.ts".\n    at file:///c/lessons/05_training/exercises.ts:3:8', "/c", "/c/lessons");
 * // { slug: "05_training", problem: 'Module not found "lib/x.ts"', where: "lessons/05_training/exercises.ts:3:8" }
 * ```
 */
export function blameLesson(
  output: string,
  root: string,
  dir: string,
): { slug: string; problem: string; where?: string } | undefined {
  // deno-lint-ignore no-control-regex
  const raw = output.replace(/\u001b\[[0-9;]*m/g, "");
  const at = raw.match(/\bat (file:\/\/\S+?):(\d+):(\d+)/);
  const url = at?.[1] ?? raw.match(/file:\/\/[^\s"')]+/)?.[0];
  if (!url) return undefined;
  const slug = lessonOf(fileURLToPath(url), dir);
  if (!slug) return undefined;
  const plain = plainError(raw, root, dir);
  const first = plain.split("\n").find((l) => l.startsWith("error: "))?.slice(7) ??
    plain.split("\n")[0];
  const where = at ? `${shownPath(fileURLToPath(at[1]), root, dir)}:${at[2]}:${at[3]}` : undefined;
  return { slug, problem: first.trim().replace(/\.$/, ""), where };
}

/**
 * The record of a lesson blamed by {@linkcode blameLesson}.
 *
 * @example
 * ```ts
 * import { blamedLesson } from "./stand_ins.ts";
 * blamedLesson({ slug: "05_training", problem: "Module not found" }).file; // "lessons/05_training/exercises.ts"
 * ```
 */
export function blamedLesson(
  blame: { slug: string; problem: string; where?: string },
): BrokenLesson {
  return broken(blame.slug, { missing: false, problem: blame.problem, where: blame.where });
}
