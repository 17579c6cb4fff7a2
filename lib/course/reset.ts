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
  let current: string | undefined;
  try {
    current = await Deno.readTextFile(join(root, file));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (current === stub) return { file, changed: false };
  const backup = current === undefined ? undefined : await backupFile(root, file, now);
  await writeTextFileAtomic(join(root, file), stub);
  return { file, changed: true, backup };
}
