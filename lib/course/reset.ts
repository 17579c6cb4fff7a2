/**
 * Never losing a learner's file: dated backups under `.course/backups/`, and `--reset`, which
 * puts a lesson's exercise file back to its stub (generated from the reference) after a backup,
 * writing it atomically.
 *
 * @example
 * ```ts
 * import { resetLesson } from "@lib/course/reset.ts";
 * import { findLesson, listLessons } from "@lib/course/lessons.ts";
 * const result = await resetLesson(".", findLesson(await listLessons("."), "1"));
 * if (result.backup) console.log(`your file was saved to ${result.backup}`);
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";

/**
 * `2026-01-02_030405`: the second `now` falls in, for dated file names.
 *
 * @example
 * ```ts
 * import { stamp } from "@lib/course/reset.ts";
 * stamp(new Date("2026-01-02T03:04:05Z")); // "2026-01-02_030405"
 * ```
 */
export function stamp(now: Date): string {
  return now.toISOString().slice(0, 19).replace("T", "_").replaceAll(":", "");
}

/**
 * Copies `relPath` (relative to `root`) to `.course/backups/<date>_<time>/relPath` and returns
 * the backup's path relative to `root`.
 *
 * @example
 * ```ts
 * import { backupFile } from "@lib/course/reset.ts";
 * await backupFile(".", "lessons/01_bigram_data/exercises.ts", new Date("2026-01-02T03:04:05Z"));
 * // ".course/backups/2026-01-02_030405/lessons/01_bigram_data/exercises.ts"
 * ```
 */
export async function backupFile(root: string, relPath: string, now = new Date()): Promise<string> {
  for (let n = 1;; n++) {
    const rel = join(".course", "backups", stamp(now) + (n > 1 ? `-${n}` : ""), relPath);
    try {
      await Deno.lstat(join(root, rel));
      continue;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
    await Deno.copyFile(join(root, relPath), join(root, rel));
    return rel;
  }
}

/** What {@linkcode resetLesson} did. */
export interface ResetResult {
  /** The exercise file, relative to the root. */
  file: string;
  /** False when the file already was the stub (nothing was written). */
  changed: boolean;
  /** Where the learner's file was saved, relative to the root (absent if there was none). */
  backup?: string;
  /** Why the reset could not be done, in one line that says what was left as it was. */
  error?: string;
}

/**
 * Restores `lesson`'s exercise file to its stub, saving the current file first.
 *
 * @example
 * ```ts
 * import { resetLesson } from "@lib/course/reset.ts";
 * // const { backup, error } = await resetLesson(".", lesson);
 * ```
 */
export async function resetLesson(
  root: string,
  lesson: Lesson,
  now = new Date(),
): Promise<ResetResult> {
  const file = lesson.paths.exercises;
  const stub = await stubFor(root, lesson.slug);
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0];
  const fail = (error: string) => ({
    file,
    changed: false,
    error: `cannot reset ${file}: ${error}`,
  });
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(join(root, file));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return fail(`it cannot be read (${why(e)})`);
  }
  if (current === stub) return { file, changed: false };
  let backup: string | undefined;
  try {
    backup = current === undefined ? undefined : await backupFile(root, file, now);
  } catch (e) {
    return fail(
      `its backup under .course/backups/ could not be written (${why(e)}); nothing was changed`,
    );
  }
  try {
    await writeTextFileAtomic(join(root, file), stub);
  } catch (e) {
    return fail(
      `it cannot be replaced (${why(e)}; is it or its folder read-only or immutable? see ls -l ` +
        `and lsattr); your file is unchanged` + (backup ? `; a copy is in ${backup}` : ""),
    );
  }
  return { file, changed: true, backup };
}
