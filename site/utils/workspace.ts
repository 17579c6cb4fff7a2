/**
 * The site as the learner's workspace, on the server side: it notices when
 * `.course/progress.json` changes (written by `deno task lesson N`, in a terminal or from the
 * page's Check button) and tells the open pages (server-sent events, see `routes/api/events.ts`),
 * and it runs one lesson's check at a time for the Check button: `deno task lesson N` itself, in
 * the course folder, its output streamed to the page.
 *
 * @example
 * ```ts
 * import { workspaceFor } from "./workspace.ts";
 * const workspace = workspaceFor(".");
 * const stop = workspace.subscribe((event) => console.log(event.type));
 * stop();
 * ```
 * @module
 */
import { join } from "node:path";
import { PROGRESS_PATH } from "@lib/course/progress.ts";

/** What the open pages are told. */
export type LiveEvent =
  | { type: "progress" }
  | { type: "check"; lesson: number; running: boolean };

/** One line of the Check button's stream (newline-delimited JSON). */
export type CheckMessage =
  | { type: "start"; lesson: number }
  | { type: "output"; text: string }
  | { type: "done"; code: number }
  | { type: "error"; message: string };

/** The check now running. */
export interface RunningCheck {
  /** The lesson's number. */
  lesson: number;
  /** When it started (ms since the epoch). */
  started: number;
}

/** How often the progress file is looked at while a page listens (ms). */
export const POLL_MS = 300;

/**
 * One course folder's workspace: its listeners and its one running check.
 *
 * @example
 * ```ts
 * import { Workspace } from "./workspace.ts";
 * const ws = new Workspace(".");
 * ws.running; // undefined
 * ```
 */
export class Workspace {
  #root: string;
  #listeners = new Set<(event: LiveEvent) => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #seen: string | undefined;
  #running: RunningCheck | undefined;
  #command: string[];

  /**
   * @param root The course folder.
   * @param command The check's command line after `deno`; `N` is replaced by the lesson number.
   */
  constructor(root: string, command = ["task", "--quiet", "lesson", "N"]) {
    this.#root = root;
    this.#command = command;
  }

  /** The check now running, if any. */
  get running(): RunningCheck | undefined {
    return this.#running;
  }

  /** Calls `listener` at each event until the returned function is called. */
  subscribe(listener: (event: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    if (this.#timer === undefined) {
      this.#seen = undefined;
      void this.#poll();
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#timer !== undefined) {
        clearTimeout(this.#timer);
        this.#timer = undefined;
      }
    };
  }

  #emit(event: LiveEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async #poll(): Promise<void> {
    const stamp = await Deno.stat(join(this.#root, PROGRESS_PATH)).then(
      (s) => `${s.mtime?.getTime()}:${s.size}:${s.ino ?? ""}`,
      () => "missing",
    );
    if (this.#seen !== undefined && stamp !== this.#seen) this.#emit({ type: "progress" });
    this.#seen = stamp;
    if (this.#listeners.size > 0) this.#timer = setTimeout(() => this.#poll(), POLL_MS);
    else this.#timer = undefined;
  }

  /**
   * Starts lesson `lesson`'s check and returns its output as a stream of
   * {@linkcode CheckMessage} lines, or the check already running (one at a time).
   *
   * @example
   * ```ts
   * import { Workspace } from "./workspace.ts";
   * const started = new Workspace(".").check(1);
   * if ("stream" in started) for await (const chunk of started.stream) console.log(chunk);
   * ```
   */
  check(lesson: number): { stream: ReadableStream<Uint8Array> } | { busy: RunningCheck } {
    if (this.#running) return { busy: this.#running };
    const running = { lesson, started: Date.now() };
    this.#running = running;
    this.#emit({ type: "check", lesson, running: true });
    const encoder = new TextEncoder();
    let send = (_m: CheckMessage) => {};
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => {
        send = (m) => {
          try {
            controller.enqueue(encoder.encode(JSON.stringify(m) + "\n"));
            if (m.type === "done" || m.type === "error") controller.close();
          } catch { /* the page went away: the check still runs to the end and is recorded */ }
        };
      },
      cancel: () => {
        send = () => {};
      },
    });
    send({ type: "start", lesson });
    void this.#run(lesson, (m) => send(m)).finally(() => {
      this.#running = undefined;
      this.#emit({ type: "check", lesson, running: false });
    });
    return { stream };
  }

  async #run(lesson: number, send: (m: CheckMessage) => void): Promise<void> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(Deno.execPath(), {
        args: this.#command.map((a) => a === "N" ? String(lesson) : a),
        cwd: this.#root,
        env: { NO_COLOR: "1" },
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      send({ type: "error", message: `The check could not start: ${(error as Error).message}` });
      return;
    }
    const pump = async (from: ReadableStream<Uint8Array>) => {
      const decoder = new TextDecoder();
      for await (const bytes of from) {
        const text = decoder.decode(bytes, { stream: true });
        if (text) send({ type: "output", text });
      }
    };
    const [status] = await Promise.all([child.status, pump(child.stdout), pump(child.stderr)]);
    send({ type: "done", code: status.code });
  }
}

const workspaces = new Map<string, Workspace>();

/**
 * The workspace of a course folder (one per folder, shared by every request).
 *
 * @example
 * ```ts
 * import { workspaceFor } from "./workspace.ts";
 * workspaceFor(".") === workspaceFor("."); // true
 * ```
 */
export function workspaceFor(root: string): Workspace {
  let ws = workspaces.get(root);
  if (!ws) workspaces.set(root, ws = new Workspace(root));
  return ws;
}
