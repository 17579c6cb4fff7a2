/**
 * Test helpers for the course: numeric assertions whose messages a beginner understands,
 * and {@linkcode exerciseTest}, which names each test after the exercise it checks and turns
 * errors thrown by a learner's code into one plain paragraph.
 *
 * Built on `node:assert/strict` for exact comparisons; the numeric helpers (tolerances,
 * shapes, first differing index) are written here because no npm package gives
 * beginner-friendly messages for tensors.
 *
 * @example
 * ```ts
 * import { assertAllClose, exerciseTest } from "@lib/testing/mod.ts";
 * exerciseTest("double", "doubles each entry", () => {
 *   assertAllClose([2, 4], [2, 4], { what: "double([1, 2])" });
 * });
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { readEnv } from "@lib/tf/mod.ts";

// An error raised deep inside TensorFlow.js has more than V8's default 10 frames above the
// learner's call; keep enough to find the line of the learner's code that made the call.
Error.stackTraceLimit = Math.max(Error.stackTraceLimit, 50);

/**
 * Thrown by an exercise stub that the learner has not written yet.
 *
 * @example
 * ```ts
 * import { NotImplementedError } from "@lib/testing/mod.ts";
 * const e = new NotImplementedError("sampleTriggers");
 * e.exercise; // "sampleTriggers"
 * e.lesson; // the lesson whose exercise file threw it (undefined here: not thrown by one)
 * ```
 */
export class NotImplementedError extends Error {
  /** The exercise (function) that is still a stub. */
  readonly exercise: string;
  /**
   * The lesson whose exercise file threw this error, read from the stack
   * (`lessons/NN_slug/exercises.ts`), or undefined when no exercise file is on it.
   */
  get lesson(): number | undefined {
    const from = this.stack?.match(/lessons\/(\d\d)_\w+\/exercises\.ts/);
    return from ? Number(from[1]) : undefined;
  }
  /** Creates the error for one exercise. */
  constructor(exercise: string) {
    super(
      `\`${exercise}\` is not implemented yet: it still throws the stub's error. ` +
        `Replace the \`throw notImplemented(...)\` line with your code.`,
    );
    this.name = "NotImplementedError";
    this.exercise = exercise;
  }
}

/**
 * The body of every exercise stub: throws {@linkcode NotImplementedError}.
 *
 * @example
 * ```ts
 * import { notImplemented } from "@lib/testing/mod.ts";
 * export function square(x: number): number {
 *   throw notImplemented("square");
 * }
 * ```
 */
export function notImplemented(exercise: string): NotImplementedError {
  return new NotImplementedError(exercise);
}

/**
 * A failed check, worded for a learner (what was expected, what came back).
 *
 * @example
 * ```ts
 * import { CourseAssertionError } from "@lib/testing/mod.ts";
 * throw new CourseAssertionError("expected 3 triggers, got 2");
 * ```
 */
export class CourseAssertionError extends Error {
  /** Creates the error with a plain-words message. */
  constructor(message: string) {
    super(message);
    this.name = "CourseAssertionError";
  }
}

/** Nested arrays of numbers, a typed array or a tensor: anything the helpers compare. */
export type Numeric = number | ArrayLike<number> | NumericArray | tf.Tensor;
interface NumericArray extends ReadonlyArray<number | NumericArray | ArrayLike<number>> {}

/** Options of the numeric assertions. */
export interface CloseOptions {
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-4). */
  rtol?: number;
  /** What is being compared, e.g. "attention weights of row 3". */
  what?: string;
  /**
   * Classic mistakes to recognise: when the result matches `value` (what the mistake computes)
   * instead of the expected one, the message ends with `means` ("the matrix is transposed").
   */
  mistakes?: { value: Numeric; means: string }[];
}

/**
 * Fails unless `condition` holds, with `message` as the learner-facing explanation.
 *
 * @example
 * ```ts
 * import { check } from "@lib/testing/mod.ts";
 * check(1 + 1 === 2, "1 + 1 should be 2");
 * ```
 */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw atCaller(new CourseAssertionError(message), check);
}

/**
 * The shape of a number, nested array, typed array or tensor.
 *
 * @example
 * ```ts
 * import { shapeOf } from "@lib/testing/mod.ts";
 * shapeOf([[1, 2, 3], [4, 5, 6]]); // [2, 3]
 * ```
 */
export function shapeOf(value: unknown): number[] {
  try {
    if (value instanceof tf.Tensor) return value.shape.slice();
    if (typeof value === "number") return [];
    if (isArrayLike(value)) {
      const first = value.length > 0 ? shapeOf(value[0]) : [];
      if (Array.isArray(value)) {
        // A ragged nested array has no shape: say which row differs from the first.
        for (let i = 1; i < value.length; i++) {
          const row = shapeOf(value[i]);
          if (row.length !== first.length || row.some((n, k) => n !== first[k])) {
            throw new CourseAssertionError(
              `expected a rectangular array, but entry [${i}] has shape ${fmtShape(row)} while ` +
                `entry [0] has shape ${fmtShape(first)}`,
            );
          }
        }
      }
      return [value.length, ...first];
    }
    throw new CourseAssertionError(
      `expected numbers (an array or a tensor) but got ${describe(value)}`,
    );
  } catch (error) {
    throw atCaller(error, shapeOf);
  }
}

/**
 * Fails unless `actual` has exactly `shape`, saying which axis differs.
 *
 * @example
 * ```ts
 * import { assertShape } from "@lib/testing/mod.ts";
 * assertShape([[1, 2], [3, 4]], [2, 2], "the bigram matrix");
 * ```
 */
export function assertShape(actual: unknown, shape: number[], what = "the result"): void {
  try {
    if (actual === undefined || actual === null) {
      throw new CourseAssertionError(
        `${what}: expected a value of shape ${fmtShape(shape)} but your function returned ${
          String(actual)
        }. Did you forget a \`return\`?`,
      );
    }
    let got: number[];
    try {
      got = shapeOf(actual);
    } catch (e) {
      if (e instanceof CourseAssertionError) {
        throw new CourseAssertionError(`${what}: ${e.message}.`);
      }
      throw e;
    }
    if (got.length !== shape.length || got.some((n, i) => n !== shape[i])) {
      const axis = got.findIndex((n, i) => n !== shape[i]);
      const where = got.length === 0
        ? "a single number instead of an array"
        : got.length !== shape.length
        ? `it has ${got.length} axes instead of ${shape.length}`
        : `axis ${axis} has length ${got[axis]} instead of ${shape[axis]}`;
      throw new CourseAssertionError(
        `${what}: expected shape ${fmtShape(shape)} but got shape ${fmtShape(got)} (${where}).`,
      );
    }
  } catch (error) {
    throw atCaller(error, assertShape);
  }
}

/**
 * Fails when any entry is NaN or infinite, naming the first one.
 *
 * @example
 * ```ts
 * import { assertFinite } from "@lib/testing/mod.ts";
 * assertFinite([0.5, 0.5], "softmax output");
 * ```
 */
export function assertFinite(actual: Numeric, what = "the result"): void {
  try {
    const values = flatten(actual);
    const i = values.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new CourseAssertionError(
        `${what}: found ${values[i]}${at(i, shapeOf(actual))}. ` +
          `Every value should be a finite number. ${whyNotFinite(values[i])}`,
      );
    }
  } catch (error) {
    throw atCaller(error, assertFinite);
  }
}

/**
 * Fails unless `actual` and `expected` have the same shape and every entry is within
 * `atol + rtol * |expected|`, reporting the first differing index.
 *
 * @example
 * ```ts
 * import { assertAllClose } from "@lib/testing/mod.ts";
 * assertAllClose([0.333333], [1 / 3], { what: "a third" });
 * ```
 */
export function assertAllClose(
  actual: Numeric,
  expected: Numeric,
  options: CloseOptions = {},
): void {
  try {
    const { atol = 1e-5, rtol = 1e-4, what = "the result", mistakes = [] } = options;
    const shape = shapeOf(expected);
    assertShape(actual, shape, what);
    const a = flatten(actual);
    const e = flatten(expected);
    let bad = 0;
    let first = -1;
    for (let i = 0; i < e.length; i++) {
      const ok = Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
      if (!ok) {
        bad++;
        if (first < 0) first = i;
      }
    }
    if (bad > 0) {
      const tol = atol + rtol * Math.abs(e[first]);
      const notFinite = !Number.isFinite(a[first]) && Number.isFinite(e[first]);
      const where = at(first, shape);
      const count = e.length === 1 ? "" : ` ${bad} of ${e.length} values differ.`;
      const known = mistakes.find(({ value }) => {
        const m = flatten(value);
        return m.length === a.length &&
          m.every((v, i) => Math.abs(a[i] - v) <= atol + rtol * Math.abs(v));
      });
      throw new CourseAssertionError(
        `${what}:${where} expected ${fmtNum(e[first])} but got ${fmtNum(a[first])} ` +
          `(allowed difference ${fmtNum(tol)}).${count}` +
          (notFinite ? ` ${whyNotFinite(a[first])}` : "") +
          (known ? ` ${known.means}` : ""),
      );
    }
  } catch (error) {
    throw atCaller(error, assertAllClose);
  }
}

/**
 * Fails unless two integer arrays (or tensors) are equal, reporting the first difference.
 *
 * @example
 * ```ts
 * import { assertArrayEqual } from "@lib/testing/mod.ts";
 * assertArrayEqual([1, 2, 3], [1, 2, 3], "token ids");
 * ```
 */
export function assertArrayEqual(actual: Numeric, expected: Numeric, what = "the result"): void {
  try {
    assertAllClose(actual, expected, { atol: 0, rtol: 0, what });
  } catch (error) {
    throw atCaller(error, assertArrayEqual);
  }
}

/**
 * Flattens a number, nested array, typed array or tensor to a plain array of numbers.
 *
 * @example
 * ```ts
 * import { flatten } from "@lib/testing/mod.ts";
 * flatten([[1, 2], [3, 4]]); // [1, 2, 3, 4]
 * ```
 */
export function flatten(value: Numeric): number[] {
  try {
    if (value instanceof tf.Tensor) {
      if (value.isDisposed) {
        throw new CourseAssertionError(
          "your function returned a tensor that was already disposed (did `tf.tidy` or " +
            "`dispose()` free the result you return?)",
        );
      }
      return Array.from(value.dataSync() as ArrayLike<number>);
    }
    if (typeof value === "number") return [value];
    const out: number[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === "number") out.push(v);
      else if (isArrayLike(v)) { for (let i = 0; i < v.length; i++) walk(v[i]); }
      else {
        throw new CourseAssertionError(`expected only numbers but found ${describe(v)}`);
      }
    };
    walk(value);
    return out;
  } catch (error) {
    throw atCaller(error, flatten);
  }
}

/**
 * Runs `fn` and fails if it leaves tensors alive besides the ones it returns: intermediate
 * tensors that were neither created under `tf.tidy` nor disposed. Returns what `fn` returned
 * (the caller disposes it).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { assertNoLeak } from "@lib/testing/mod.ts";
 * const x = tf.ones([2, 2]);
 * const y = await assertNoLeak(() => tf.tidy(() => x.add(1).mul(2)), "double");
 * tf.dispose([x, y]);
 * ```
 */
export async function assertNoLeak<T>(fn: () => T | Promise<T>, what: string): Promise<T> {
  try {
    const marker = tf.scalar(0); // tensor ids only grow: returned tensors above it are new
    const firstNewId = marker.id + 1;
    marker.dispose();
    const before = tf.memory().numTensors;
    const result = await fn();
    const returned = new Set<number>();
    const walk = (v: unknown, depth: number): void => {
      if (v instanceof tf.Tensor) {
        if (!v.isDisposed && v.id >= firstNewId) returned.add(v.id);
      } else if (Array.isArray(v) && depth < 3) v.forEach((e) => walk(e, depth + 1));
      else if (typeof v === "object" && v !== null && depth < 3) {
        Object.values(v).forEach((e) => walk(e, depth + 1));
      }
    };
    walk(result, 0);
    const leaked = tf.memory().numTensors - before - returned.size;
    if (leaked > 0) {
      throw new CourseAssertionError(
        `${what} left ${leaked} intermediate tensor${leaked === 1 ? "" : "s"} alive. Wrap the ` +
          "work in `tf.tidy(() => ...)` (it frees every tensor made inside except the one " +
          "returned), or `dispose()` each tensor you no longer need: over a training run, " +
          "leaked tensors fill the memory.",
      );
    }
    return result;
  } catch (error) {
    throw atCaller(error, assertNoLeak);
  }
}

/**
 * Fails unless the draws of an exercise come from the seed it is given: `draw(seed)` makes a
 * fresh generator with that seed, samples with the exercise, and returns the draws. The same
 * seed must give the same draws twice, and seeds 1 and 2 different draws (make `draw` sample
 * enough that two seeds cannot agree by chance).
 *
 * @example
 * ```ts
 * import { assertSeeded } from "@lib/testing/mod.ts";
 * import { Rng } from "@lib/rng/mod.ts";
 * assertSeeded((seed) => {
 *   const rng = new Rng(seed);
 *   return Array.from({ length: 20 }, () => rng.int(10));
 * }, "20 draws of rng.int(10)");
 * ```
 */
export function assertSeeded(draw: (seed: number) => Numeric, what: string): void {
  try {
    const [a, b, c] = [draw(1), draw(1), draw(2)].map(flatten);
    const same = (x: number[], y: number[]) =>
      x.length === y.length && x.every((v, i) => v === y[i]);
    const show = (x: number[]) =>
      `[${x.slice(0, 8).map((v) => +v.toPrecision(4)).join(", ")}${x.length > 8 ? ", ..." : ""}]`;
    check(
      same(a, b),
      `${what}: the same seed gave different draws (${show(a)}, then ${show(b)}). Every random ` +
        "choice must come from the `rng` passed in: `Math.random()` (or a generator of your own) " +
        "is not seeded, so a run cannot be repeated.",
    );
    check(
      !same(a, c),
      `${what}: seeds 1 and 2 gave the same draws ${show(a)}. The draws must come from the ` +
        "`rng` passed in (does your code ignore it, or always pick the same value?).",
    );
  } catch (error) {
    throw atCaller(error, assertSeeded);
  }
}

/**
 * Runs `fn` and fails if it modified any of `inputs` (arrays and objects compared by value,
 * tensors checked for `dispose()`), naming the input. Returns what `fn` returned.
 *
 * @example
 * ```ts
 * import { assertUnchanged } from "@lib/testing/mod.ts";
 * const p = [0.5, 0.5];
 * assertUnchanged({ p }, () => p.map((x) => 2 * x), "doubling");
 * ```
 */
export function assertUnchanged<T>(inputs: Record<string, unknown>, fn: () => T, what: string): T {
  try {
    const snap = (v: unknown): unknown =>
      v instanceof tf.Tensor
        ? (v.isDisposed ? "disposed" : "tensor")
        : ArrayBuffer.isView(v)
        ? Array.from(v as unknown as ArrayLike<number>)
        : Array.isArray(v)
        ? v.map(snap)
        : typeof v === "object" && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, e]) => [k, snap(e)]))
        : v;
    const before = Object.entries(inputs).map(([k, v]) => [k, JSON.stringify(snap(v))]);
    const result = fn();
    for (const [name, was] of before) {
      const now = JSON.stringify(snap(inputs[name]));
      if (now === was) continue;
      throw new CourseAssertionError(
        now.includes('"disposed"') && !was.includes('"disposed"')
          ? `${what} disposed its input \`${name}\`: dispose only the tensors your code creates ` +
            "(the caller still uses its inputs)."
          : `${what} modified its input \`${name}\` in place: work on a copy (\`array.slice()\`, ` +
            "`row.map(...)`), since the caller still uses it (and a later call would see the " +
            "changed values).",
      );
    }
    return result;
  } catch (error) {
    throw atCaller(error, assertUnchanged);
  }
}

/**
 * Freezes a shared test fixture (arrays and plain objects, recursively; tensors are left alone)
 * and returns it: an exercise that modifies it then fails in its own test, with a message that
 * says so, instead of handing changed values to the tests that run after it.
 *
 * @example
 * ```ts
 * import { deepFreeze } from "@lib/testing/mod.ts";
 * const triggers = deepFreeze([1, 43, 58]);
 * Object.isFrozen(triggers); // true
 * ```
 */
export function deepFreeze<T>(value: T): T {
  if (
    Array.isArray(value) || (typeof value === "object" && value !== null &&
      Object.getPrototypeOf(value) === Object.prototype)
  ) {
    Object.values(value as object).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/**
 * The definition of a test of one exercise, named `exercise: name`, for `Deno.test`. Errors
 * thrown by the learner's code are reworded into one paragraph (no stack trace from
 * TensorFlow.js). Test files call `Deno.test` themselves, so that plain `deno test` names the
 * test file's line for a failure, not a line of this module.
 *
 * @example
 * ```ts
 * import { check, exerciseCase } from "@lib/testing/mod.ts";
 * Deno.test(exerciseCase("add", "adds two numbers", () => check(1 + 2 === 3, "1 + 2 should be 3")));
 * ```
 */
export function exerciseCase(
  exercise: string,
  name: string,
  fn: () => void | Promise<void>,
): Deno.TestDefinition {
  const full = `${exercise}: ${name}`;
  trace({ plan: full });
  return {
    name: full,
    // tfjs keeps its backend's buffers and timers alive between tests on purpose.
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const started = performance.now();
      const cpu = cpuUsage();
      trace({ start: full });
      const output = captureOutput(full);
      const end = (ok: boolean, message?: string) => {
        const used = cpuUsage(cpu);
        trace({
          end: full,
          ok,
          ms: Math.round(performance.now() - started),
          cpuMs: Math.round((used.user + used.system) / 1000),
          message,
        });
      };
      try {
        await fn();
      } catch (error) {
        const explained = explainThrown(error, exercise);
        if (explained !== error && error instanceof Error) {
          // A reworded error keeps the frames of the original, so that plain `deno test` points
          // at the line that failed, not at this module.
          explained.stack = `${explained.name}: ${explained.message}\n` + framesOutside(error);
        }
        end(false, explained.message);
        throw explained;
      } finally {
        output?.stop();
      }
      end(true);
    },
  };
}

/**
 * Registers {@linkcode exerciseCase} with `Deno.test` in one call. Plain `deno test` then names
 * this module's line for a failure; the lesson tests use `Deno.test(exerciseCase(...))`.
 *
 * @example
 * ```ts
 * import { check, exerciseTest } from "@lib/testing/mod.ts";
 * exerciseTest("add", "adds two numbers", () => check(1 + 2 === 3, "1 + 2 should be 3"));
 * ```
 */
export function exerciseTest(
  exercise: string,
  name: string,
  fn: () => void | Promise<void>,
): void {
  Deno.test(exerciseCase(exercise, name, fn));
}

/**
 * Turns anything thrown while checking an exercise into an error a learner can read.
 *
 * @example
 * ```ts
 * import { explainThrown } from "@lib/testing/mod.ts";
 * explainThrown(new TypeError("x is undefined"), "sampleTriggers").message;
 * ```
 */
export function explainThrown(error: unknown, exercise: string): Error {
  if (error instanceof NotImplementedError || error instanceof CourseAssertionError) return error;
  if (error instanceof Error && error.name === "AssertionError") {
    return new CourseAssertionError(error.message.split("\n\n")[0]);
  }
  const message = error instanceof Error ? error.message : String(error);
  const kind = error instanceof Error ? error.name : "a value";
  const where = error instanceof Error ? learnerFrame(error.stack ?? "", exercise) : undefined;
  const fromTf = error instanceof Error && thrownInTf(error.stack ?? "");
  if (error instanceof Error && !where && !fromTf && inTestCode(error.stack ?? "")) {
    // The learner's function returned, and the test tripped over what it returned.
    return new CourseAssertionError(
      `the value returned by \`${exercise}\` could not be checked: ${kind}: ` +
        `${firstLine(message)}. Your function probably returned undefined (a missing ` +
        `\`return\`?) or a value of another type than the exercise asks for.`,
    );
  }
  if (
    error instanceof TypeError &&
    /read[- ]only|not extensible|object is not extensible|Cannot (assign|add|delete)/.test(message)
  ) {
    return new CourseAssertionError(
      `\`${exercise}\` modified one of its inputs (${firstLine(message)}` +
        (where ? `, ${where}` : "") +
        "). The tests freeze the inputs they share between tests: work on a copy " +
        "(`array.slice()`, `{ ...object }`) instead of changing what you were given.",
    );
  }
  if (message.startsWith("WebGPU error:")) {
    // Already explained for a learner (lib/webgpu's explainGpuError): keep it whole.
    return new CourseAssertionError(`\`${exercise}\`: ${message.split("\n")[0]}`);
  }
  return new CourseAssertionError(
    `\`${exercise}\` threw ${kind}: ${firstLine(message)}` +
      (where ? ` (${where})` : "") +
      (fromTf
        ? ". The error was raised inside TensorFlow.js by a call your code made: " +
          "check the shapes and dtypes you pass to it."
        : "."),
  );
}

/**
 * Appends one event (a JSON line) to the file named by `COURSE_TRACE`: a test registered
 * (`plan`), started or ended, with its time. The course runner reads it to name a test that never
 * finishes and to tell a crashed test process from a finished one: console output of a process
 * that hangs or dies is never flushed; a synchronous file write is.
 */
function trace(event: Record<string, unknown>): void {
  const path = tracePath();
  if (path) Deno.writeTextFileSync(path, JSON.stringify(event) + "\n", { append: true });
}

let traceFile: string | null | undefined;
function tracePath(): string | null {
  if (traceFile === undefined) {
    const path = readEnv("COURSE_TRACE");
    traceFile = path && Deno.permissions.querySync({ name: "write", path }).state === "granted"
      ? path
      : null;
  }
  return traceFile;
}

/**
 * Points a failure at the line of the test that called `api`, not at a line of this module:
 * plain `deno test` shows the top frame of the stack as the place of the failure.
 */
// deno-lint-ignore ban-types
function atCaller(error: unknown, api: Function): unknown {
  if (error instanceof CourseAssertionError) Error.captureStackTrace(error, api);
  return error;
}

/** The stack frames of `error` outside this module and Deno's test runner. */
function framesOutside(error: Error): string {
  const here = import.meta.url;
  return (error.stack ?? "").split("\n")
    .filter((l) => /^\s+at /.test(l) && !l.includes(here) && !l.includes("ext:"))
    .join("\n");
}

/**
 * The process's CPU time (µs), through Node's `process` global, which Deno provides: not an
 * import of `node:process`, so that this module still loads in the browser, where the site
 * runs the learner's exercises (there the time reads 0).
 */
function cpuUsage(since?: CpuTime): CpuTime {
  const process = (globalThis as { process?: { cpuUsage(since?: CpuTime): CpuTime } }).process;
  return process?.cpuUsage(since) ?? { user: 0, system: 0 };
}

/** CPU time in microseconds, as Node's `process.cpuUsage` gives it. */
type CpuTime = { user: number; system: number };

/**
 * While a test runs under the course runner (`COURSE_OUTPUT` names a file), keeps what the
 * code prints with `console` and, when the test ends, appends its first 20 lines to that file
 * as one JSON line `{ test, lines }` (Deno's TAP reporter drops a test's output). Under plain
 * `deno test` nothing is captured.
 */
function captureOutput(test: string): { stop(): void } | undefined {
  const path = readEnv("COURSE_OUTPUT");
  if (!path || Deno.permissions.querySync({ name: "write", path }).state !== "granted") return;
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const saved = methods.map((m) => console[m]);
  const lines: string[] = [];
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      const text = args.map((a) => typeof a === "string" ? a : Deno.inspect(a)).join(" ");
      lines.push(...text.split("\n"));
    };
  }
  return {
    stop() {
      methods.forEach((m, i) => console[m] = saved[i]);
      if (lines.length === 0) return;
      const shown = lines.slice(0, 20).map((l) => l.length > 200 ? `${l.slice(0, 197)}...` : l);
      if (lines.length > 20) shown.push(`... and ${lines.length - 20} more lines`);
      Deno.writeTextFileSync(path, JSON.stringify({ test, lines: shown }) + "\n", { append: true });
    },
  };
}

/** Whether the first stack frame with a file is in an exercise test (not the learner's code). */
function inTestCode(stack: string): boolean {
  const frame = stack.split("\n").find((l) => /^\s+at .*file:\/\//.test(l));
  return frame !== undefined && /\/tests\/lessons\/\w+_test\.ts:\d+/.test(frame);
}

/**
 * Whether the error was thrown inside TensorFlow.js: its top stack frame is tfjs's, not the
 * learner's own line that a `tf.tidy` or `tf.variableGrads` callback runs under.
 */
function thrownInTf(stack: string): boolean {
  const frame = stack.split("\n").find((l) => /^\s+at .*(file|https?):\/\//.test(l));
  return frame !== undefined && /@tensorflow|tfjs/.test(frame);
}

/**
 * The first stack frame in an exercise file, as "at lessons/NN_x/exercises.ts:LINE", or
 * "in `fn` at ..." when that frame is in another function than `exercise` (an exercise that
 * calls another one, or a helper the learner wrote).
 */
function learnerFrame(stack: string, exercise: string): string | undefined {
  for (const line of stack.split("\n")) {
    const m = line.match(/((?:lessons|solutions|pristine)\/\d\d_[\w]+\/[\w.]+:\d+):\d+/);
    if (!m) continue;
    const fn = line.match(/^\s+at (?:async )?([\w$.]+) \(/)?.[1];
    return fn && fn !== exercise ? `in \`${fn}\` at ${m[1]}` : `at ${m[1]}`;
  }
  return undefined;
}

function firstLine(text: string): string {
  const line = text.split("\n")[0].trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function isArrayLike(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || ArrayBuffer.isView(v);
}

function describe(v: unknown): string {
  if (v === undefined || v === null) return String(v);
  if (typeof v === "object") return `an object (${v.constructor?.name ?? "Object"})`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

function fmtShape(shape: number[]): string {
  return `[${shape.join(", ")}]`;
}

/** Where a flat index is, for a message: "" for a single number, " at index [1, 2]" otherwise. */
function at(flat: number, shape: number[]): string {
  return shape.length === 0 ? "" : ` at index ${fmtIndex(flat, shape)}`;
}

/** The usual causes of a value that is not a finite number, told apart by its kind. */
function whyNotFinite(v: number): string {
  if (Number.isNaN(v)) {
    return "NaN usually comes from 0/0 or Infinity/Infinity (exp() of a large number, a " +
      "softmax row that is all -Infinity), log of a negative number, or arithmetic on undefined.";
  }
  if (v > 0) return "Infinity usually comes from a division by 0 or exp() of a large number.";
  return "-Infinity usually comes from log(0), or from a masked score (-Infinity) that ended " +
    "up somewhere it should not (a masked entry the mask should have kept?).";
}

function fmtIndex(flat: number, shape: number[]): string {
  if (shape.length === 0) return "[]";
  const idx: number[] = [];
  let rest = flat;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    idx.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return fmtShape(idx);
}

function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs < 1e-3 || abs >= 1e5) ? x.toExponential(3) : String(+x.toPrecision(6));
}
