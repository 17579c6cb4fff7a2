/**
 * Writes a file so that a reader sees either the old text or the new text, never half of one:
 * the text goes to a temporary file beside the target, is flushed to disk, and is then renamed
 * over the target (a rename within one folder is atomic). A run interrupted before the rename
 * leaves the old file as it was, plus a stray `*.tmp-*` file that is harmless.
 *
 * (Written by hand: it is a dozen lines, and npm's `write-file-atomic` would add exit-signal
 * hooks that fight the watch mode's own Ctrl-C handling.)
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";
 * await writeTextFileAtomic(".course/progress.json", "{}\n");
 * ```
 * @module
 */
import { basename, dirname, join } from "node:path";

/**
 * Replaces `path` with `text` atomically, creating its folder if needed.
 *
 * @example
 * ```ts
 * import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";
 * await writeTextFileAtomic("/tmp/example.json", JSON.stringify({ ok: true }));
 * ```
 */
export async function writeTextFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirname(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = join(dir, `${basename(path)}.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`);
  try {
    const file = await Deno.open(tmp, { write: true, createNew: true });
    try {
      const bytes = new TextEncoder().encode(text);
      for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}
