/**
 * Runs the exercise tests of some lessons against a chosen copy of the exercise code, in a
 * `deno test` subprocess, and returns one outcome per test.
 *
 * The tests import exercises through the bare specifier `@exercises/`, which `deno.json` maps
 * to `lessons/` (the learner's code). To check another copy (the reference `solutions/`, or
 * stubs generated from them) this module writes an import map that is `deno.json`'s with only
 * `@exercises/` pointed elsewhere, and passes it with `--import-map`: the command chooses the
 * code under test, no file is edited, and the types check against `lessons/` as usual.
 *
 * A test that runs longer than the idle limit (an exercise that loops forever) stops the run;
 * it is reported as timed out, by name.
 *
 * @example
 * ```ts
 * import { runExerciseTests } from "@lib/course/run_tests.ts";
 * const run = await runExerciseTests({ root: ".", tests: ["tests/lessons/01_bigram_data_test.ts"], target: "solutions" });
 * console.log(run.outcomes.filter((o) => o.ok).length);
 * ```
 * @module
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  cleanStaleTemp,
  cpuSeconds,
  spawnTied,
  tempDir,
  tempPrefix,
} from "@lib/course/subprocess.ts";

/** Which copy of the exercises to test: the learner's, the reference, or a folder. */
export type Target = "lessons" | "solutions" | { dir: string };

/** The result of one test. */
export interface Outcome {
  /** The full test name, `function: what it checks`. */
  name: string;
  /** The function (exercise) the test checks: the part of the name before the colon. */
  fn: string;
  /** The test file, relative to the root. */
  file: string;
  /** Whether it passed. */
  ok: boolean;
  /** For a failure: the message, stack trace removed. */
  message?: string;
  /** True when the test was stopped because it ran too long. */
  timedOut?: boolean;
  /** True when the test was ignored (`Deno.test({ ignore })`): it did not run; `ok` is true. */
  skipped?: boolean;
  /** What the code printed (`console.log`, ...) during the test: the first lines, at most 20. */
  output?: string[];
  /**
   * True when the test process crashed while this test ran, or before it could run: the test
   * did not finish, so it is not passed (`ok` is false).
   */
  crashed?: boolean;
  /** The CPU time (or, where unknown, the wall time) the test took, in seconds. */
  seconds?: number;
}

/** How the test process ended when it did not finish its tests. */
export interface Crash {
  /** What ended it. */
  cause: "signal" | "out of memory" | "exit";
  /** In words, e.g. "killed by signal SIGKILL". */
  detail: string;
  /** The test that was running, when known. */
  running?: string;
}

/** What a whole run produced. */
export interface RunResult {
  /**
   * One outcome per test that reported (a timed-out test is included, marked), and, after a
   * crash, one failed outcome per test that did not finish or never ran.
   */
  outcomes: Outcome[];
  /** When the run could not start its tests: the compiler's or loader's message. */
  error?: string;
  /** The subprocess's exit code. */
  code: number;
  /** True when the run was stopped through {@linkcode RunOptions.signal}. */
  aborted?: boolean;
  /** Set when the test process crashed (a signal, out of memory, `globalThis.close()`). */
  crash?: Crash;
}

/** Options of {@linkcode runExerciseTests}. */
export interface RunOptions {
  /** The course root (the folder with deno.json). */
  root: string;
  /** Test files, relative to the root. */
  tests: string[];
  /** Which exercise code to test (default: the learner's `lessons/`). */
  target?: Target;
  /**
   * Seconds a single test, or the loading of a test file, may compute before the run is
   * stopped (default 60). Counted in CPU time of the test process where the system says it
   * (Linux), so that a machine busy with other work does not stop a test early; in wall time
   * elsewhere.
   */
  testTimeoutSeconds?: number;
  /** Seconds the top-level code of a test file may compute (default the test timeout, >= 10). */
  loadTimeoutSeconds?: number;
  /**
   * Wall-clock seconds without any progress after which the run is stopped all the same (a test
   * that waits without computing); default ten times the test timeout, at least 120.
   */
  wallTimeoutSeconds?: number;
  /** A sentence appended to the message of a timed-out test (how to allow more time). */
  timeoutAdvice?: string;
  /** The TensorFlow.js backend for the tests (`COURSE_BACKEND`), default auto. */
  backend?: string;
  /** Extra arguments for `deno test` (e.g. `--filter`). */
  extraArgs?: string[];
  /**
   * Type-check in a second process beside the tests, which run without checking (default
   * true): the two overlap, where `deno test` would check first and test after. A type error is
   * reported as {@linkcode RunResult.error}.
   */
  typeCheck?: boolean;
  /** Called as each test finishes, for live progress. */
  onOutcome?: (outcome: Outcome) => void;
  /**
   * The exercise functions of the tests. When given and a test hangs, the tests of the
   * functions that had not run yet are run again in a fresh process (`--filter`), so that one
   * endless loop does not hide the state of every later exercise. With a `--filter` of your
   * own in `extraArgs`, list only the functions it selects (the rerun's filter replaces it).
   */
  functions?: string[];
  /** Stops the run (the subprocess is killed) when aborted, e.g. when watch mode quits. */
  signal?: AbortSignal;
}

/**
 * Runs the given test files in one `deno test` subprocess and parses its TAP output. With
 * {@linkcode RunOptions.functions}, a test that hangs is reported and the tests of the
 * functions that had not run yet are run in a new subprocess.
 *
 * @example
 * ```ts
 * import { runExerciseTests } from "@lib/course/run_tests.ts";
 * const { outcomes } = await runExerciseTests({ root: ".", tests: ["tests/lessons/01_bigram_data_test.ts"] });
 * ```
 */
export async function runExerciseTests(options: RunOptions): Promise<RunResult> {
  await cleanStaleTemp(resolve(options.root));
  const result = await runOnce(options, options.extraArgs ?? [], options.typeCheck ?? true);
  let last = result;
  while (options.functions && !result.aborted && !result.crash) {
    const hung = last.outcomes.find((o) => o.timedOut && options.functions!.includes(o.fn));
    if (!hung) break;
    const seen = new Set(result.outcomes.map((o) => o.fn));
    const rest = options.functions.filter((f) => !seen.has(f) && /^\w+$/.test(f));
    if (rest.length === 0) break;
    last = await runOnce(options, [
      ...(options.extraArgs ?? []),
      `--filter=/^(?:${rest.join("|")}): /`,
    ], false);
    result.outcomes.push(...last.outcomes);
    result.code = result.code || last.code;
    result.aborted = last.aborted;
    result.crash = last.crash;
    if (last.error && last.outcomes.length === 0) break;
  }
  return result;
}

/** One event of the trace file written by `exerciseTest` (lib/testing) and the preload. */
interface TraceEvent {
  load?: true;
  plan?: string;
  start?: string;
  end?: string;
  ok?: boolean;
  message?: string;
  ms?: number;
  cpuMs?: number;
}

/** What the trace file says so far. */
class Trace {
  events: TraceEvent[] = [];
  #size = 0;
  constructor(readonly path: string) {}
  /** Reads new events; true when there were any. */
  poll(): boolean {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.path);
    } catch {
      return false;
    }
    if (text.length === this.#size) return false;
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    for (const line of complete.slice(this.#size).split("\n")) {
      if (!line) continue;
      try {
        this.events.push(JSON.parse(line));
      } catch { /* a line cut by a crash */ }
    }
    const grew = complete.length > this.#size;
    this.#size = complete.length;
    return grew;
  }
  /** The test that started and has not ended. */
  running(): string | undefined {
    const last = this.events.findLast((e) => e.start !== undefined || e.end !== undefined);
    return last?.start;
  }
  /** Whether a test file is being loaded (its top-level code runs) and no test runs. */
  loading(): boolean {
    const last = this.events.findLast((e) => e.load || e.start !== undefined || e.end);
    return last?.load === true;
  }
  ended(name: string): TraceEvent | undefined {
    return this.events.find((e) => e.end === name);
  }
  started(name: string): boolean {
    return this.events.some((e) => e.start === name);
  }
  planned(): string[] {
    return this.events.flatMap((e) => e.plan !== undefined ? [e.plan] : []);
  }
}

const PRELOAD = new URL("../testing/trace_load.ts", import.meta.url).href;

async function runOnce(
  options: RunOptions,
  extraArgs: string[],
  typeCheck: boolean,
): Promise<RunResult> {
  const root = resolve(options.root);
  const target = options.target ?? "lessons";
  const allowAll = extraArgs.some((a) => a === "-A" || a === "--allow-all");
  const permissions = allowAll ? [] : ["--allow-read", "--allow-write", "--allow-env"];
  const map = target === "lessons" ? undefined : await writeImportMap(root, target);
  const mapArgs = map ? [`--import-map=${map}`] : [];
  const args = [
    "test",
    "--reporter=tap",
    "--no-prompt",
    "--no-check",
    `--preload=${PRELOAD}`,
    ...permissions,
    ...mapArgs,
    ...extraArgs,
    ...options.tests,
  ];

  const tmp = await tempDir(root);
  const tracePath = await Deno.makeTempFile({ dir: tmp, prefix: tempPrefix("trace") });
  const trace = new Trace(tracePath);
  // What each test printed (`exerciseTest` writes it; the TAP reporter drops it).
  const printed = await Deno.makeTempFile({ dir: tmp, prefix: tempPrefix("output") });
  const env: Record<string, string> = {
    NO_COLOR: "1",
    COURSE_TRACE: tracePath,
    COURSE_OUTPUT: printed,
    XDG_RUNTIME_DIR: await privateRuntimeDir(root),
  };
  if (options.backend) env.COURSE_BACKEND = options.backend;
  const spawn = { cwd: root, env, stdout: "piped", stderr: "piped" } as const;
  const child = spawnTied(Deno.execPath(), args, spawn);
  const checker = typeCheck
    ? spawnTied(Deno.execPath(), ["check", "--quiet", ...mapArgs, ...options.tests], spawn)
    : undefined;
  const checked = checker?.output();

  const limit = options.testTimeoutSeconds ?? 60;
  // Loading a test file imports TensorFlow.js (about a second of work): never below 10 s.
  const loadLimit = options.loadTimeoutSeconds ?? Math.max(limit, 10);
  const wallLimit = options.wallTimeoutSeconds ?? Math.max(10 * limit, 120);
  // Before the first file loads, Deno builds the module graph (a first run may also set up
  // node_modules): wall time only, and generous.
  const startupLimit = Math.max(wallLimit, 180);
  const outcomes: Outcome[] = [];
  let file = "";
  let pending: Outcome | undefined;
  let stopped: "test" | "load" | "startup" | undefined;
  let sawPlan = false;
  // The watchdog: a test that neither finishes nor lets another start within the limit is
  // stopped. A test's start is seen in the trace file (written synchronously by
  // `exerciseTest`), its end on stdout or in the trace.
  const cpu = () => cpuSeconds(child.pid);
  let activity = { wall: performance.now(), cpu: cpu() };
  const touch = () => activity = { wall: performance.now(), cpu: cpu() };
  const watchdog = setInterval(() => {
    if (trace.poll()) touch();
    const wall = (performance.now() - activity.wall) / 1000;
    const used = activity.cpu === undefined ? undefined : (cpu() ?? activity.cpu) - activity.cpu;
    const started = trace.events.length > 0 || outcomes.length > 0 || pending !== undefined;
    const phase = !started ? "startup" : trace.loading() ? "load" : "test";
    const over = phase === "startup"
      ? wall > startupLimit
      : (used ?? wall) > (phase === "load" ? loadLimit : limit) || wall > wallLimit;
    if (over) {
      stopped = phase;
      clearInterval(watchdog);
      child.kill();
    }
  }, Math.min(250, limit * 250));
  let aborted = false;
  const abort = () => {
    aborted = true;
    child.kill();
    checker?.kill();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener("abort", abort);

  const stderrText = new Response(child.stderr).text();
  const finish = (o: Outcome) => {
    const end = trace.ended(o.name);
    if (end?.cpuMs !== undefined) o.seconds = (end.cpuMs || end.ms || 0) / 1000;
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  let yamlNext = false;
  let stdout = "";
  for await (const line of lines(child.stdout)) {
    stdout += line + "\n";
    touch();
    if (/^1\.\.\d+$/.test(line)) sawPlan = true;
    const header = line.match(/^# (\.\/)?(.+_test\.ts)$/);
    if (header) file = header[2];
    const result = line.match(/^(not ok|ok) \d+ - (.+?)( # SKIP.*)?$/);
    if (result) {
      if (pending) finish(pending);
      const name = result[2];
      pending = { name, fn: name.split(":")[0].trim(), file, ok: result[1] === "ok" };
      if (result[3]) pending.skipped = true;
      if (pending.ok) {
        trace.poll();
        // A test that reported "ok" but never ended in the trace did not finish (the process
        // was closed under it): held back, and judged below.
        if (!trace.started(name) || trace.ended(name)) finish(pending);
        else outcomes.push(pending);
        pending = undefined;
      }
      continue;
    }
    if (pending && line.trim() === "---") {
      yamlNext = true;
      continue;
    }
    if (pending && yamlNext) {
      yamlNext = false;
      pending.message = messageFromYaml(line);
      finish(pending);
      pending = undefined;
    }
  }
  if (pending) finish(pending);
  clearInterval(watchdog);
  options.signal?.removeEventListener("abort", abort);
  const status = await child.status;
  const stderr = await stderrText;
  trace.poll();
  if (stopped) checker?.kill();
  const check = await checked;
  if (map) await Deno.remove(map).catch(() => {});
  await Deno.remove(tracePath).catch(() => {});
  attachOutput(outcomes, await Deno.readTextFile(printed).catch(() => ""));
  await Deno.remove(printed).catch(() => {});
  const running = trace.running();

  if (aborted) return { outcomes, code: status.code, aborted: true };
  const who = allowAll
    ? "the test"
    : target === "lessons"
    ? "your code"
    : target === "solutions"
    ? "the reference solution"
    : "the exercise code under test";
  if (stopped === "test") {
    const name = running ?? "a test";
    finish({
      name,
      fn: name.split(":")[0].trim(),
      file,
      ok: false,
      timedOut: true,
      message: `stopped after ${limit} s without finishing. ` +
        (who === "your code"
          ? `Your code may loop forever (check the condition of each \`while\` loop), ` +
            `or do far more work than needed.`
          : `${capital(who)} may loop forever, or be too slow for this machine.`) +
        (options.timeoutAdvice ? ` ${options.timeoutAdvice}` : ""),
    });
  }
  const result: RunResult = { outcomes, code: status.code };
  if (stopped === "load" || stopped === "startup") {
    result.error = stopped === "load"
      ? `${
        target === "lessons" ? "Your file" : `The file of ${who}`
      } did not finish loading within ${loadLimit} s: an endless loop at the top level ` +
        `(outside any function)? Code at the top level of an exercise file runs when the ` +
        `tests import it.` + (options.timeoutAdvice ? ` ${options.timeoutAdvice}` : "")
      : `The tests did not start within ${startupLimit} s (Deno could not load them).`;
    return result;
  }
  if (check && check.code !== 0 && !aborted) {
    result.error = explainLoadError(check.stderr + check.stdout, root);
    return result;
  }
  // Deno reports a test cut short by the end of its isolate as "not ok" without any message.
  const silent = outcomes.find((o) => !o.ok && !o.message && !o.timedOut)?.name;
  const crash = stopped
    ? undefined
    : crashOf(status, stdout, stderr, trace, sawPlan, running ?? silent);
  if (crash && markCrash(result, crash, trace, file, extraArgs)) result.crash = crash;
  if (!stopped && !crash && outcomes.length === 0 && status.code !== 0) {
    result.error = explainLoadError(stderr, root);
  }
  return result;
}

/** How the test process ended early, if it did; undefined when it finished its tests. */
function crashOf(
  status: Deno.CommandStatus,
  stdout: string,
  stderr: string,
  trace: Trace,
  sawPlan: boolean,
  running: string | undefined,
): Crash | undefined {
  const oom = /out of memory|heap limit|Allocation failed/i.test(stderr);
  if (oom) return { cause: "out of memory", detail: "it ran out of memory", running };
  if (status.signal) {
    return { cause: "signal", detail: `it was killed by signal ${status.signal}`, running };
  }
  const closed = /called `Deno\.exit\(|isolate was terminated/.test(stdout + stderr);
  if (closed || running) {
    return {
      cause: "exit",
      detail: "it was closed by the code under test (`globalThis.close()` or `Deno.exit()`)",
      running,
    };
  }
  // Tests ran (the trace or the output says so), yet Deno never printed its closing plan.
  const ran = trace.events.some((e) => e.start !== undefined) || /^(not )?ok /m.test(stdout);
  if (ran && !sawPlan) {
    return { cause: "exit", detail: `it ended early (exit code ${status.code})`, running };
  }
  return undefined;
}

/**
 * After a crash: the test that was running failed, a test reported "ok" that never finished is
 * not passed, a test that finished but whose report was lost takes its result from the trace,
 * and every test that was registered and did not run is failed as "did not run". Returns
 * whether any test was left unfinished (false when every registered test ended all the same).
 */
function markCrash(
  result: RunResult,
  crash: Crash,
  trace: Trace,
  file: string,
  extraArgs: string[],
): boolean {
  const why = `the test process crashed (${crash.detail})`;
  const byName = new Map(result.outcomes.map((o) => [o.name, o]));
  const selected = testFilter(extraArgs);
  const planned = trace.planned();
  let unfinished = false;
  for (const name of planned) {
    if (!selected(name)) continue;
    const end = trace.ended(name);
    let o = byName.get(name);
    if (!o) {
      o = { name, fn: name.split(":")[0].trim(), file, ok: false };
      result.outcomes.push(o);
      byName.set(name, o);
    }
    const silent = !o.ok && !o.message && !o.timedOut;
    if (end && !silent) {
      o.ok = end.ok === true;
      if (!o.ok && !o.message) o.message = end.message;
      continue;
    }
    unfinished = true;
    o.ok = false;
    o.crashed = true;
    o.message = name === crash.running || (trace.started(name) && !end)
      ? `${why} while this test was running, so it did not finish.`
      : `did not run: ${why}${crash.running ? ` while \`${crash.running}\` was running` : ""}.`;
  }
  if (planned.length > 0) return unfinished;
  // Plain Deno.test tests (no trace): which test was running is unknown; the run is a failure.
  result.outcomes.push({
    name: "(the test process)",
    fn: "(the test process)",
    file,
    ok: false,
    crashed: true,
    message: `${why} before all tests had reported.`,
  });
  return true;
}

/** Whether a test name is selected by the `--filter` among `args` (all are without one). */
function testFilter(args: string[]): (name: string) => boolean {
  const filter = args.find((a) => a.startsWith("--filter="))?.slice("--filter=".length);
  if (!filter) return () => true;
  const re = filter.match(/^\/(.*)\/$/);
  return re ? (name) => new RegExp(re[1]).test(name) : (name) => name.includes(filter);
}

function capital(text: string): string {
  return text[0].toUpperCase() + text.slice(1);
}

/**
 * Writes (under `.course/`) the import map that points `@exercises/` at `target`, and returns
 * its path. The map is `deno.json`'s `imports` with that one entry changed.
 *
 * @example
 * ```ts
 * import { writeImportMap } from "@lib/course/run_tests.ts";
 * const path = await writeImportMap(".", "solutions");
 * ```
 */
export async function writeImportMap(root: string, target: Target): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const local = (value: string) =>
    value.startsWith("./")
      ? pathToFileURL(join(root, value)).href.replace(/\/$/, "") + slash(value)
      : value;
  const imports: Record<string, string> = {};
  for (const [key, value] of Object.entries(config.imports as Record<string, string>)) {
    imports[key] = local(value);
  }
  const dir = target === "solutions"
    ? join(root, "solutions")
    : resolve(root, target === "lessons" ? "lessons" : target.dir);
  imports["@exercises/"] = pathToFileURL(dir).href + "/";
  // deno.json's scopes (the reference reads the reference: `@exercises/` inside solutions/).
  const scopes: Record<string, Record<string, string>> = {};
  for (const [scope, map] of Object.entries(config.scopes ?? {}) as [string, object][]) {
    const entries = Object.entries(map as Record<string, string>).map(([k, v]) => [k, local(v)]);
    scopes[local(scope)] = Object.fromEntries(entries);
  }
  // One file per call: several runs (a watch loop, the course check) may work at once.
  const path = await Deno.makeTempFile({
    dir: await tempDir(root),
    prefix: tempPrefix("import_map"),
    suffix: ".json",
  });
  await Deno.writeTextFile(path, JSON.stringify({ imports, scopes }, null, 2) + "\n");
  return path;
}

function slash(value: string): string {
  return value.endsWith("/") ? "/" : "";
}

async function privateRuntimeDir(root: string): Promise<string> {
  const dir = join(root, ".course", "runtime");
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** Gives each outcome the lines its test printed, from the `{ test, lines }` JSON lines. */
function attachOutput(outcomes: Outcome[], jsonLines: string): void {
  for (const line of jsonLines.split("\n")) {
    try {
      const { test, lines } = JSON.parse(line) as { test: string; lines: string[] };
      const outcome = outcomes.find((o) => o.name === test);
      if (outcome) outcome.output = lines;
    } catch { /* an empty or cut line */ }
  }
}

function messageFromYaml(line: string): string {
  try {
    const parsed = JSON.parse(line.trim()) as { message?: string };
    return cleanMessage(parsed.message ?? "");
  } catch {
    return cleanMessage(line.trim());
  }
}

/**
 * Removes the runner's noise from a failure message: colour codes, the source excerpt and
 * stack frames, and the "Uncaught" / "CourseAssertionError:" prefixes.
 *
 * @example
 * ```ts
 * import { cleanMessage } from "@lib/course/run_tests.ts";
 * cleanMessage("CourseAssertionError: expected 3\n    at file:///x.ts:1:1"); // "expected 3"
 * ```
 */
export function cleanMessage(message: string): string {
  // deno-lint-ignore no-control-regex
  const plain = message.replace(/\u001b\[[0-9;]*m/g, "");
  const kept: string[] = [];
  for (const line of plain.split("\n")) {
    if (/^\s*\^\s*$/.test(line)) {
      kept.pop(); // the source line Deno prints above its caret
      break;
    }
    if (/^\s+at /.test(line)) break;
    kept.push(line);
  }
  return kept.join("\n").trim()
    .replace(/^(Uncaught )?(error: )?/, "")
    .replace(/^(CourseAssertionError|NotImplementedError): /, "");
}

/**
 * Explains why `deno test` ran no test at all: a type error or syntax error in a learner's file,
 * or a module that cannot load.
 *
 * @example
 * ```ts
 * import { explainLoadError } from "@lib/course/run_tests.ts";
 * explainLoadError("error: The module's source code could not be parsed", ".");
 * ```
 */
export function explainLoadError(stderr: string, root: string): string {
  // deno-lint-ignore no-control-regex
  const text = stderr.replace(/\u001b\[[0-9;]*m/g, "").replaceAll(
    pathToFileURL(root).href + "/",
    "",
  );
  const ts = text.match(/(TS\d+ \[ERROR\]: [^\n]+)[\s\S]*?at ([^\s]+:\d+:\d+)/);
  if (ts) {
    return `Your code does not type-check, so no test could run.\n  ${ts[1]}\n  at ${ts[2]}\n` +
      `Fix this error first (TypeScript checks every file the tests import).`;
  }
  // Deno prints the error line, then (since 2.x) a code frame, then `at FILE:LINE:COL`.
  const parse = text.match(
    /error: ([^\n]*(?:parse|[Ee]xpected|Unexpected|SyntaxError)[^\n]*)(?:(?:\n\s*(?:\d+\s*)?\|[^\n]*)*\n\s+at ([^\s]+:\d+:\d+))?/,
  );
  if (parse) {
    return `Your code has a syntax error, so no test could run.\n  ${parse[1]}` +
      (parse[2] ? `\n  at ${parse[2]}` : "");
  }
  const first = text.split("\n").find((l) => l.startsWith("error:")) ?? text.trim().split("\n")[0];
  return `The tests could not start: ${first ?? "(no message)"}`;
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      yield buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
    }
  }
  if (buffer) yield buffer;
}
