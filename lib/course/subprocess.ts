/**
 * Subprocesses that cannot outlive the course tools, their CPU time, and the temporary files
 * under `.course/tmp`. {@linkcode spawnTied} starts a child through a two-line `sh` wrapper whose
 * background reader kills it when a pipe only this process holds closes, whatever ended this
 * process (Ctrl-C, `kill -9`, a closed terminal). Temporary files carry their maker's process id,
 * so {@linkcode cleanStaleTemp} removes only those of processes that are gone.
 *
 * @example
 * ```ts
 * import { spawnTied } from "@lib/course/subprocess.ts";
 * const child = spawnTied(Deno.execPath(), ["--version"], { stdout: "piped", stderr: "piped" });
 * const out = await child.output();
 * ```
 * @module
 */
import { join } from "node:path";

/** A child started by {@linkcode spawnTied}. */
export interface TiedChild {
  /** The process id of the command itself (the wrapper `exec`s it). */
  pid: number;
  stdout: ReadableStream<Uint8Array>;
  stderr: ReadableStream<Uint8Array>;
  status: Promise<Deno.CommandStatus>;
  /** Kills it now (SIGKILL); no error if it is gone already. */
  kill(): void;
  /** Waits for it and collects its output (both streams must be piped). */
  output(): Promise<{ code: number; signal: Deno.Signal | null; stdout: string; stderr: string }>;
}

// The child inherits the pipe as fd 3; a background reader of it kills the child ($$: the shell,
// which `exec` turns into the command) when the pipe closes, that is when this process is gone or
// releases the tie after the child exited.
const TIE = "exec 3<&0 </dev/null; (cat <&3 >/dev/null 2>&1; kill -9 $$ 2>/dev/null) " +
  '>/dev/null 2>&1 & exec 3<&-; exec "$@"';

/**
 * Starts `command args` so that it is killed when this process ends for any reason (on Windows,
 * without `sh`, plainly).
 *
 * @example
 * ```ts
 * import { spawnTied } from "@lib/course/subprocess.ts";
 * const child = spawnTied(Deno.execPath(), ["eval", "1"], { stdout: "piped", stderr: "piped" });
 * (await child.output()).code; // 0
 * ```
 */
export function spawnTied(
  command: string,
  args: string[],
  options: Omit<Deno.CommandOptions, "args" | "stdin"> = {},
): TiedChild {
  const tied = Deno.build.os !== "windows";
  const child = new Deno.Command(tied ? "sh" : command, {
    ...options,
    args: tied ? ["-c", TIE, "sh", command, ...args] : args,
    stdin: tied ? "piped" : "null",
  }).spawn();
  const tie = tied ? child.stdin.getWriter() : undefined;
  const status = child.status.finally(() => tie?.close().catch(() => {}));
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  return {
    pid: child.pid,
    get stdout() {
      return child.stdout;
    },
    get stderr() {
      return child.stderr;
    },
    status,
    kill,
    async output() {
      const [stdout, stderr, st] = await Promise.all([
        new Response(child.stdout).text(),
        new Response(child.stderr).text(),
        status,
      ]);
      return { code: st.code, signal: st.signal, stdout, stderr };
    },
  };
}

/**
 * The CPU time (user + system, in seconds) a process has used so far, from `/proc` on Linux;
 * undefined elsewhere or when it is gone. Unlike wall time, a busy machine does not make it grow.
 *
 * @example
 * ```ts
 * import { cpuSeconds } from "@lib/course/subprocess.ts";
 * cpuSeconds(Deno.pid); // e.g. 0.42 on Linux, undefined on macOS
 * ```
 */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime
    // are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * The folder for temporary files of the course tools, `.course/tmp`, created if missing.
 *
 * @example
 * ```ts
 * import { tempDir } from "@lib/course/subprocess.ts";
 * const dir = await tempDir(".");
 * ```
 */
export async function tempDir(root: string): Promise<string> {
  const dir = join(root, ".course", "tmp");
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

/**
 * A prefix for a temporary file or folder that names this process (see {@linkcode cleanStaleTemp}).
 *
 * @example
 * ```ts
 * import { tempPrefix } from "@lib/course/subprocess.ts";
 * tempPrefix("trace"); // "trace_12345_"
 * ```
 */
export function tempPrefix(kind: string): string {
  return `${kind}_${Deno.pid}_`;
}

/**
 * Removes what processes that are gone left in `.course/tmp` (one killed with `kill -9` cannot
 * clean up): entries named by {@linkcode tempPrefix} whose process has ended (Linux), or older
 * than a day (elsewhere, and names without a process id).
 *
 * @example
 * ```ts
 * import { cleanStaleTemp } from "@lib/course/subprocess.ts";
 * await cleanStaleTemp(".");
 * ```
 */
export async function cleanStaleTemp(root: string, now = Date.now()): Promise<void> {
  const dir = join(root, ".course", "tmp");
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(dir));
  } catch {
    return;
  }
  const linux = Deno.build.os === "linux";
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const pid = Number(entry.name.match(/^[a-z_]+?_(\d+)_/)?.[1]);
    let stale: boolean;
    if (pid && linux) {
      stale = pid !== Deno.pid && !(await Deno.stat(`/proc/${pid}`).then(() => true, () => false));
    } else {
      const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime();
      stale = mtime !== undefined && now - mtime > 24 * 3600_000;
    }
    if (stale) await Deno.remove(path, { recursive: true }).catch(() => {});
  }
}
