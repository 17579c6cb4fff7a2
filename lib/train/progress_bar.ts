/**
 * Live progress bars (npm `cli-progress`). {@linkcode progressReporter}: one training run's step,
 * the last evaluated loss and in-context accuracy, and the time per step.
 * {@linkcode runsProgress}: a set of runs in parallel processes (lesson 8's sweep), one bar over
 * all their steps, with a line per finished run; the runs report their steps on stdout
 * ({@linkcode stepLine}, read back by {@linkcode readStepLines}). When stdout is not a terminal
 * (a log file, CI) they print plain lines instead.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { progressReporter } from "@lib/train/progress_bar.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { train } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const progress = progressReporter(presets.tiny.steps);
 * const parts = trainerParts(data, training);
 * await train(presets.tiny, { parts, onStep: progress.onStep, onEval: progress.onEval });
 * progress.stop();
 * ```
 * @module
 */
// @ts-types="@types/cli-progress"
import cliProgress from "cli-progress";
import type { EvalRecord } from "./trainer.ts";

/** Callbacks to pass to `train`, and `stop` to call when it returns. */
export interface ProgressReporter {
  /** After each step. */
  onStep: (stepCount: number) => void;
  /** After each evaluation. */
  onEval: (record: EvalRecord) => void;
  /** Ends the bar (leaves its last state on screen). */
  stop: () => void;
}

/**
 * A reporter for a run of `total` steps; `loss` names the metric shown as the loss.
 *
 * @example
 * ```ts
 * import { progressReporter } from "@lib/train/progress_bar.ts";
 * const p = progressReporter(100, { loss: "lossAll" });
 * p.stop();
 * ```
 */
export function progressReporter(
  total: number,
  options: { loss?: "lossInContext" | "lossAll"; tty?: boolean } = {},
): ProgressReporter {
  const lossKey = options.loss ?? "lossInContext";
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const format = (r: EvalRecord) =>
    `step ${r.step}/${total}  loss ${r[lossKey].toFixed(3)}  in-context acc ${
      r.inContextAcc.toFixed(3)
    }  W_O2 ${r.wO2.toFixed(2)} W_K2 ${r.wK2.toFixed(2)} W_K1(<64) ${r.wK1Early.toFixed(2)}  ` +
    `${(r.elapsedMs / 1000).toFixed(1)} s`;
  if (!tty) {
    return { onStep: () => {}, onEval: (r) => console.log(format(r)), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar({
    format: "step {value}/{total} [{bar}] loss {loss}  in-context acc {acc}  {speed} s/step",
    hideCursor: true,
    barsize: 24,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  let last = { step: 0, time: performance.now() };
  const payload = { loss: "-", acc: "-", speed: "-" };
  return {
    onStep: (step) => {
      if (!started) {
        bar.start(total, step, payload);
        started = true;
      }
      const now = performance.now();
      payload.speed = ((now - last.time) / 1000 / Math.max(1, step - last.step)).toFixed(2);
      last = { step, time: now };
      bar.update(step, payload);
    },
    onEval: (r) => {
      payload.loss = r[lossKey].toFixed(3);
      payload.acc = r.inContextAcc.toFixed(3);
      if (started) bar.update(r.step, payload);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/** Callbacks for a set of runs (a sweep), and `stop` to call when they are all done. */
export interface RunsProgress {
  /** A run reports the step it reached. */
  onStep: (key: string, step: number) => void;
  /** A run ended (`ok` false: it failed). */
  onDone: (key: string, ok: boolean) => void;
  /** Ends the bar (leaves its last state on screen). */
  stop: () => void;
  /** Where the runs stand (what the bar shows). */
  state: () => RunsState;
}

/** What {@linkcode RunsProgress.state} returns. */
export interface RunsState {
  /** Runs that ended, failed ones included. */
  finished: number;
  /** Runs that failed. */
  failed: number;
  /** All the runs. */
  total: number;
  /** The keys of the runs that reported a step and have not ended. */
  running: string[];
  /** Steps done over all runs (a finished run counts `stepsPerRun`). */
  steps: number;
  /** `total * stepsPerRun`. */
  stepsTotal: number;
}

/** Options of {@linkcode runsProgress}. */
export interface RunsProgressOptions {
  /** Draw a live bar (default: whether stdout is a terminal); otherwise one line per run. */
  tty?: boolean;
  /** Where the lines go (default `console.log`); with a bar they are printed above it. */
  log?: (line: string) => void;
  /** The stream the bar draws on (default stdout; for tests). */
  stream?: NodeJS.WritableStream;
  /** The clock, in milliseconds (default `performance.now`; for tests). */
  now?: () => number;
}

/**
 * Progress of `keys.length` runs of at most `stepsPerRun` steps each, run in parallel (lesson 8's
 * sweep): a bar over all their steps (a finished run counts in full, since a run may stop early),
 * with how many runs finished, and one line per finished run, `[3/8] K5-fixed0 done (42 s)`.
 * When stdout is not a terminal only the lines are printed.
 *
 * @example
 * ```ts
 * import { runsProgress } from "@lib/train/progress_bar.ts";
 * const p = runsProgress(["a", "b"], 100, { tty: false });
 * p.onStep("a", 50);
 * p.onDone("a", true); // prints "[1/2] a done (0 s)"
 * p.onDone("b", false); // prints "[2/2] b FAILED (0 s)"
 * p.stop();
 * ```
 */
export function runsProgress(
  keys: string[],
  stepsPerRun: number,
  options: RunsProgressOptions = {},
): RunsProgress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const tty = options.tty ?? Deno.stdout.isTerminal();
  const total = keys.length;
  const reached = new Map<string, number>();
  const running = new Set<string>();
  let finished = 0;
  let failed = 0;
  const multi = tty
    ? new cliProgress.MultiBar({
      format: "runs {runs} [{bar}] {percentage}% | running: {running} | {duration_formatted}",
      hideCursor: true,
      barsize: 24,
      stream: options.stream,
      noTTYOutput: options.stream !== undefined,
    }, cliProgress.Presets.shades_classic)
    : undefined;
  const payload = () => ({
    runs: `${finished}/${total}${failed ? ` (${failed} failed)` : ""}`,
    running: [...running].join(", ") || "-",
  });
  const bar = multi?.create(total * stepsPerRun, 0, payload());
  const value = () => [...reached.values()].reduce((a, b) => a + b, 0);
  const log = options.log ?? ((line: string) => console.log(line));
  return {
    onStep: (key, step) => {
      if (!keys.includes(key)) return;
      running.add(key);
      reached.set(key, Math.min(step, stepsPerRun));
      bar?.update(value(), payload());
    },
    onDone: (key, ok) => {
      finished++;
      if (!ok) failed++;
      running.delete(key);
      reached.set(key, stepsPerRun);
      const secs = ((now() - started) / 1000).toFixed(0);
      const line = `[${finished}/${total}] ${key} ${ok ? "done" : "FAILED"} (${secs} s)`;
      if (multi && !options.log) multi.log(line + "\n");
      else log(line);
      bar?.update(value(), payload());
    },
    stop: () => {
      multi?.update(); // prints the lines still waiting above the bar
      multi?.stop();
    },
    state: () => ({
      finished,
      failed,
      total,
      running: [...running],
      steps: value(),
      stepsTotal: total * stepsPerRun,
    }),
  };
}

/**
 * The line a run in a child process prints to say which step it reached (read back by
 * {@linkcode readStepLines}).
 *
 * @example
 * ```ts
 * import { stepLine } from "@lib/train/progress_bar.ts";
 * stepLine(40); // "progress step 40"
 * ```
 */
export function stepLine(step: number): string {
  return `progress step ${step}`;
}

/**
 * Reads a child process's stdout to its end and calls `onStep` for each {@linkcode stepLine} in
 * it (other lines are ignored; a line may arrive in several chunks).
 *
 * @example
 * ```ts
 * import { readStepLines, stepLine } from "@lib/train/progress_bar.ts";
 * const out = new Blob([`hello\n${stepLine(10)}\n`]).stream();
 * await readStepLines(out, (step) => console.log(step)); // 10
 * ```
 */
export async function readStepLines(
  stdout: ReadableStream<Uint8Array>,
  onStep: (step: number) => void,
): Promise<void> {
  let rest = "";
  const take = (line: string) => {
    const m = line.match(/^progress step (\d+)$/);
    if (m) onStep(Number(m[1]));
  };
  const decoder = new TextDecoder();
  for await (const chunk of stdout) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    lines.forEach(take);
  }
  take(rest);
}
