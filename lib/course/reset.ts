/**
 * `--reset`: puts a lesson's exercise file back to its original stub (generated from the
 * reference solution), after copying the learner's file to a dated backup. A learner's file is
 * never overwritten without a copy, and the stub is written atomically.
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
import { join } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import { stubFor } from "@lib/course/author/stubs.ts";
import { backupFile } from "@lib/course/backup.ts";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";

/** What {@linkcode resetLesson} did. */
export interface ResetResult {
  /** The exercise file, relative to the root. */
  file: string;
  /** False when the file already was the original stub (nothing was written). */
  changed: boolean;
  /** Where the learner's file was saved, relative to the root (absent if there was none). */
  backup?: string;
}

/**
 * Restores `lesson`'s exercise file to its original stub, saving the current file first.
 *
 * @example
 * ```ts
 * import { resetLesson } from "@lib/course/reset.ts";
 * // const { backup } = await resetLesson(".", lesson);
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
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(join(root, file));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new ResetError(`cannot reset ${file}: it cannot be read (${why(e)})`);
    }
  }
  if (current === stub) return { file, changed: false };
  let backup: string | undefined;
  try {
    backup = current === undefined ? undefined : await backupFile(root, file, now);
  } catch (e) {
    throw new ResetError(
      `cannot reset ${file}: its backup under .course/backups/ could not be written ` +
        `(${why(e)}); nothing was changed`,
    );
  }
  try {
    await writeTextFileAtomic(join(root, file), stub);
  } catch (e) {
    throw new ResetError(
      `cannot reset ${file}: it cannot be replaced (${why(e)}; is it or its folder read-only or ` +
        `immutable? see ls -l and lsattr); your file is unchanged` +
        (backup ? `; a copy is in ${backup}` : ""),
    );
  }
  return { file, changed: true, backup };
}

/**
 * A reset that could not be done, with a one-line message that says what was left as it was.
 *
 * @example
 * ```ts
 * import { ResetError } from "@lib/course/reset.ts";
 * new ResetError("cannot reset lessons/01_bigram_data/exercises.ts: ...").name; // "ResetError"
 * ```
 */
export class ResetError extends Error {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "ResetError";
  }
}
