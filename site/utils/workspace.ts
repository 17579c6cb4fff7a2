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
import type { State } from "../glue/types.ts";

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

/** The header a request that changes something (a check, a solution shown) must carry. */
export const ACTION_HEADER = "x-course-check";

/**
 * Why a request that acts for the learner (runs a check, records a solution as shown) is
 * refused, as a JSON response; undefined when it may go on. Refused: a site shared on the
 * network (`--host`), and a request from another web page: it must carry the header
 * {@linkcode ACTION_HEADER} (a form on another site cannot send it, and a script there cannot
 * without a preflight this site never grants) and, with an `Origin`, come from this site.
 *
 * @example
 * ```ts
 * import { actionRefused } from "./workspace.ts";
 * const res = actionRefused(new Request("http://127.0.0.1/api/check/1", { method: "POST" }), {
 *   root: ".",
 *   workspace: true,
 * });
 * res?.status; // 403: no header
 * ```
 */
export function actionRefused(req: Request, state: State): Response | undefined {
  if (!state.workspace) {
    return refusal(
      403,
      "This site is shared on the network (--host), so it does not act for you: run " +
        "`deno task lesson N` in a terminal, or serve the site on this machine only.",
    );
  }
  const origin = req.headers.get("origin");
  if (!req.headers.has(ACTION_HEADER) || (origin && origin !== new URL(req.url).origin)) {
    return refusal(403, "Refused: only this site's own pages can ask for that.");
  }
  return undefined;
}

/**
 * A JSON error answer: `{ "error": message }`.
 *
 * @example
 * ```ts
 * import { refusal } from "./workspace.ts";
 * refusal(404, "There is no lesson 9.").status; // 404
 * ```
 */
export function refusal(status: number, message: string): Response {
  return Response.json({ error: message }, { status, headers: { "cache-control": "no-store" } });
}
