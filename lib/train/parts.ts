/**
 * The parts of the training loop that the lessons teach, as the trainer receives them: lesson 1's
 * data generator and lesson 5's loss, SGD update, training step and freezing schedule. lib has no
 * copy of any of them and never imports an exercise: a tool (`deno task train`, `deno task bench`,
 * a lesson's demo, lesson 6's exercises, a test) imports the lessons through `@exercises/`, so
 * that its import map decides whose code runs, and assembles them with {@linkcode trainerParts}.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const trainer = new Trainer(presets.tiny, trainerParts(data, training));
 * ```
 * @module
 */
import type * as tf from "@tensorflow/tfjs";
import {
  type MemoryProbes,
  memoryProbesAsync,
  type ModelConfig,
  type ParamName,
  type Params,
} from "@lib/model/mod.ts";
import type { Rng } from "@lib/rng/mod.ts";
import type { DataConfig, FreezeRule } from "./config.ts";
import type { Optimizer, SgdUpdate } from "./optimizer.ts";

/** What the trainer reads of lesson 1's statistics: pi_u `[N]` and pi_b `[N, N]`. */
export interface DataStats {
  /** pi_u. */
  unigram: number[];
  /** pi_b(j | i) = `bigram[i][j]`. */
  bigram: number[][];
}

/** A batch as lesson 1's `makeBatch` returns it. */
export interface TrainBatch {
  /** z_1 .. z_T, int32 `[batch, seq]`. */
  inputs: tf.Tensor2D;
  /** z_2 .. z_{T+1}, int32 `[batch, seq]`. */
  targets: tf.Tensor2D;
  /** The label of each target, int32 `[batch, seq]` (>= 2: in-context). */
  labels: tf.Tensor2D;
  /** 1 where the label is >= 2, else 0; float32 `[batch, seq]`. */
  inContextMask: tf.Tensor2D;
}

/** What a training step needs besides the model and the batch (lesson 5's `StepOptions`). */
export interface StepOptions {
  /** The matrices that receive gradients at this step. */
  trainable: ParamName[];
  /** `inContext`: loss on label >= 2 targets only; `all`: every target. */
  loss: "inContext" | "all";
  /** Applies the update to each trainable matrix, given its gradient. */
  optimizer: Optimizer;
}

/** Lesson 5's training step (Exercise 5.3): returns the loss before the update. */
export type TrainingStep = (
  params: Params,
  config: ModelConfig,
  batch: Pick<TrainBatch, "inputs" | "targets" | "inContextMask">,
  options: StepOptions,
) => tf.Scalar;

/**
 * A training step started early: it hands the step's work to other threads (a
 * `GradientPool`'s Workers) and returns at once; the returned function waits for that work,
 * applies the update and returns the loss before it, as a {@linkcode TrainingStep} does. The
 * matrices do not change until it is called, so the caller may read them meanwhile (the
 * trainer evaluates them).
 */
export type StepStarter = (...args: Parameters<TrainingStep>) => () => tf.Scalar;

/** Lesson 5's masked cross-entropy (Exercise 5.1): logits `[batch, seq, N]` to a scalar. */
export type MaskedLoss = (
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
) => tf.Scalar;

/** The memory-recall probes of an evaluation (sync or async). */
export type MemoryProbesFn = (
  params: Params,
  config: ModelConfig,
  triggers: number[] | null,
  bigram?: number[][],
) => MemoryProbes | Promise<MemoryProbes>;

/** Lesson 1's exports the trainer uses (pass the module: `import * as data from ...`). */
export interface DataLesson {
  /** pi_u and pi_b of the shipped counts. */
  loadStats(): DataStats;
  /** A batch of `batchSize` sequences drawn with `rng`. */
  makeBatch(rng: Rng, stats: DataStats, config: DataConfig, batchSize: number): TrainBatch;
  /** The K most frequent tokens after the first `offset`. */
  topTriggers(unigram: number[], k: number, offset?: number): number[];
}

/** Lesson 5's exports the trainer uses (pass the module: `import * as training from ...`). */
export interface TrainingLesson {
  /** Exercise 5.1. */
  maskedCrossEntropy: MaskedLoss;
  /** Exercise 5.2. */
  sgdMomentumUpdate: SgdUpdate;
  /** Exercise 5.3. */
  trainingStep: TrainingStep;
  /** Exercise 5.6. */
  trainableAt(step: number, trainable: ParamName[], freeze: FreezeRule[]): ParamName[];
}

/** Everything the trainer takes from the lessons, plus the probes it evaluates with. */
export interface TrainerParts extends DataLesson, TrainingLesson {
  /** The memory probes of each evaluation (lesson 5's probes; {@linkcode trainerParts} uses
   * lib/model's `memoryProbesAsync`, their one-readback fast path, tested against them). */
  memoryProbes: MemoryProbesFn;
  /**
   * The same step as `trainingStep`, started early (see {@linkcode StepStarter}); when given,
   * the trainer evaluates while the step computes. A `GradientPool`'s `parts()` give both.
   */
  startStep?: StepStarter;
}

/**
 * The trainer's parts from lesson 1's and lesson 5's modules (whichever copy the caller's import
 * map gave it), with `overrides` replacing single parts.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const parts = trainerParts(data, training, { memoryProbes: () => ({ wO2: 0, wK2: 0, wK1: 0, wK1Early: 0 }) });
 * ```
 */
export function trainerParts(
  data: DataLesson,
  training: TrainingLesson,
  overrides: Partial<TrainerParts> = {},
): TrainerParts {
  return {
    loadStats: data.loadStats,
    makeBatch: data.makeBatch,
    topTriggers: data.topTriggers,
    maskedCrossEntropy: training.maskedCrossEntropy,
    sgdMomentumUpdate: training.sgdMomentumUpdate,
    trainingStep: training.trainingStep,
    trainableAt: training.trainableAt,
    memoryProbes: memoryProbesAsync,
    ...overrides,
  };
}
