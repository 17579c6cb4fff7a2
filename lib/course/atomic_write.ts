/**
 * Writes a file so that a reader sees the old text or the new, never half: a temporary file
 * beside the target, flushed, then renamed over it. (By hand: a dozen lines, where npm's
 * `write-file-atomic` adds exit-signal hooks that fight watch mode's own Ctrl-C handling.)
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
