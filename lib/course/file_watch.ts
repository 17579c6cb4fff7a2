/**
 * Notices when the learner saves a file, for watch mode. What changed is always found by
 * comparing two snapshots of the watched folders (each file's modification time and size): with
 * file events (`Deno.watchFs`), a burst of events triggers one comparison once the folder has been
 * quiet for `debounceMs`, with a slow poll as a safety net; by polling only every `intervalMs`
 * where events do not arrive (network drives, Windows drives under WSL), when asked, or when
 * `Deno.watchFs` fails.
 *
 * @example
 * ```ts
 * import { watchChanges } from "@lib/course/file_watch.ts";
 * const stop = new AbortController();
 * for await (const change of watchChanges({ dirs: ["lessons"], signal: stop.signal })) {
 *   console.log(`changed: ${change.paths.join(", ")}`);
 * }
 * ```
 * @module
 */
import { join, resolve } from "node:path";

/** Options of {@linkcode watchChanges}. */
export interface WatchOptions {
  /** The folders to watch, recursively. */
  dirs: string[];
  signal: AbortSignal;
  /** Poll only, without file events. */
  poll?: boolean;
  /** Which files count (default {@linkcode isWatchedFile}). */
  filter?: (path: string) => boolean;
  /** Quiet time after the last event before comparing (default 150 ms). */
  debounceMs?: number;
  /** The polling interval when polling only (default 500 ms; 4 s beside file events). */
  intervalMs?: number;
  /** Told once when file events cannot be used, with the reason. */
  onFallback?: (reason: string) => void;
}

/** A batch of changes: the files added, changed or removed, and how it was noticed first. */
export interface Change {
  paths: string[];
  via: "events" | "polling";
}

/** Path → "mtime:size" of every file that counts. */
export type Snapshot = Map<string, string>;

/**
 * The default filter: code, data and text files, not editors' temporary files.
 *
 * @example
 * ```ts
 * import { isWatchedFile } from "@lib/course/file_watch.ts";
 * isWatchedFile("lessons/01_x/exercises.ts"); // true
 * isWatchedFile("lessons/01_x/.exercises.ts.swp"); // false
 * ```
 */
export function isWatchedFile(path: string): boolean {
  const name = path.split(/[\\/]/).pop() ?? "";
  return /\.(ts|tsx|js|mjs|json|md)$/.test(name) && !name.startsWith(".") && !name.startsWith("#");
}

/**
 * Takes a snapshot of the files under `dirs`.
 *
 * @example
 * ```ts
 * import { snapshot } from "@lib/course/file_watch.ts";
 * const files = await snapshot(["lessons"], () => true);
 * ```
 */
export async function snapshot(
  dirs: string[],
  filter: (path: string) => boolean,
): Promise<Snapshot> {
  const out: Snapshot = new Map();
  const walk = async (dir: string): Promise<void> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return; // removed while we looked
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory && !e.name.startsWith(".") && e.name !== "node_modules") await walk(path);
      else if (e.isFile && filter(path)) {
        try {
          const info = await Deno.stat(path);
          out.set(path, `${info.mtime?.getTime() ?? 0}:${info.size}`);
        } catch { /* removed while we looked */ }
      }
    }
  };
  for (const dir of dirs) await walk(resolve(dir));
  return out;
}

/**
 * The paths that differ between two snapshots (added, removed or changed), sorted.
 *
 * @example
 * ```ts
 * import { changedPaths } from "@lib/course/file_watch.ts";
 * changedPaths(new Map([["a", "1:2"]]), new Map([["a", "3:2"], ["b", "1:1"]])); // ["a", "b"]
 * ```
 */
export function changedPaths(before: Snapshot, after: Snapshot): string[] {
  const out = new Set<string>();
  for (const [path, stamp] of after) if (before.get(path) !== stamp) out.add(path);
  for (const path of before.keys()) if (!after.has(path)) out.add(path);
  return [...out].sort();
}

/**
 * Why file events will not arrive for `dir`, if we can tell (a network or Windows drive: NFS,
 * SMB, 9p, WSL's `drvfs`, a Windows network share); undefined when they should.
 *
 * @example
 * ```ts
 * import { pollingReason } from "@lib/course/file_watch.ts";
 * pollingReason("."); // undefined on a local disk
 * ```
 */
export function pollingReason(dir: string): string | undefined {
  const path = resolve(dir);
  if (Deno.build.os === "windows") {
    return path.startsWith("\\\\") ? "the course is on a network share" : undefined;
  }
  if (Deno.build.os !== "linux") return undefined;
  let mounts: string;
  try {
    mounts = Deno.readTextFileSync("/proc/mounts");
  } catch {
    return undefined;
  }
  let best: { point: string; type: string } | undefined;
  for (const line of mounts.split("\n")) {
    const [, rawPoint, type] = line.split(" ");
    if (!rawPoint || !type) continue;
    const point = rawPoint.replace(/\\040/g, " ");
    const inside = path === point || path.startsWith(point.endsWith("/") ? point : point + "/");
    if (inside && (!best || point.length > best.point.length)) best = { point, type };
  }
  if (
    best && /^(nfs4?|cifs|smb3?|9p|v9fs|drvfs|fuse\.sshfs|fuse\.rclone|davfs|afs)$/.test(best.type)
  ) {
    return `the course is on a ${best.type} file system (${best.point}), where file events may not arrive`;
  }
  return undefined;
}

/**
 * Yields a batch of changed files each time something under `dirs` changes, until the signal
 * aborts; while the consumer works on a batch, new changes accumulate into the next one.
 *
 * @example
 * ```ts
 * import { watchChanges } from "@lib/course/file_watch.ts";
 * // for await (const { paths } of watchChanges({ dirs: ["lessons"], signal })) rerun(paths);
 * ```
 */
export async function* watchChanges(options: WatchOptions): AsyncGenerator<Change> {
  const { dirs, signal } = options;
  const filter = options.filter ?? isWatchedFile;
  const debounceMs = options.debounceMs ?? 150;
  let poll = options.poll ?? false;
  let watcher: Deno.FsWatcher | undefined;
  if (!poll) {
    const reason = dirs.map(pollingReason).find((r) => r !== undefined);
    if (reason) {
      poll = true;
      options.onFallback?.(`${reason}: watching by polling instead.`);
    } else {
      try {
        watcher = Deno.watchFs(dirs.map((d) => resolve(d)), { recursive: true });
      } catch (e) {
        poll = true;
        options.onFallback?.(
          `file events are not available (${(e as Error).message}): watching by polling instead.`,
        );
      }
    }
  }
  const intervalMs = poll ? (options.intervalMs ?? 500) : 4000;
  // `dirty` says why to compare now; `wake` ends the current wait early (an event after the
  // debounce, or an abort). A wake while the consumer is busy is kept in `dirty`.
  let dirty: Change["via"] | undefined;
  let wake = () => {};
  let eventTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = () => {
    clearTimeout(eventTimer);
    watcher?.close();
    wake();
  };
  signal.addEventListener("abort", onAbort);
  const pumping = (async () => {
    try {
      for await (const event of watcher ?? []) {
        if (!event.paths.some(filter)) continue;
        clearTimeout(eventTimer);
        eventTimer = setTimeout(() => {
          dirty ??= "events";
          wake();
        }, debounceMs);
      }
    } catch { /* closed */ }
  })();

  try {
    let before = await snapshot(dirs, filter);
    while (!signal.aborted) {
      if (!dirty) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((done) => (wake = done, timer = setTimeout(done, intervalMs)));
        clearTimeout(timer);
      }
      const via = dirty ?? "polling";
      dirty = undefined;
      if (signal.aborted) break;
      let after = await snapshot(dirs, filter);
      const changed = new Set(changedPaths(before, after));
      // A save in progress: wait until two snapshots agree, so one save gives one batch.
      for (let settle = 0; changed.size > 0 && settle < 10 && !signal.aborted; settle++) {
        await new Promise((r) => setTimeout(r, debounceMs));
        const again = await snapshot(dirs, filter);
        const more = changedPaths(after, again);
        after = again;
        if (more.length === 0) break;
        for (const p of more) changed.add(p);
      }
      before = after;
      if (changed.size > 0 && !signal.aborted) yield { paths: [...changed].sort(), via };
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    clearTimeout(eventTimer);
    try {
      watcher?.close();
    } catch { /* closed already */ }
    await pumping;
  }
}
