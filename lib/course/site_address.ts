/**
 * Where the course site runs, so that the terminal can link to it: `deno task site` writes its
 * address to `.course/site.json` while it runs and removes the file when it stops; the
 * terminal's `where:` line then adds the line's address in the site's source view. A file left
 * by a site that was killed is never believed: {@linkcode liveSiteUrl} asks the address for its
 * process id and trusts the file only when the running site answers with the one written there.
 *
 * @example
 * ```ts
 * import { liveSiteUrl } from "@lib/course/site_address.ts";
 * const site = await liveSiteUrl("."); // "http://127.0.0.1:8000", or undefined
 * ```
 * @module
 */
import { join } from "node:path";
import { writeTextFileAtomic } from "@lib/course/atomic_write.ts";

/** The file, relative to the course root. */
export const SITE_PATH = ".course/site.json";

/** The site's path that answers `{ "pid": N }`: the running site's process id. */
export const SITE_ALIVE_PATH = "/api/site";

/** What the file holds. */
export interface SiteAddress {
  /** The site's base address, without a trailing slash (`http://127.0.0.1:8000`). */
  url: string;
  /** The site's process id. */
  pid: number;
}

/**
 * Writes the file for a site that listens at `url`; returns the function that removes it (only
 * while it still names this process: a second site started since keeps its own).
 *
 * @example
 * ```ts
 * import { announceSite } from "@lib/course/site_address.ts";
 * const remove = await announceSite(".", "http://127.0.0.1:8000");
 * await remove();
 * ```
 */
export async function announceSite(root: string, url: string): Promise<() => Promise<void>> {
  const path = join(root, SITE_PATH);
  const mine: SiteAddress = { url: url.replace(/\/+$/, ""), pid: Deno.pid };
  await writeTextFileAtomic(path, JSON.stringify(mine, null, 2) + "\n");
  return async () => {
    const now = await readSiteFile(root);
    if (now?.pid === mine.pid && now.url === mine.url) await Deno.remove(path).catch(() => {});
  };
}

/**
 * The site's address when a site of this course is running, else undefined (no file, a file
 * left by a site that is gone, or an address that answers for another process).
 *
 * @example
 * ```ts
 * import { liveSiteUrl } from "@lib/course/site_address.ts";
 * await liveSiteUrl("/tmp/no-course"); // undefined
 * ```
 */
export async function liveSiteUrl(root: string, timeoutMs = 3000): Promise<string | undefined> {
  const site = await readSiteFile(root);
  if (!site) return undefined;
  try {
    const res = await fetch(site.url + SITE_ALIVE_PATH, { signal: AbortSignal.timeout(timeoutMs) });
    const body = res.ok ? await res.json() : await res.body?.cancel();
    return body?.pid === site.pid ? site.url : undefined;
  } catch {
    return undefined; // nothing listens there any more (a killed site), or not in time
  }
}

/** The file's content when it is valid, else undefined. */
async function readSiteFile(root: string): Promise<SiteAddress | undefined> {
  try {
    const data = JSON.parse(await Deno.readTextFile(join(root, SITE_PATH)));
    const ok = typeof data?.url === "string" && /^https?:\/\/[\w.:\[\]-]+$/.test(data.url) &&
      Number.isInteger(data.pid);
    return ok ? { url: data.url, pid: data.pid } : undefined;
  } catch {
    return undefined;
  }
}
