/**
 * `deno task lesson [N] [options]`: the learner's loop in the terminal. Without N, the progress
 * over every lesson (`--all` rechecks them first); with N, the lesson's goals, each exercise's
 * state against the learner's code (or the reference, `--solutions`) and the first failure, exit 0
 * only when every exercise passes; `--watch` reruns at each save (see `watch.ts`), `--hint` gives
 * the next hint tier, `--show-solution` the reference as a diff for the exercises that pass
 * (asking first before one passes; `--yes` adds the first that does not), `--reset` the stub
 * after a backup. Every check of the learner's code is recorded.
 *
 * @example
 * ```sh
 * deno task lesson 1 --watch
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pc from "picocolors";
import {
  type Exercise,
  findLesson,
  importedLessons,
  type Lesson,
  listLessons,
} from "@lib/course/lessons.ts";
import { importSpecifiers } from "@lib/layers/mod.ts";
import { runExerciseTests } from "@lib/course/run_tests.ts";
import { exerciseStates, lessonStatus } from "@lib/course/status.ts";
import {
  lessonReport,
  loadErrorFile,
  overviewReport,
  stateLine,
  usesLine,
} from "@lib/course/report.ts";
import { withSpinner, wrap } from "@lib/course/terminal_text.ts";
import { parseBackend } from "@lib/tf/mod.ts";
import {
  checkLesson,
  defaultTimeout,
  notRecorded,
  progressEntries,
  recordedStates,
  webgpuFor,
} from "@lib/course/lesson_check.ts";
import {
  loadProgress,
  type Progress,
  readProgress,
  recordSolutionShown,
  recordStates,
  updateProgress,
} from "@lib/course/progress.ts";
import { takeHint } from "@lib/course/hints.ts";
import { solutionQuestion, solutionReport } from "@lib/course/solution_diff.ts";
import { resetLesson } from "@lib/course/reset.ts";
import { watchChanges } from "@lib/course/file_watch.ts";
import { watchSession } from "@lib/course/watch.ts";
import { liveSiteUrl } from "@lib/course/site_address.ts";

const USAGE = `Usage: deno task lesson [N] [options]

  deno task lesson                  your progress over all lessons, and what to do next
  deno task lesson N                check lesson N against your code in lessons/
  deno task lesson N --watch        recheck lesson N each time you save a file
  deno task lesson N --hint         the next hint for the first exercise that does not pass
  deno task lesson N --show-solution  the reference next to your code, for exercises that pass
  deno task lesson N --reset        restore lesson N's original exercise file (yours is backed up)
  deno task lesson N --solutions    check the reference code in solutions/ instead

Options:
  --exercise N.M      the exercise for --hint and --show-solution (and the focus of a check)
  --watch             rerun the checks at each save; keys: h hint, n next, l list, r rerun, q quit
  --poll              with --watch: poll for changes instead of using file events
                      (automatic on network drives and Windows drives under WSL)
  --yes               with --show-solution: show it even before the exercise passes, unasked
                      (without --exercise: also the first exercise that does not pass)
  --all               without N: rerun every lesson's checks now (slow) instead of showing
                      the recorded progress
  --backend NAME      TensorFlow.js backend for the checks: auto, cpu, wasm or webgpu
  --timeout SECONDS   stop a test that computes longer than this (default: the lesson's own,
                      20 times its slowest test, at least 10 s; 10 s in lessons 0-3, 8, 9)
  -h, --help          this help`;

const OPTIONS = {
  solutions: { type: "boolean", default: false },
  hint: { type: "boolean", default: false },
  watch: { type: "boolean", default: false },
  poll: { type: "boolean", default: false },
  "show-solution": { type: "boolean", default: false },
  reset: { type: "boolean", default: false },
  yes: { type: "boolean", short: "y", default: false },
  all: { type: "boolean", default: false },
  exercise: { type: "string" },
  backend: { type: "string" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const MORE = "Run `deno task lesson --help` for every option.";

/**
 * Parses the CLI's arguments; throws an Error with a one-paragraph, learner-facing message on
 * bad input.
 *
 * @example
 * ```ts
 * import { parseLessonArgs } from "@lib/course/cli/lesson.ts";
 * parseLessonArgs(["1", "--solutions"]).solutions; // true
 * ```
 */
export function parseLessonArgs(args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    throw new Error(explainParseError((e as Error).message));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new Error(`Give one lesson number at a time (got "${positionals.join(" ")}"). ${MORE}`);
  }
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(timeout > 0)) {
    throw new Error(`--timeout takes a number of seconds, got "${values.timeout}". ${MORE}`);
  }
  let backend: string | undefined;
  try {
    backend = values.backend === undefined ? undefined : parseBackend(values.backend);
  } catch (e) {
    throw new Error(`${(e as Error).message} ${MORE}`);
  }
  const lesson: string | undefined = positionals[0];
  const opts = { ...values, lesson, showSolution: values["show-solution"], backend, timeout };
  checkCombination(opts);
  return opts;
}

type LessonArgs = ReturnType<typeof parseLessonArgs>;

function checkCombination(o: LessonArgs): void {
  const modes = [
    ["--watch", o.watch],
    ["--hint", o.hint],
    ["--show-solution", o.showSolution],
    ["--reset", o.reset],
  ].filter(([, on]) => on).map(([name]) => name);
  const fail = (msg: string) => {
    throw new Error(`${msg} ${MORE}`);
  };
  if (modes.length > 1) fail(`Use one of ${modes.join(" and ")} at a time.`);
  if (o.solutions && (o.hint || o.showSolution || o.reset)) {
    fail(`${modes[0]} works on your own code, so it does not go with --solutions.`);
  }
  if (o.poll && !o.watch) fail("--poll only changes how --watch notices changes: add --watch.");
  if (o.yes && !o.showSolution) fail("--yes only answers the question of --show-solution.");
  if (o.all && (o.lesson !== undefined || modes.length > 0)) {
    fail("--all rechecks every lesson: use it alone (`deno task lesson --all`).");
  }
  if (o.reset && o.lesson === undefined) {
    fail("Say which lesson to reset: `deno task lesson N --reset`.");
  }
  if (o.exercise !== undefined && !/^\d+(\.\d+)?$/.test(o.exercise.trim())) {
    fail(`--exercise takes an exercise number such as 1.2, got "${o.exercise}".`);
  }
}

function explainParseError(message: string): string {
  const unknown = message.match(/Unknown option '([^']+)'/);
  if (unknown) {
    const guess = closest(unknown[1].replace(/^-+/, ""), Object.keys(OPTIONS));
    return `Unknown option "${unknown[1]}".${guess ? ` Did you mean --${guess}?` : ""} ${MORE}`;
  }
  const missing = message.match(/Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/);
  if (missing) return `The option ${missing[1]} needs a value after it. ${MORE}`;
  return `${message.replace(/\. To specify a positional argument.*$/s, ".")} ${MORE}`;
}

/** The option within edit distance 2 of `word`, if any (for "did you mean"). */
function closest(word: string, options: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          row[j] + 1,
          next[j - 1] + 1,
          row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length];
  };
  const [best] = options.map((name) => ({ name, d: distance(word, name) })).filter((o) => o.d <= 2)
    .sort((x, y) => x.d - y.d);
  return best?.name;
}

/** How the CLI talks to the learner; tests pass their own. */
export interface CliIo {
  /** Writes to stdout as is. */
  write(text: string): void;
  /** Writes a line to stderr. */
  error(line: string): void;
  /** Whether stdout is a terminal (spinners, screen clearing). */
  stdoutIsTerminal: boolean;
  /** Whether stdin is a terminal (questions, single keys). */
  stdinIsTerminal: boolean;
  /** Asks a yes/no question on the terminal (default no). */
  confirm(question: string): Promise<boolean>;
  /** Single key presses, in raw mode, until `stop` aborts; restores the terminal after. */
  keys(stop: AbortSignal): AsyncIterable<string>;
  /** The terminal's width, to wrap long lines (undefined: no wrapping). */
  columns?: () => number | undefined;
}

function denoIo(): CliIo {
  const write = (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
  };
  return {
    write: (text) => write(new TextEncoder().encode(text)),
    error: (line) => console.error(line),
    stdoutIsTerminal: Deno.stdout.isTerminal(),
    stdinIsTerminal: Deno.stdin.isTerminal(),
    confirm: (question) => Promise.resolve(confirm(question)),
    keys: terminalKeys,
    columns: () => Deno.stdout.isTerminal() ? Deno.consoleSize().columns : undefined,
  };
}

/** Reads single keys in raw mode; the terminal is restored when `stop` aborts or on exit. */
async function* terminalKeys(stop: AbortSignal): AsyncGenerator<string> {
  const restore = () => {
    try {
      Deno.stdin.setRaw(false);
    } catch { /* not a terminal any more */ }
  };
  Deno.stdin.setRaw(true);
  stop.addEventListener("abort", restore);
  globalThis.addEventListener("unload", restore);
  const buffer = new Uint8Array(64);
  const decoder = new TextDecoder();
  try {
    while (!stop.aborted) {
      const n = await Deno.stdin.read(buffer);
      if (n === null || stop.aborted) return;
      for (const ch of decoder.decode(buffer.subarray(0, n))) yield ch;
    }
  } finally {
    restore();
  }
}

/**
 * Runs the CLI and returns its exit code: 0 success, 1 a check that fails (or a refusal),
 * 2 bad arguments.
 *
 * @example
 * ```ts
 * import { main } from "@lib/course/cli/lesson.ts";
 * const code = await main(["1"], ".");
 * ```
 */
export async function main(args: string[], root: string, io: CliIo = denoIo()): Promise<number> {
  const say = (lines: string | string[]) => {
    const width = io.columns?.();
    const all = Array.isArray(lines) ? lines : [lines];
    io.write((width ? wrap(all, width) : all).join("\n") + "\n");
  };
  let ctx: Context, lesson: Lesson | undefined, exercise: Exercise | undefined;
  try {
    const opts = parseLessonArgs(args);
    if (opts.help) return say(USAGE), 0;
    ctx = { root, io, say, opts, lessons: await listLessons(root) };
    lesson = await chooseLesson(ctx);
    const id = opts.exercise?.includes(".") ? opts.exercise : `${lesson?.number}.${opts.exercise}`;
    exercise = lesson?.exercises.find((e) => e.id === id);
    if (lesson && opts.exercise !== undefined && !exercise) {
      throw new Error(
        `Lesson ${lesson.number} has no exercise ${id}: its exercises are ` +
          `${lesson.exercises.map((e) => e.id).join(", ")}. ${MORE}`,
      );
    }
  } catch (e) {
    io.error((e as Error).message);
    return 2;
  }
  const { opts } = ctx;
  if (!lesson) return await overview(ctx);
  if (opts.reset) return await reset(ctx, lesson);
  if (opts.hint) return await hint(ctx, lesson, exercise);
  if (opts.showSolution) return await showSolution(ctx, lesson, exercise);
  if (opts.watch) return await watch(ctx, lesson, exercise);
  return await checkOnce(ctx, lesson, exercise);
}

interface Context {
  root: string;
  io: CliIo;
  say: (lines: string | string[]) => void;
  opts: LessonArgs;
  lessons: Lesson[];
}

/** The lesson asked for: typed, implied by `--exercise`, or the next unfinished one. */
async function chooseLesson(ctx: Context): Promise<Lesson | undefined> {
  const { opts, lessons } = ctx;
  if (opts.lesson !== undefined) return findLesson(lessons, opts.lesson);
  if (opts.exercise?.includes(".")) return findLesson(lessons, opts.exercise.split(".")[0]);
  if (!opts.watch && !opts.hint && !opts.showSolution) return undefined;
  const progress = await readProgress(ctx.root);
  const next = lessons.find((l) =>
    l.exercises.some((e) => progress.lessons[l.slug]?.exercises[e.id]?.state !== "passed")
  );
  const lesson = next ?? lessons[lessons.length - 1];
  if (!lesson) throw new Error("There are no lessons yet.");
  return lesson;
}

async function overview(ctx: Context): Promise<number> {
  const { root, io, opts, lessons } = ctx;
  if (!opts.all && !opts.solutions) {
    const { progress, notice } = await loadProgress(root);
    if (notice) io.error(pc.yellow(notice));
    const map = await courseMap(root, io.columns?.());
    if (map.length > 0) io.write(map.join("\n") + "\n\n");
    ctx.say(await overviewLines(root, lessons, progress));
    return 0;
  }
  const run = await spinning(ctx, "Checking every lesson", () =>
    runExerciseTests({
      root,
      tests: lessons.map((l) => l.paths.test),
      target: opts.solutions ? "solutions" : "lessons",
      backend: opts.backend,
      testTimeoutSeconds: opts.timeout ?? Math.max(...lessons.map(defaultTimeout)),
      functions: lessons.flatMap((l) => l.exercises.flatMap((e) => e.functions)),
    }));
  if (run.error) return loadFailure(ctx, run.error);
  const states = lessons.map((lesson) => exerciseStates(lesson, run.outcomes));
  let progress: Progress | undefined;
  if (!opts.solutions) {
    // A crashed or empty run never replaces a recorded result.
    const why = lessons.map((lesson) => notRecorded(run, lesson));
    const { notice, ...loaded } = why.includes(undefined)
      ? await updateProgress(root, (p) => {
        lessons.forEach((l, i) => why[i] === undefined && recordStates(p, l, states[i]));
      })
      : await loadProgress(root);
    for (const w of new Set([notice, ...why])) if (w) io.error(pc.yellow(w));
    progress = loaded.progress;
  }
  const statuses = lessons.map((lesson, i) =>
    lessonStatus({ lesson, states: states[i], lessons, record: progress?.lessons[lesson.slug] })
  );
  ctx.say(overviewReport(statuses, new Date()));
  return statuses.every((s) => s.next === "done") ? 0 : 1;
}

/**
 * The induction head as text (`lessons/figures/induction_head.txt`, the terminal's copy of the
 * map drawn in `induction_head.svg`), shown above the overview; nothing when the file is
 * missing or the terminal is too narrow for it (a drawing must not be wrapped).
 */
async function courseMap(root: string, columns: number | undefined): Promise<string[]> {
  const text = await Deno.readTextFile(join(root, "lessons", "figures", "induction_head.txt"))
    .catch(() => "");
  const lines = text.trim() === "" ? [] : text.trimEnd().split("\n");
  if (columns !== undefined && lines.some((l) => [...l].length > columns)) return [];
  return lines.map((l, i) => i === 0 ? pc.bold(l) : l);
}

/** The overview from the recorded progress (no test runs). */
async function overviewLines(root: string, lessons: Lesson[], progress: Progress) {
  const entries = await progressEntries(root, lessons, progress);
  return overviewReport(entries.map((entry) => lessonStatus(entry)), new Date());
}

/** The import specifiers of an exercise file; none when it is missing or does not parse (the
 * check that follows names the syntax error). */
async function exerciseImports(path: string): Promise<string[]> {
  try {
    return importSpecifiers(await Deno.readTextFile(path));
  } catch {
    return [];
  }
}

async function checkOnce(ctx: Context, lesson: Lesson, exercise?: Exercise): Promise<number> {
  const { root, opts } = ctx;
  const source = opts.solutions ? "solutions" : "lessons";
  const file = source === "lessons" ? lesson.paths.exercises : lesson.paths.solution;
  const used = importedLessons(await exerciseImports(join(root, file)), lesson, ctx.lessons);
  if (used.length > 0) ctx.say([usesLine(lesson, used, source)]);
  const { backend, timeout } = opts;
  const result = await spinning(
    ctx,
    `Checking lesson ${lesson.number}`,
    () => checkLesson(root, lesson, { target: source, backend, timeout }),
  );
  if (result.notice) ctx.io.error(pc.yellow(result.notice));
  if (result.error) return loadFailure(ctx, result.error, lesson);
  const progress = await readProgress(root);
  const status = lessonStatus({
    lesson,
    states: result.states,
    record: progress.lessons[lesson.slug],
    lessons: ctx.lessons,
    webgpu: await webgpuFor(root, lesson),
    focus: exercise?.id,
  });
  // While `deno task site` runs, `where:` also links to the line on the site.
  ctx.say(lessonReport(status, { source, root, progress, site: await liveSiteUrl(root) }));
  return result.states.every((s) => s.state === "passed") ? 0 : 1;
}

/** The status from the recorded states when fresh, else from a check run now (one line). */
async function currentStatus(ctx: Context, lesson: Lesson, progress: Progress) {
  const recorded = await recordedStates(ctx.root, lesson, progress);
  if (recorded) return lessonStatus({ lesson, states: recorded });
  const { backend, timeout } = ctx.opts;
  const result = await spinning(
    ctx,
    `Checking lesson ${lesson.number}`,
    () => checkLesson(ctx.root, lesson, { backend, timeout }),
  );
  if (result.error) return void loadFailure(ctx, result.error);
  const status = lessonStatus({ lesson, states: result.states, lessons: ctx.lessons });
  ctx.say(stateLine(status));
  return status;
}

async function hint(ctx: Context, lesson: Lesson, chosen?: Exercise): Promise<number> {
  const { progress, notice } = await loadProgress(ctx.root);
  if (notice) ctx.io.error(pc.yellow(notice));
  const recorded = (e: Exercise) =>
    progress.lessons[lesson.slug]?.exercises[e.id]?.state === "passed";
  let exercise = chosen;
  if (!exercise) {
    const status = await currentStatus(ctx, lesson, progress);
    // When the code does not even load, the first exercise not recorded as passing.
    exercise = status
      ? (status.next === "work" ? status.current?.exercise : undefined)
      : lesson.exercises.find((e) => !recorded(e));
    if (!exercise) {
      ctx.say(
        pc.green(`Every exercise of lesson ${lesson.number} passes: no hint needed.`) +
          ` (\`--hint --exercise N.M\` shows one anyway.)`,
      );
      return 0;
    }
  }
  const again = `\`deno task lesson ${lesson.number} --hint${
    chosen ? ` --exercise ${exercise.id}` : ""
  }\``;
  const { lines } = await takeHint(
    ctx.root,
    lesson,
    exercise,
    `Run ${again} again`,
    recorded(exercise),
  );
  ctx.say(["", ...lines]);
  return 0;
}

async function showSolution(ctx: Context, lesson: Lesson, chosen?: Exercise): Promise<number> {
  const { progress, notice } = await loadProgress(ctx.root);
  if (notice) ctx.io.error(pc.yellow(notice));
  const status = await currentStatus(ctx, lesson, progress);
  const passes = (e: Exercise) =>
    status?.exercises.find((s) => s.exercise.id === e.id)?.kind === "passed";
  // Without --exercise: the exercises that pass, and the one you are on (the first that does
  // not pass, as for --hint) when none passes or when --yes says to show it before it passes.
  const current = lesson.exercises.find((e) => !passes(e));
  const targets = chosen ? [chosen] : lesson.exercises.filter(passes);
  if (!chosen && current && (targets.length === 0 || ctx.opts.yes)) targets.push(current);
  for (const exercise of targets) {
    if (!passes(exercise) && !ctx.opts.yes) {
      if (!ctx.io.stdinIsTerminal) {
        ctx.io.error(
          `Exercise ${exercise.id} does not pass yet, so its reference solution is not shown ` +
            `without asking, and there is no terminal to ask on. To see it anyway, run ` +
            `\`deno task lesson ${lesson.number} --show-solution --exercise ${exercise.id} --yes\`.`,
        );
        return 1;
      }
      if (!(await ctx.io.confirm(solutionQuestion(exercise.id)))) {
        ctx.say("Not shown. `deno task lesson " + lesson.number + " --hint` gives a hint instead.");
        return 1;
      }
    }
    ctx.say(["", ...await solutionReport(ctx.root, lesson, exercise)]);
    await updateProgress(ctx.root, (p) => recordSolutionShown(p, lesson, exercise.id));
  }
  if (!chosen && targets.length > 0 && targets.every(passes)) {
    ctx.say(
      pc.dim(
        `\n(Shown: the exercises that pass. \`--exercise N.M\` picks one` +
          (current ? `; \`--yes\` adds exercise ${current.id}, before it passes.)` : ".)"),
      ),
    );
  }
  return 0;
}

async function reset(ctx: Context, lesson: Lesson): Promise<number> {
  const result = await resetLesson(ctx.root, lesson);
  if (result.error) {
    ctx.io.error(pc.red(result.error));
    return 1;
  }
  if (!result.changed) {
    ctx.say(`${result.file} is already the original stub: nothing to reset.`);
    return 0;
  }
  await updateProgress(ctx.root, (p) => {
    const total = (id: string) => p.lessons[lesson.slug]?.exercises[id]?.total ?? 0;
    recordStates(
      p,
      lesson,
      lesson.exercises.map((exercise) => ({
        exercise,
        state: "not started",
        passed: 0,
        total: total(exercise.id),
      })),
    );
  });
  ctx.say([
    `Restored ${result.file} to the original stub of lesson ${lesson.number}.`,
    result.backup
      ? `Your previous file is saved as ${pc.cyan(result.backup)}: copy it back, or copy ` +
        `parts of it, to recover your work.`
      : "(There was no file to save.)",
  ]);
  return 0;
}

async function watch(ctx: Context, lesson: Lesson, exercise?: Exercise): Promise<number> {
  const { root, io, opts } = ctx;
  const source = opts.solutions ? "solutions" : "lessons";
  const dirs = opts.solutions ? ["solutions", "tests/lessons"] : ["lessons"];
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  let note: string | undefined = opts.poll ? "Watching by polling (--poll)." : undefined;
  let site: string | undefined;
  try {
    return await watchSession({
      root,
      lessons: ctx.lessons,
      lesson,
      focus: exercise?.id,
      source,
      watched: dirs.map((d) => `${d}/`),
      check: async (l, signal, onOutcome) => {
        site = await liveSiteUrl(root); // the site may have started or stopped since
        return await checkLesson(root, l, {
          target: source,
          backend: opts.backend,
          timeout: opts.timeout,
          signal,
          onOutcome,
        });
      },
      changes: watchChanges({
        dirs: dirs.map((d) => join(root, d)),
        signal: stop.signal,
        poll: opts.poll,
        onFallback: (reason) => note = reason,
      }),
      keys: io.stdinIsTerminal ? io.keys(stop.signal) : undefined,
      list: async () => overviewLines(root, ctx.lessons, await readProgress(root)),
      io: { write: (t) => io.write(t), interactive: io.stdoutIsTerminal, columns: io.columns },
      signal: stop.signal,
      note: () => note,
      site: () => site,
    });
  } finally {
    stop.abort();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
  }
}

function loadFailure(ctx: Context, message: string, lesson?: Lesson): number {
  ctx.io.error(pc.red(pc.bold("The checks could not run.")));
  ctx.io.error(message);
  if (lesson) ctx.io.error(`\n${loadErrorFile(lesson, message)}`);
  return 1;
}

function spinning<T>(ctx: Context, label: string, work: () => Promise<T>): Promise<T> {
  return withSpinner(ctx.io.stdoutIsTerminal ? (t) => ctx.io.write(t) : undefined, label, work);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args, fileURLToPath(new URL("../../..", import.meta.url))));
}
