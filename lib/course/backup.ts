/**
 * Dated backups of a learner's files: nothing the course overwrites is lost.
 *
 * @example
 * ```ts
 * import { backupFile } from "@lib/course/backup.ts";
 * const saved = await backupFile(".", "lessons/01_bigram_data/exercises.ts");
 * console.log(`your file was saved to ${saved}`);
 * ```
 * @module
 */
import { dirname, join } from "node:path";

/**
 * Copies `relPath` (relative to `root`) to `.course/backups/<date>_<time>/relPath` and returns
 * the backup's path relative to `root`.
 *
 * @example
 * ```ts
 * import { backupFile } from "@lib/course/backup.ts";
 * await backupFile(".", "lessons/01_bigram_data/exercises.ts", new Date("2026-01-02T03:04:05Z"));
 * // ".course/backups/2026-01-02_030405/lessons/01_bigram_data/exercises.ts"
 * ```
 */
export async function backupFile(root: string, relPath: string, now = new Date()): Promise<string> {
  const stamp = now.toISOString().slice(0, 19).replace("T", "_").replaceAll(":", "");
  let rel = join(".course", "backups", stamp, relPath);
  for (let n = 2; await exists(join(root, rel)); n++) {
    rel = join(".course", "backups", `${stamp}-${n}`, relPath);
  }
  await Deno.mkdir(dirname(join(root, rel)), { recursive: true });
  await Deno.copyFile(join(root, relPath), join(root, rel));
  return rel;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}
