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
import { type ExerciseState, nextOpen } from "@lib/course/status.ts";
import { type CheckResult, webgpuFor } from "@lib/course/lesson_check.ts";
import type { Change } from "@lib/course/file_watch.ts";
import { lessonReport, loadErrorFile } from "@lib/course/report.ts";
import { hintReport, nextHint } from "@lib/course/hints.ts";
import {
  hintsSeen,
  type Progress,
  readProgress,
  recordHintSeen,
  updateProgress,
} from "@lib/course/progress.ts";

/** Where the session writes. */
export interface WatchIo {
  /** Writes text as is (add your own newlines). */
  write(text: string): void;
  /** True on a terminal: clear the screen before each report, show a live status line. */
  interactive: boolean;
}

/** Options of {@linkcode watchSession}. */
export interface WatchSessionOptions {
  /** The course root. */
  root: string;
  /** Every lesson, in order (for `n` past the last exercise, and `l`). */
  lessons: Lesson[];
  /** The lesson to watch first. */
  lesson: Lesson;
  /** The exercise to focus first (default: the first that does not pass). */
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
}

type Event =
  | { type: "change"; paths: string[] }
  | { type: "key"; key: string }
  | { type: "done"; lesson: Lesson; result: CheckResult }
  | { type: "quit" };

const CLEAR = "\x1b[2J\x1b[3J\x1b[H";
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

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
  const queue: Event[] = [];
  let notify: (() => void) | undefined;
  const post = (e: Event) => {
    queue.push(e);
    notify?.();
  };
  const next = async (): Promise<Event> => {
    while (queue.length === 0) await new Promise<void>((r) => notify = r);
    notify = undefined;
    return queue.shift()!;
  };

  const stopPumps = new AbortController();
  const pump = async <T>(source: AsyncIterable<T> | undefined, toEvent: (x: T) => Event) => {
    if (!source) return;
    try {
      for await (const x of source) {
        if (stopPumps.signal.aborted) return;
        post(toEvent(x));
      }
    } catch (e) {
      if (!stopPumps.signal.aborted) io.write(`${pc.red("Watching stopped:")} ${e}\n`);
    }
  };
  pump(options.changes, (c) => ({ type: "change", paths: c.paths }));
  pump(options.keys, (k) => ({ type: "key", key: k }));
  const quit = () => post({ type: "quit" });
  if (options.signal?.aborted) quit();
  options.signal?.addEventListener("abort", quit);

  let lesson = options.lesson;
  let focus = options.focus;
  let states: ExerciseState[] | undefined;
  let webgpu: { available: boolean; reason?: string } | undefined;
  let progress: Progress | undefined;
  let error: string | undefined;
  let notice: string | undefined;
  let extra: string[] = [];
  let checks = 0;
  let reason = "first check";
  let running: { controller: AbortController; done: Promise<void> } | undefined;
  let rerun = false;
  let spinner: ReturnType<typeof setInterval> | undefined;

  const footer = () => {
    const where = options.watched.join(", ");
    return options.keys
      ? pc.dim(`Watching ${where} for changes · h hint · n next · l list · r rerun · q quit`)
      : pc.dim(`Watching ${where} for changes (Ctrl-C to stop).`);
  };

  const render = () => {
    const out: string[] = [];
    if (io.interactive) io.write(CLEAR);
    else {
      out.push(
        "",
        pc.dim(`── check ${checks} · ${new Date().toLocaleTimeString()} · ${reason} ──`),
      );
    }
    if (error) {
      out.push(pc.red(pc.bold(`Lesson ${lesson.number}: the checks could not run.`)), error);
      out.push(`\n${loadErrorFile(lesson, error)}`);
    } else if (states) {
      out.push(
        ...lessonReport(lesson, states, {
          source: options.source,
          root,
          focus,
          watch: true,
          lessons: options.lessons,
          webgpu,
          progress,
        }),
      );
    }
    if (notice) out.push("", pc.yellow(notice));
    const note = options.note?.();
    if (note) out.push("", pc.dim(note));
    if (extra.length > 0) out.push("", ...extra);
    out.push("", footer());
    io.write(out.join("\n") + "\n");
  };

  const status = (text: string) => {
    if (io.interactive) io.write(`\r\x1b[2K${text}`);
  };

  const startCheck = () => {
    const controller = new AbortController();
    const target = lesson;
    let finished = 0;
    let frame = 0;
    const label = () =>
      `${
        SPINNER[frame++ % SPINNER.length]
      } Checking lesson ${target.number} (${reason}) ... ${finished} tests done`;
    if (io.interactive) {
      clearInterval(spinner);
      spinner = setInterval(() => status(label()), 100);
    } else io.write(pc.dim(`\nChecking lesson ${target.number} (${reason}) ...\n`));
    const done = options.check(target, controller.signal, () => finished++).then(
      (result) => post({ type: "done", lesson: target, result }),
      (e) =>
        post({ type: "done", lesson: target, result: { states: [], error: `${e?.stack ?? e}` } }),
    );
    running = { controller, done };
  };

  const requestCheck = (why: string) => {
    reason = why;
    if (running) {
      rerun = true;
      running.controller.abort();
    } else startCheck();
  };

  const showHint = async () => {
    if (!states) return;
    const target = states.find((s) => s.exercise.id === focus) ?? nextOpen(states);
    if (!target) {
      extra = [pc.green("Every exercise of this lesson passes: no hint needed.")];
      return;
    }
    const exercise = target.exercise;
    if (options.source === "solutions") {
      extra = ["(Hints are for your own code; this session checks solutions/.)"];
      return;
    }
    let choice;
    const loaded = await updateProgress(root, (p) => {
      choice = nextHint(exercise, hintsSeen(p, lesson.slug, exercise.id));
      if (choice) recordHintSeen(p, lesson, exercise.id, choice.tier);
    });
    if (loaded.notice) notice = loaded.notice;
    extra = choice
      ? hintReport(lesson, choice, "Press h", target.state === "passed")
      : [`Exercise ${exercise.id} has no hints; read ${lesson.paths.readme}.`];
  };

  const nextExercise = (): boolean => {
    const ids = lesson.exercises.map((e) => e.id);
    const current = focus ?? (states && nextOpen(states)?.exercise.id) ??
      ids[ids.length - 1];
    const i = ids.indexOf(current);
    if (i >= 0 && i + 1 < ids.length) {
      focus = ids[i + 1];
      return false;
    }
    const after = options.lessons.find((l) => l.number > lesson.number);
    if (!after) {
      extra = ["This is the last lesson: there is no next exercise."];
      return false;
    }
    lesson = after;
    focus = undefined;
    states = undefined;
    error = undefined;
    return true;
  };

  startCheck();
  try {
    while (true) {
      const event = await next();
      if (event.type === "quit") break;
      if (event.type === "change") {
        const names = event.paths.map((p) => relative(root, p) || p);
        const shown = names.slice(0, 2).join(", ") + (names.length > 2 ? ", ..." : "");
        requestCheck(`${shown} changed`);
      } else if (event.type === "done") {
        running = undefined;
        clearInterval(spinner);
        status("");
        if (rerun) {
          rerun = false;
          startCheck();
          continue;
        }
        if (event.result.aborted || event.lesson !== lesson) continue;
        checks++;
        states = event.result.states;
        webgpu = await webgpuFor(root, lesson);
        progress = await readProgress(root);
        error = event.result.error;
        if (event.result.notice) notice = event.result.notice;
        render();
      } else {
        const key = event.key.toLowerCase();
        if (key === "q" || key === "\x03" || key === "\x04") break;
        if (key === "r") requestCheck("rerun (r)");
        else if (key === "h" && states) {
          await showHint();
          render();
        } else if (key === "n") {
          extra = [];
          if (nextExercise()) requestCheck(`lesson ${lesson.number}`);
          else if (states || error) render();
        } else if (key === "l") {
          extra = await options.list();
          render();
        }
      }
    }
  } finally {
    stopPumps.abort();
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
