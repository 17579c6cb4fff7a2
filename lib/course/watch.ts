/**
 * Watch mode, `deno task lesson N --watch`: the lesson's checks rerun each time a file of the
 * course's exercises is saved, and the screen shows the state of each exercise and the first
 * failure. On a terminal, single keys act at once:
 *
 * | key | action |
 * | --- | --- |
 * | `h` | the next hint tier of the exercise in focus (remembered in the progress file) |
 * | `n` | focus the next exercise; after the last one, go to the next lesson |
 * | `l` | list every lesson with its progress |
 * | `r` | rerun the checks |
 * | `q`, Ctrl-C | quit |
 *
 * When stdout is not a terminal the output is plain: no screen clearing, one block per check,
 * each ending with the line `Watching ... for changes`. At most one check runs at a time: a save
 * during a check stops it and starts a new one once it has stopped.
 *
 * The session is written against small interfaces (a stream of changes, a stream of keys, a
 * check function, a writer) so that it can be driven by a test without files or a terminal.
 *
 * @example
 * ```ts
 * import { watchSession } from "@lib/course/watch.ts";
 * // const code = await watchSession({ root, lessons, lesson, check, changes, keys, io });
 * ```
 * @module
 */
import pc from "picocolors";
import { relative } from "node:path";
import type { Lesson } from "@lib/course/lessons.ts";
import type { Outcome } from "@lib/course/run_tests.ts";
import { type ExerciseState, type LessonStatus, lessonStatus } from "@lib/course/status.ts";
import { type CheckResult, webgpuFor } from "@lib/course/lesson_check.ts";
import type { Change } from "@lib/course/file_watch.ts";
import { lessonReport, loadErrorFile } from "@lib/course/report.ts";
import { wrap } from "@lib/course/terminal_text.ts";
import { takeHint } from "@lib/course/hints.ts";
import { type Progress, readProgress } from "@lib/course/progress.ts";
import { spin } from "@lib/course/spinner.ts";

/** Where the session writes. */
export interface WatchIo {
  /** Writes text as is (add your own newlines). */
  write(text: string): void;
  /** True on a terminal: clear the screen before each report, show a live status line. */
  interactive: boolean;
  /** The terminal's width, to wrap long lines at word boundaries (undefined: no wrapping). */
  columns?: () => number | undefined;
}

/** Options of {@linkcode watchSession}. */
export interface WatchSessionOptions {
  /** The course root. */
  root: string;
  /** Every lesson, in order (for `n` past the last exercise, and `l`). */
  lessons: Lesson[];
  /** The lesson to watch first. */
  lesson: Lesson;
  /** The exercise to focus first (default: the one the lesson's status picks). */
  focus?: string;
  /** Which code is checked; `solutions` is for authors and records nothing. */
  source: "lessons" | "solutions";
  /** The folders watched, for the footer. */
  watched: string[];
  /** Runs one lesson's checks (and records them); must stop when the signal aborts. */
  check: (
    lesson: Lesson,
    signal: AbortSignal,
    onOutcome: (o: Outcome) => void,
  ) => Promise<CheckResult>;
  /** The changes to react to. */
  changes: AsyncIterable<Change>;
  /** Single keys, when stdin is a terminal. */
  keys?: AsyncIterable<string>;
  /** The lines of the lesson list for `l`. */
  list: () => Promise<string[]>;
  /** Where to write. */
  io: WatchIo;
  /** Stops the session from outside (a signal such as SIGTERM). */
  signal?: AbortSignal;
  /** A note to show under every report (e.g. that polling is used instead of file events). */
  note?: () => string | undefined;
  /** The course site's address while it runs: `where:` then links to it (see `report.ts`). */
  site?: () => string | undefined;
}

type Event =
  | { type: "change"; paths: string[] }
  | { type: "key"; key: string }
  | { type: "done"; lesson: Lesson; result: CheckResult }
  | { type: "quit" };

/** What the screen shows, between two events. */
interface Screen {
  lesson: Lesson;
  focus?: string;
  /** The last finished check of `lesson`, with what the report needs besides its states. */
  last?: {
    states: ExerciseState[];
    error?: string;
    webgpu?: { available: boolean };
    progress: Progress;
  };
  notice?: string;
  /** Lines under the report: a hint (shown while its exercise is current), the list, a word. */
  extra: { lines: string[]; exercise?: string };
  checks: number;
  reason: string;
}

const CLEAR = "\x1b[2J\x1b[3J\x1b[H";

/** The lesson's status as the screen shows it: the check's states, the focus, the record. */
function statusOf(screen: Screen, options: WatchSessionOptions): LessonStatus | undefined {
  const { lesson, last, focus } = screen;
  if (!last || last.error) return undefined;
  const record = last.progress.lessons[lesson.slug];
  const { states, webgpu } = last;
  return lessonStatus({ lesson, states, record, lessons: options.lessons, webgpu, focus });
}

/** The text of one screen. */
function render(screen: Screen, options: WatchSessionOptions): string[] {
  const { lesson, last, extra } = screen;
  const out = options.io.interactive ? [] : [
    "",
    pc.dim(
      `── check ${screen.checks} · ${new Date().toLocaleTimeString()} · ${screen.reason} ──`,
    ),
  ];
  const status = statusOf(screen, options);
  if (last?.error) {
    out.push(pc.red(pc.bold(`Lesson ${lesson.number}: the checks could not run.`)), last.error);
    out.push(`\n${loadErrorFile(lesson, last.error)}`);
  } else if (status) {
    const ctx = {
      source: options.source,
      root: options.root,
      watch: true,
      progress: last!.progress,
      site: options.site?.(),
    };
    out.push(...lessonReport(status, ctx));
  }
  if (screen.notice) out.push("", pc.yellow(screen.notice));
  const note = options.note?.();
  if (note) out.push("", pc.dim(note));
  // A hint belongs to its exercise: once another is current, it goes.
  const shown = extra.exercise === undefined || extra.exercise === status?.current?.exercise.id;
  if (shown && extra.lines.length > 0) out.push("", ...extra.lines);
  const where = options.watched.join(", ");
  out.push(
    "",
    options.keys
      ? pc.dim(`Watching ${where} for changes · h hint · n next · l list · r rerun · q quit`)
      : pc.dim(`Watching ${where} for changes (Ctrl-C to stop).`),
  );
  const width = options.io.columns?.();
  return width ? wrap(out, width) : out;
}

/** The next hint tier of the screen's exercise, recorded as seen; the lines that show it. */
async function hint(screen: Screen, options: WatchSessionOptions): Promise<Screen["extra"]> {
  const { lesson } = screen;
  const status = statusOf(screen, options);
  const target = status?.current;
  if (!target) {
    return { lines: [pc.green("Every exercise of this lesson passes: no hint needed.")] };
  }
  const { exercise } = target;
  if (options.source === "solutions") {
    return { lines: ["(Hints are for your own code; this session checks solutions/.)"] };
  }
  const passes = status!.next === "passes";
  const { lines, notice } = await takeHint(options.root, lesson, exercise, "Press h", passes);
  if (notice) screen.notice = notice;
  return { lines, exercise: exercise.id };
}

/** `n`: focus the next exercise, or move to the next lesson (true: a check is needed). */
function nextExercise(screen: Screen, options: WatchSessionOptions): boolean {
  const ids = screen.lesson.exercises.map((e) => e.id);
  const i = ids.indexOf(
    screen.focus ?? statusOf(screen, options)?.current?.exercise.id ?? ids[ids.length - 1],
  );
  if (i >= 0 && i + 1 < ids.length) {
    screen.focus = ids[i + 1];
    return false;
  }
  const after = options.lessons.find((l) => l.number > screen.lesson.number);
  if (!after) {
    screen.extra = { lines: ["This is the last lesson: there is no next exercise."] };
    return false;
  }
  Object.assign(screen, { lesson: after, focus: undefined, last: undefined });
  return true;
}

/** A queue of events fed by async sources; `next` waits for the next one. */
class Events {
  #queue: Event[] = [];
  #wake?: () => void;
  #stop = new AbortController();
  post(event: Event): void {
    this.#queue.push(event);
    this.#wake?.();
  }
  async next(): Promise<Event> {
    while (this.#queue.length === 0) await new Promise<void>((r) => this.#wake = r);
    return this.#queue.shift()!;
  }
  /** Posts each item of `source` as an event until {@linkcode Events.close}. */
  async pump<T>(source: AsyncIterable<T> | undefined, toEvent: (x: T) => Event, io: WatchIo) {
    try {
      for await (const x of source ?? []) {
        if (this.#stop.signal.aborted) return;
        this.post(toEvent(x));
      }
    } catch (e) {
      if (!this.#stop.signal.aborted) io.write(`${pc.red("Watching stopped:")} ${e}\n`);
    }
  }
  close(): void {
    this.#stop.abort();
  }
}

/**
 * Runs watch mode until `q`, Ctrl-C, the end of the key stream or the signal; returns the exit
 * code (0).
 *
 * @example
 * ```ts
 * import { watchSession } from "@lib/course/watch.ts";
 * // await watchSession({ ...options, io: { write: (t) => console.log(t), interactive: false } });
 * ```
 */
export async function watchSession(options: WatchSessionOptions): Promise<number> {
  const { io, root } = options;
  const events = new Events();
  events.pump(options.changes, (c) => ({ type: "change", paths: c.paths }), io);
  events.pump(options.keys, (k) => ({ type: "key", key: k }), io);
  const quit = () => events.post({ type: "quit" });
  if (options.signal?.aborted) quit();
  options.signal?.addEventListener("abort", quit);

  const screen: Screen = {
    lesson: options.lesson,
    focus: options.focus,
    extra: { lines: [] },
    checks: 0,
    reason: "first check",
  };
  const show = () =>
    io.write((io.interactive ? CLEAR : "") + render(screen, options).join("\n") + "\n");
  const status = (text: string) => io.interactive && io.write(`\r\x1b[2K${text}`);
  let running: { controller: AbortController; done: Promise<void> } | undefined;
  let rerun = false;
  let spinner: ReturnType<typeof setInterval> | undefined;

  const startCheck = () => {
    const controller = new AbortController();
    const target = screen.lesson;
    let finished = 0;
    const label = `Checking lesson ${target.number} (${screen.reason}) ...`;
    if (io.interactive) {
      clearInterval(spinner);
      spinner = spin((frame) => status(`${frame} ${label} ${finished} tests done`));
    } else io.write(pc.dim(`\n${label}\n`));
    const done = options.check(target, controller.signal, () => finished++).then(
      (result) => events.post({ type: "done", lesson: target, result }),
      (e) =>
        events.post({
          type: "done",
          lesson: target,
          result: { states: [], error: `${e?.stack ?? e}` },
        }),
    );
    running = { controller, done };
  };
  const requestCheck = (why: string) => {
    screen.reason = why;
    if (!running) return startCheck();
    rerun = true;
    running.controller.abort();
  };

  startCheck();
  try {
    while (true) {
      const event = await events.next();
      if (event.type === "quit") break;
      if (event.type === "change") {
        const names = event.paths.map((p) => relative(root, p) || p);
        requestCheck(`${names.slice(0, 2).join(", ")}${names.length > 2 ? ", ..." : ""} changed`);
      } else if (event.type === "done") {
        running = undefined;
        clearInterval(spinner);
        status("");
        if (rerun) {
          rerun = false;
          startCheck();
        } else if (!event.result.aborted && event.lesson === screen.lesson) {
          const { states, error, notice } = event.result;
          const [webgpu, progress] = await Promise.all([
            webgpuFor(root, screen.lesson),
            readProgress(root),
          ]);
          screen.checks++;
          screen.last = { states, error, webgpu, progress };
          if (notice) screen.notice = notice;
          show();
        }
      } else {
        const key = event.key.toLowerCase();
        if (key === "q" || key === "\x03" || key === "\x04") break;
        if (key === "r") requestCheck("rerun (r)");
        else if (key === "h" && screen.last && !screen.last.error) {
          screen.extra = await hint(screen, options);
          show();
        } else if (key === "n") {
          screen.extra = { lines: [] };
          if (nextExercise(screen, options)) requestCheck(`lesson ${screen.lesson.number}`);
          else if (screen.last) show();
        } else if (key === "l") {
          screen.extra = { lines: await options.list() };
          show();
        }
      }
    }
  } finally {
    events.close();
    options.signal?.removeEventListener("abort", quit);
    clearInterval(spinner);
    if (running) {
      running.controller.abort();
      await running.done;
    }
    status("");
    io.write(pc.dim("Stopped watching.\n"));
  }
  return 0;
}
