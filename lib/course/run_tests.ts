/**
 * Runs the exercise tests of some lessons against a chosen copy of the exercise code, in a
 * `deno test` subprocess, and returns one outcome per test. The tests import exercises through
 * `@exercises/` (`deno.json`: `lessons/`); another copy is tested through an import map that is
 * `deno.json`'s with only that entry changed, so no file is edited. A test that computes too
 * long is stopped and named; a crashed test process is never a pass.
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
  /** The function (exercise) the test checks: the name's part before the colon. */
  fn: string;
  /** The test file, relative to the root. */
  file: string;
  ok: boolean;
  /** For a failure: the message, stack trace removed. */
  message?: string;
  /** Stopped because it computed too long. */
  timedOut?: boolean;
  /** Ignored (`Deno.test({ ignore })`): it did not run; `ok` is true. */
  skipped?: boolean;
  /** What the code printed during the test: the first lines, at most 20. */
  output?: string[];
  /** The test process crashed while this test ran, or before it could: `ok` is false. */
  crashed?: boolean;
  /** The CPU time (where unknown, the wall time) the test took, in seconds. */
  seconds?: number;
}

/** How the test process ended when it did not finish its tests. */
export interface Crash {
  cause: "signal" | "out of memory" | "exit";
  /** In words, e.g. "killed by signal SIGKILL". */
  detail: string;
  /** The test that was running, when known. */
  running?: string;
}

/** What a whole run produced. */
export interface RunResult {
  /** One outcome per test that reported, and after a crash one per test that did not finish. */
  outcomes: Outcome[];
  /** When the tests could not start: the compiler's or loader's message. */
  error?: string;
  /** The subprocess's exit code. */
  code: number;
  /** Stopped through {@linkcode RunOptions.signal}. */
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
  /** Which exercise code to test (default `lessons`). */
  target?: Target;
  /**
   * Seconds one test, or the loading of a test file, may compute (default 60): CPU time of the
   * test process on Linux, so that a busy machine stops nothing early; wall time elsewhere.
   */
  testTimeoutSeconds?: number;
  /** Seconds the top-level code of a test file may compute (default the test timeout, >= 10). */
  loadTimeoutSeconds?: number;
  /** Wall seconds without any progress before the run is stopped all the same (default 10x). */
  wallTimeoutSeconds?: number;
  /** A sentence appended to a timeout's message (how to allow more time). */
  timeoutAdvice?: string;
  /** The TensorFlow.js backend (`COURSE_BACKEND`), default auto. */
  backend?: string;
  /** Extra arguments for `deno test` (e.g. `--filter`). */
  extraArgs?: string[];
  /** Type-check in a second process beside the tests, which run unchecked (default true). */
  typeCheck?: boolean;
  /** Called as each test finishes. */
  onOutcome?: (outcome: Outcome) => void;
  /**
   * The exercise functions of the tests: when a test hangs, those not run yet are run again in
   * a fresh process (`--filter`), so one endless loop does not hide every later exercise.
   */
  functions?: string[];
  /** Kills the run when aborted. */
  signal?: AbortSignal;
}

/**
 * Runs the test files in one `deno test` subprocess and parses its TAP output; after a hang,
 * the functions not run yet (see {@linkcode RunOptions.functions}) run in a new one.
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
  /** Reads new complete lines; true when there were any. */
  poll(): boolean {
    let text: string;
    try {
      text = Deno.readTextFileSync(this.path);
    } catch {
      return false;
    }
    const complete = text.slice(0, text.lastIndexOf("\n") + 1);
    if (complete.length <= this.#size) return false;
    for (const line of complete.slice(this.#size).split("\n")) {
      try {
        if (line) this.events.push(JSON.parse(line));
      } catch { /* a line cut by a crash */ }
    }
    this.#size = complete.length;
    return true;
  }
  /** The test that started and has not ended. */
  running(): string | undefined {
    return this.events.findLast((e) => e.start !== undefined || e.end !== undefined)?.start;
  }
  /** Whether a test file is being loaded (its top-level code runs) and no test runs. */
  loading(): boolean {
    return this.events.findLast((e) => e.load || e.start !== undefined || e.end)?.load === true;
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

const fnOf = (name: string) => name.split(":")[0].trim();

async function runOnce(
  options: RunOptions,
  extraArgs: string[],
  typeCheck: boolean,
): Promise<RunResult> {
  const root = resolve(options.root);
  const target = options.target ?? "lessons";
  const allowAll = extraArgs.some((a) => a === "-A" || a === "--allow-all");
  const map = target === "lessons" ? undefined : await writeImportMap(root, target);
  const mapArgs = map ? [`--import-map=${map}`] : [];
  const args = [
    "test",
    "--reporter=tap",
    "--no-prompt",
    "--no-check",
    `--preload=${PRELOAD}`,
    ...(allowAll ? [] : ["--allow-read", "--allow-write", "--allow-env"]),
    ...mapArgs,
    ...extraArgs,
    ...options.tests,
  ];
  const tmp = await tempDir(root);
  const tracePath = await Deno.makeTempFile({ dir: tmp, prefix: tempPrefix("trace") });
  const trace = new Trace(tracePath);
  // What each test printed (`exerciseTest` writes it; the TAP reporter drops it).
  const printed = await Deno.makeTempFile({ dir: tmp, prefix: tempPrefix("output") });
  const runtime = join(root, ".course", "runtime");
  await Deno.mkdir(runtime, { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    NO_COLOR: "1",
    COURSE_TRACE: tracePath,
    COURSE_OUTPUT: printed,
    XDG_RUNTIME_DIR: runtime,
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
  // Before the first file loads Deno builds the module graph (perhaps node_modules): wall time.
  const startupLimit = Math.max(wallLimit, 180);
  const outcomes: Outcome[] = [];
  let file = "";
  let pending: Outcome | undefined;
  let stopped: "test" | "load" | "startup" | undefined;
  let sawPlan = false;
  // The watchdog: a test that neither finishes nor lets another start within the limit is
  // stopped. A start is seen in the trace file, an end on stdout or in the trace.
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
    file = line.match(/^# (\.\/)?(.+_test\.ts)$/)?.[2] ?? file;
    const result = line.match(/^(not ok|ok) \d+ - (.+?)( # SKIP.*)?$/);
    if (result) {
      if (pending) finish(pending);
      const name = result[2];
      pending = { name, fn: fnOf(name), file, ok: result[1] === "ok" };
      if (result[3]) pending.skipped = true;
      if (pending.ok) {
        trace.poll();
        // Reported "ok" but never ended in the trace: the process was closed under it; held
        // back, and judged below.
        if (!trace.started(name) || trace.ended(name)) finish(pending);
        else outcomes.push(pending);
        pending = undefined;
      }
    } else if (pending && line.trim() === "---") yamlNext = true;
    else if (pending && yamlNext) {
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
  for (const path of [map, tracePath]) if (path) await Deno.remove(path).catch(() => {});
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
  const advice = options.timeoutAdvice ? ` ${options.timeoutAdvice}` : "";
  if (stopped === "test") {
    const name = running ?? "a test";
    finish({
      name,
      fn: fnOf(name),
      file,
      ok: false,
      timedOut: true,
      message: `stopped after ${limit} s without finishing. ` +
        (who === "your code"
          ? `Your code may loop forever (check the condition of each \`while\` loop), ` +
            `or do far more work than needed.`
          : `${who[0].toUpperCase()}${
            who.slice(1)
          } may loop forever, or be too slow for this machine.`) +
        advice,
    });
  }
  const result: RunResult = { outcomes, code: status.code };
  if (stopped === "load") {
    result.error = `${target === "lessons" ? "Your file" : `The file of ${who}`} did not finish ` +
      `loading within ${loadLimit} s: an endless loop at the top level (outside any function)? ` +
      `Code at the top level of an exercise file runs when the tests import it.${advice}`;
  } else if (stopped === "startup") {
    result.error = `The tests did not start within ${startupLimit} s (Deno could not load them).`;
  } else if (check && check.code !== 0) {
    result.error = explainLoadError(check.stderr + check.stdout, root);
  } else if (!stopped) {
    // Deno reports a test cut short by the end of its isolate as "not ok" without a message.
    const silent = outcomes.find((o) => !o.ok && !o.message && !o.timedOut)?.name;
    const crash = crashOf(status, stdout, stderr, trace, sawPlan, running ?? silent);
    if (crash && markCrash(result, crash, trace, file, extraArgs)) result.crash = crash;
    if (!crash && outcomes.length === 0 && status.code !== 0) {
      result.error = explainLoadError(stderr, root);
    }
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
  if (/out of memory|heap limit|Allocation failed/i.test(stderr)) {
    return { cause: "out of memory", detail: "it ran out of memory", running };
  }
  if (status.signal) {
    return { cause: "signal", detail: `it was killed by signal ${status.signal}`, running };
  }
  if (running || /called `Deno\.exit\(|isolate was terminated/.test(stdout + stderr)) {
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
 * and every registered test that did not run fails as "did not run". Returns whether any test
 * was left unfinished.
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
  const filter = extraArgs.find((a) => a.startsWith("--filter="))?.slice("--filter=".length);
  const re = filter?.match(/^\/(.*)\/$/)?.[1];
  const selected = (name: string) =>
    !filter || (re !== undefined ? new RegExp(re).test(name) : name.includes(filter));
  const planned = trace.planned();
  let unfinished = false;
  for (const name of planned.filter(selected)) {
    const end = trace.ended(name);
    let o = byName.get(name);
    if (!o) {
      o = { name, fn: fnOf(name), file, ok: false };
      result.outcomes.push(o);
      byName.set(name, o);
    }
    if (end && (o.ok || o.message || o.timedOut)) {
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
  const name = "(the test process)";
  const message = `${why} before all tests had reported.`;
  result.outcomes.push({ name, fn: name, file, ok: false, crashed: true, message });
  return true;
}

/**
 * Writes (under `.course/tmp`) an import map that is `deno.json`'s `imports` and `scopes` with
 * `@exercises/` pointed at `target`, and returns its path.
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
      ? pathToFileURL(join(root, value)).href.replace(/\/$/, "") + (value.endsWith("/") ? "/" : "")
      : value;
  const remap = (map: Record<string, string>) =>
    Object.fromEntries(Object.entries(map).map(([k, v]) => [k, local(v)]));
  const imports = remap(config.imports);
  const dir = typeof target === "string" ? join(root, target) : resolve(root, target.dir);
  imports["@exercises/"] = pathToFileURL(dir).href + "/";
  // deno.json's scopes (the reference reads the reference: `@exercises/` inside solutions/).
  const scopes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.scopes ?? {})) {
    scopes[local(k)] = remap(v as Record<string, string>);
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
    return cleanMessage((JSON.parse(line.trim()) as { message?: string }).message ?? "");
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
  const missing = text.match(
    /(?:Cannot find module|Module not found) "?'?(?:file:\/\/[^\s'"]*?\/)?(lessons\/(\d\d)_\w+\/exercises\.ts)/,
  );
  if (missing) {
    return `Your exercise file ${missing[1]} is missing, so no test could run. ` +
      `\`deno task lesson ${Number(missing[2])} --reset\` restores the original stub.`;
  }
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
  const decoder = new TextDecoder(); // not pipeThrough(TextDecoderStream): with the DOM types (site/) that does not type-check
  for await (const chunk of stream) {
    const parts = (buffer + decoder.decode(chunk, { stream: true })).split("\n");
    buffer = parts.pop()!;
    yield* parts;
  }
  if (buffer) yield buffer;
}
