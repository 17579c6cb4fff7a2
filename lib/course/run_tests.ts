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
}

/** What a whole run produced. */
export interface RunResult {
  /** One outcome per test that reported (a timed-out test is included, marked). */
  outcomes: Outcome[];
  /** When the run could not start its tests: the compiler's or loader's message. */
  error?: string;
  /** The subprocess's exit code. */
  code: number;
  /** True when the run was stopped through {@linkcode RunOptions.signal}. */
  aborted?: boolean;
}

/** Options of {@linkcode runExerciseTests}. */
export interface RunOptions {
  /** The course root (the folder with deno.json). */
  root: string;
  /** Test files, relative to the root. */
  tests: string[];
  /** Which exercise code to test (default: the learner's `lessons/`). */
  target?: Target;
  /** Seconds a single test may run before the run is stopped (default 60). */
  testTimeoutSeconds?: number;
  /** The TensorFlow.js backend for the tests (`COURSE_BACKEND`), default auto. */
  backend?: string;
  /** Extra arguments for `deno test` (e.g. `--filter`). */
  extraArgs?: string[];
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
  const result = await runOnce(options, options.extraArgs ?? []);
  let last = result;
  while (options.functions && !result.aborted) {
    const hung = last.outcomes.find((o) => o.timedOut && options.functions!.includes(o.fn));
    if (!hung) break;
    const seen = new Set(result.outcomes.map((o) => o.fn));
    const rest = options.functions.filter((f) => !seen.has(f) && /^\w+$/.test(f));
    if (rest.length === 0) break;
    last = await runOnce(options, [
      ...(options.extraArgs ?? []),
      `--filter=/^(?:${rest.join("|")}): /`,
    ]);
    result.outcomes.push(...last.outcomes);
    result.code = result.code || last.code;
    result.aborted = last.aborted;
    if (last.error && last.outcomes.length === 0) break;
  }
  return result;
}

async function runOnce(options: RunOptions, extraArgs: string[]): Promise<RunResult> {
  const root = resolve(options.root);
  const target = options.target ?? "lessons";
  const allowAll = extraArgs.some((a) => a === "-A" || a === "--allow-all");
  const args = [
    "test",
    "--reporter=tap",
    "--no-prompt",
    ...(allowAll ? [] : ["--allow-read", "--allow-write", "--allow-env"]),
  ];
  const map = target === "lessons" ? undefined : await writeImportMap(root, target);
  if (map) args.push(`--import-map=${map}`);
  args.push(...extraArgs, ...options.tests);

  await Deno.mkdir(join(root, ".course", "tmp"), { recursive: true });
  const trace = await Deno.makeTempFile({ dir: join(root, ".course", "tmp"), prefix: "trace_" });
  // What each test printed (`exerciseTest` writes it; the TAP reporter drops it).
  const printed = await Deno.makeTempFile({ dir: join(root, ".course", "tmp"), prefix: "output_" });
  const env: Record<string, string> = {
    NO_COLOR: "1",
    COURSE_TRACE: trace,
    COURSE_OUTPUT: printed,
    XDG_RUNTIME_DIR: await privateRuntimeDir(root),
  };
  if (options.backend) env.COURSE_BACKEND = options.backend;
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).spawn();

  const limitMs = (options.testTimeoutSeconds ?? 60) * 1000;
  // Type-checking and loading TensorFlow.js take a while before the first test starts.
  const startupMs = Math.max(limitMs, 180_000);
  let testsStarted = false;
  const outcomes: Outcome[] = [];
  let file = "";
  let running: string | undefined;
  let pending: Outcome | undefined;
  let timedOut = false;
  // The watchdog: a test that neither finishes nor lets another start within the limit is
  // stopped. A test's start is seen in the trace file (written synchronously by
  // `exerciseTest`), its end on stdout.
  let lastActivity = performance.now();
  let traceSize = 0;
  const stop = () => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  };
  const watchdog = setInterval(() => {
    let size = traceSize;
    try {
      size = Deno.statSync(trace).size;
    } catch { /* removed already */ }
    if (size !== traceSize) {
      traceSize = size;
      testsStarted = true;
      lastActivity = performance.now();
    }
    if (performance.now() - lastActivity > (testsStarted ? limitMs : startupMs)) {
      timedOut = true;
      clearInterval(watchdog);
      stop();
    }
  }, Math.min(250, limitMs / 4));
  let aborted = false;
  const abort = () => {
    aborted = true;
    stop();
  };
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener("abort", abort);

  const stderrText = new Response(child.stderr).text();
  const finish = (o: Outcome) => {
    outcomes.push(o);
    options.onOutcome?.(o);
  };
  let yamlNext = false;
  for await (const line of lines(child.stdout)) {
    if (/^(ok |not ok )/.test(line)) testsStarted = true;
    lastActivity = performance.now();
    const header = line.match(/^# (\.\/)?(.+_test\.ts)$/);
    if (header) file = header[2];
    const result = line.match(/^(not ok|ok) \d+ - (.+?)( # SKIP.*)?$/);
    if (result) {
      if (pending) finish(pending);
      const name = result[2];
      pending = { name, fn: name.split(":")[0].trim(), file, ok: result[1] === "ok" };
      if (result[3]) pending.skipped = true;
      if (pending.ok) {
        finish(pending);
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
  if (map) await Deno.remove(map).catch(() => {});
  const started = (await Deno.readTextFile(trace).catch(() => "")).trim().split("\n");
  await Deno.remove(trace).catch(() => {});
  attachOutput(outcomes, await Deno.readTextFile(printed).catch(() => ""));
  await Deno.remove(printed).catch(() => {});
  const last = started.at(-1);
  if (last && !outcomes.some((o) => o.name === last)) running = last;

  if (aborted) return { outcomes, code: status.code, aborted: true };
  if (timedOut) {
    const name = running ?? "a test";
    finish({
      name,
      fn: name.split(":")[0].trim(),
      file,
      ok: false,
      timedOut: true,
      message:
        `stopped after ${(testsStarted ? limitMs : startupMs) / 1000} s without finishing. ` +
        `Your code may loop forever (check the condition of each \`while\` loop), ` +
        `or do far more work than needed.`,
    });
  }
  const result: RunResult = { outcomes, code: status.code };
  if (!timedOut && outcomes.length === 0 && status.code !== 0) {
    result.error = explainLoadError(stderr, root);
  }
  return result;
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
  await Deno.mkdir(join(root, ".course", "tmp"), { recursive: true });
  const path = await Deno.makeTempFile({
    dir: join(root, ".course", "tmp"),
    prefix: "import_map_",
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
    /error: ([^\n]*(?:parse|Expected|Unexpected)[^\n]*)(?:(?:\n\s*(?:\d+\s*)?\|[^\n]*)*\n\s+at ([^\s]+:\d+:\d+))?/,
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
