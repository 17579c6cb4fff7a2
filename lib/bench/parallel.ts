/**
 * The benchmark's data-parallel measurement: the course's training step in one process against
 * the same step split over N Workers (lib/train/parallel.ts), interleaved in one run so that both
 * share whatever else the machine is doing, and the speed-up as their ratio.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import type { GradientAverager } from "@lib/train/parallel.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { timeWorkers } from "@lib/bench/parallel.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * declare const averageGradients: GradientAverager; // lesson 6's, passed in by the tool
 * declare const workerUrl: URL; // the tool's Worker script (lessons/05_training/train_worker.ts)
 * const r = await timeWorkers(presets.tiny, trainerParts(data, training), {
 *   workers: 2, backend: "wasm", average: averageGradients, workerUrl, warmup: 1, steps: 3,
 * });
 * r.speedup; // one-process ms / 2-Worker ms
 * ```
 * @module
 */
import type { TrainConfig } from "@lib/train/config.ts";
import type { TrainerParts } from "@lib/train/parts.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { type GradientAverager, GradientPool } from "@lib/train/parallel.ts";
import { median } from "./measure.ts";

/**
 * The fewest untimed and timed steps of each side of the comparison. A Worker's first steps are
 * about twice as slow as its later ones while V8 compiles its code (profile.ts's "warm-up"
 * line), and a step of the cpu run is tens of milliseconds, so the bench's general 2 + 5 steps
 * would time the compiler. {@linkcode workersSteps} raises the bench's counts to these.
 */
export const WORKERS_MIN = { warmup: 20, steps: 10 } as const;

/**
 * The untimed and timed steps of the data-parallel comparison: the bench's own counts, at
 * least {@linkcode WORKERS_MIN}.
 *
 * @example
 * ```ts
 * import { workersSteps } from "@lib/bench/parallel.ts";
 * workersSteps({ warmup: 2, steps: 5 }); // { warmup: 20, steps: 10 }
 * workersSteps({ warmup: 30, steps: 5 }); // { warmup: 30, steps: 10 }
 * ```
 */
export function workersSteps(job: { warmup: number; steps: number }): {
  warmup: number;
  steps: number;
} {
  return {
    warmup: Math.max(job.warmup, WORKERS_MIN.warmup),
    steps: Math.max(job.steps, WORKERS_MIN.steps),
  };
}

/** What {@linkcode timeWorkers} needs besides the configuration and the parts. */
export interface WorkersOptions {
  /** N, the Workers of the data-parallel step. */
  workers: number;
  /** The Workers' backend (the main thread's). */
  backend: string;
  /** Lesson 6's `averageGradients`. */
  average: GradientAverager;
  /** The Worker script (the tool's: `lessons/05_training/train_worker.ts`). */
  workerUrl: URL | string;
  /** Untimed steps of each first. */
  warmup: number;
  /** Timed steps of each. */
  steps: number;
}

/** One process against N Workers, measured interleaved. */
export interface WorkersTiming {
  /** N. */
  workers: number;
  /** Median ms per step in one process. */
  oneMs: number;
  /** Median ms per step with N Workers. */
  manyMs: number;
  /** oneMs / manyMs. */
  speedup: number;
  /** Seconds to start the N Workers (their TensorFlow.js instances), once per run. */
  startS: number;
  /** Untimed steps of each before the timed ones. */
  warmup: number;
  /** Every timed step, ms. */
  oneStepMs: number[];
  /** Every timed step with N Workers, ms. */
  manyStepMs: number[];
}

/**
 * Times `config`'s training step in this process and split over `options.workers` Workers, one
 * step of each in turn, after `warmup` untimed steps of each; each timed step ends with its loss
 * read back.
 *
 * @example
 * ```ts
 * import { timeWorkers } from "@lib/bench/parallel.ts";
 * // const r = await timeWorkers(config, parts, { workers: 2, backend: "wasm", average, workerUrl, warmup: 2, steps: 5 });
 * ```
 */
export async function timeWorkers(
  config: TrainConfig,
  parts: TrainerParts,
  options: WorkersOptions,
): Promise<WorkersTiming> {
  const t0 = performance.now();
  const pool = await GradientPool.start({
    workers: options.workers,
    backend: options.backend,
    model: config.model,
    average: options.average,
    workerUrl: options.workerUrl,
  });
  const startS = (performance.now() - t0) / 1000;
  const one = new Trainer(config, parts);
  const many = new Trainer(config, { ...parts, ...pool.parts() });
  const timed = async (trainer: Trainer) => {
    const start = performance.now();
    trainer.step();
    await trainer.lastLoss();
    return performance.now() - start;
  };
  try {
    for (let i = 0; i < options.warmup; i++) {
      await timed(one);
      await timed(many);
    }
    const oneStepMs: number[] = [];
    const manyStepMs: number[] = [];
    for (let i = 0; i < options.steps; i++) {
      oneStepMs.push(await timed(one));
      manyStepMs.push(await timed(many));
    }
    const [oneMs, manyMs] = [median(oneStepMs), median(manyStepMs)];
    return {
      workers: pool.size,
      oneMs,
      manyMs,
      speedup: oneMs / manyMs,
      startS,
      warmup: options.warmup,
      oneStepMs,
      manyStepMs,
    };
  } finally {
    one.dispose();
    many.dispose();
    pool.dispose();
  }
}
