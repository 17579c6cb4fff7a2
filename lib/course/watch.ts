/**
 * Watch mode, `deno task lesson N --watch`: the lesson's checks rerun at each save, at most one at
 * a time (a save during a check stops it and starts a new one), and the screen shows the lesson's
 * report. On a terminal, keys act at once: `h` the next hint of the exercise in focus, `n` the next
 * exercise (after the last, the next lesson), `l` the lesson list, `r` rerun, `q` or Ctrl-C quit.
 * Elsewhere the output is plain: one block per check, each ending `Watching ... for changes`.
 * The session takes its changes, keys, check and writer as small interfaces, so that a test can
 * drive it without files or a terminal.
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
import { takeHint } from "@lib/course/hints.ts";
import { type Progress, readProgress } from "@lib/course/progress.ts";
import { spin, wrap } from "@lib/course/terminal_text.ts";

/** Options of {@linkcode watchSession}. */
export interface WatchSessionOptions {
  root: string;
  /** Every lesson, in order (for `n` past the last exercise). */
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
  check: (lesson: Lesson, signal: AbortSignal, onOutcome: (o: Outcome) => void) => Promise<
    CheckResult
  >;
  changes: AsyncIterable<Change>;
  /** Single keys, when stdin is a terminal. */
  keys?: AsyncIterable<string>;
  /** The lines of the lesson list for `l`. */
  list: () => Promise<string[]>;
  /** Where to write; `interactive` on a terminal (clear the screen, a live status line). */
  io: { write(text: string): void; interactive: boolean; columns?: () => number | undefined };
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
    const { source, root } = options;
    const ctx = { source, root, watch: true, progress: last!.progress, site: options.site?.() };
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

/**
 * Runs watch mode until `q`, Ctrl-C or the signal; returns the exit code (0).
 *
 * @example
 * ```ts
 * import { watchSession } from "@lib/course/watch.ts";
 * // await watchSession({ ...options, io: { write: (t) => console.log(t), interactive: false } });
 * ```
 */
export async function watchSession(options: WatchSessionOptions): Promise<number> {
  const { io, root } = options;
  // One queue of events, fed by the changes, the keys, the checks and the signal.
  const queue: Event[] = [];
  let wake = () => {};
  const post = (event: Event) => {
    queue.push(event);
    wake();
  };
  const closed = new AbortController();
  const pump = async <T>(source: AsyncIterable<T> | undefined, toEvent: (x: T) => Event) => {
    try {
      for await (const x of source ?? []) {
        if (closed.signal.aborted) return;
        post(toEvent(x));
      }
    } catch (e) {
      if (!closed.signal.aborted) io.write(`${pc.red("Watching stopped:")} ${e}\n`);
    }
  };
  pump(options.changes, (c) => ({ type: "change", paths: c.paths }));
  pump(options.keys, (k) => ({ type: "key", key: k }));
  const quit = () => post({ type: "quit" });
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
      (result) => post({ type: "done", lesson: target, result }),
      (e) =>
        post({
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
      while (queue.length === 0) await new Promise<void>((r) => wake = r);
      const event = queue.shift()!;
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
    closed.abort();
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
