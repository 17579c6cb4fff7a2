/**
 * Lesson 6's experiment, shared by the terminal demo (`demo.ts`, which prints it) and the site's
 * island (`site/islands/train_demo.tsx` in its "backends" mode, which draws it): lesson 5's
 * training on the backend the caller started, timed step by step ({@linkcode KernelRace}, a
 * lesson-5 `LiveTraining`), next to the same training through the learner's fused kernels
 * (`kernelTrainer`: profiled and raced step by step), and the kernels checked against the plain
 * tfjs composition ({@linkcode compareKernels}). Lessons 1, 5 and 6 come through `@exercises/`
 * (the learner's code or the reference, whichever the import map points at). The caller starts
 * the backend. The site trains with `KernelRace` on the page's main thread only on a GPU
 * backend or a page that cannot start Workers; on a CPU backend with more than one core it
 * trains lesson 5's run data-parallel in Web Workers instead (`site/client/live_workers.ts`).
 *
 * @example
 * ```ts
 * import { compareKernels, KernelRace } from "./experiment.ts";
 * const check = await compareKernels([2, 8, 16]); // differences and timings, plain numbers
 * const race = new KernelRace("tiny");
 * const step = await race.race(); // one step each way: losses and milliseconds
 * race.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  fusedCausalSoftmax,
  kernelTrainer,
  profileStep,
  type StepProfile,
} from "@exercises/06_webgpu/exercises.ts";
import { timeAttentionOps } from "@lib/bench/measure.ts";
import { causalSoftmaxComposed } from "@lib/webgpu/mod.ts";
import type { Trainer } from "@lib/train/trainer.ts";
import { LiveTraining, type NoteFn, type PresetChoice } from "../05_training/experiment.ts";

export type { LiveView, PresetChoice } from "../05_training/experiment.ts";
export type { StepProfile };

/** The learner's fused attention weights against the plain composition, at one shape. */
export interface KernelComparison {
  /** Largest absolute difference of the attention weights. */
  weightsDiff: number;
  /** Largest absolute difference of dL/dq for a random linear loss of the weights. */
  gradDiff: number;
  /** Forward + backward with plain tfjs ops, milliseconds. */
  composedMs: number;
  /** Forward + backward with the learner's kernels, milliseconds. */
  fusedMs: number;
}

/** The largest absolute difference between two tensors, read asynchronously. */
async function maxDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

/**
 * Checks `fusedCausalSoftmax` (Exercise 6.4) against the plain composition on seeded random
 * queries and keys `[batch, seq, dim]` = `shape` (weights and their gradient), then times both
 * forward and backward.
 *
 * @example
 * ```ts
 * import { compareKernels } from "./experiment.ts";
 * (await compareKernels([2, 8, 16])).weightsDiff; // about 1e-7
 * ```
 */
export async function compareKernels(shape: [number, number, number]): Promise<KernelComparison> {
  const [b, t] = shape;
  const q = tf.randomNormal(shape, 0, 1, "float32", 1) as tf.Tensor3D;
  const k = tf.randomNormal(shape, 0, 1, "float32", 2) as tf.Tensor3D;
  const w = tf.randomNormal([b, t, t], 0, 1, "float32", 3) as tf.Tensor3D;
  const loss = (op: typeof fusedCausalSoftmax) => (x: tf.Tensor) =>
    op(x as tf.Tensor3D, k).mul(w).sum();
  const made: tf.Tensor[] = [q, k, w];
  try {
    const mine = fusedCausalSoftmax(q, k);
    made.push(mine);
    const ref = causalSoftmaxComposed(q, k);
    made.push(ref);
    const gMine = tf.grad(loss(fusedCausalSoftmax))(q);
    made.push(gMine);
    const gRef = tf.grad(loss(causalSoftmaxComposed))(q);
    made.push(gRef);
    const weightsDiff = await maxDiff(mine, ref);
    const gradDiff = await maxDiff(gMine, gRef);
    const { composedMs, fusedMs } = await timeAttentionOps(shape, fusedCausalSoftmax);
    return { weightsDiff, gradDiff, composedMs, fusedMs };
  } finally {
    tf.dispose(made);
  }
}

/** One step of each trainer: its loss and wall time. */
export interface RaceStep {
  /** The step just taken (1-based, the same for both). */
  step: number;
  /** Lesson 5's step (the library's forward pass). */
  course: { loss: number; ms: number };
  /** The same step through the learner's kernels. */
  kernels: { loss: number; ms: number };
}

/**
 * Lesson 5's live training (see `LiveTraining`: `run`, `evaluate`, the trainer) on the backend
 * the caller started, which the site's lesson-6 demo times; and, created on first use, the
 * same model and data trained through the learner's kernels (`kernelTrainer`), which the
 * terminal demo profiles and races against it step by step.
 *
 * @example
 * ```ts
 * import { KernelRace } from "./experiment.ts";
 * const race = new KernelRace("tiny");
 * const { course, kernels } = await race.profile(); // kernels and tensors of one step each
 * (await race.race()).kernels.loss; // equals course.loss to about 1e-4
 * race.dispose();
 * ```
 */
export class KernelRace extends LiveTraining {
  #kernels?: Trainer;

  /** A fresh model for a preset, with lesson 5's parts (see `LiveTraining`). */
  constructor(preset: PresetChoice, options: { onNote?: NoteFn } = {}) {
    super(preset, options);
  }

  /** The trainer through the learner's kernels, in step with {@linkcode trainer}. */
  get kernels(): Trainer {
    if (!this.#kernels) this.#kernels = kernelTrainer(this.config);
    return this.#kernels;
  }

  /**
   * One step of each trainer (after a first untimed one each), profiled with the learner's
   * `profileStep` (Exercise 6.5): kernels launched and tensors left behind.
   */
  async profile(): Promise<{ course: StepProfile; kernels: StepProfile }> {
    const [course, mine] = [this.trainer, this.kernels];
    if (course.stepCount === 0) {
      course.step();
      mine.step();
      await Promise.all([course.lastLoss(), mine.lastLoss()]);
    }
    return {
      course: await profileStep(() => course.step()),
      kernels: await profileStep(() => mine.step()),
    };
  }

  /** One step of each trainer, each timed to its loss's readback. */
  async race(): Promise<RaceStep> {
    const time = async (trainer: Trainer) => {
      const t0 = performance.now();
      trainer.step();
      const loss = await trainer.lastLoss(); // one readback per step
      return { loss, ms: performance.now() - t0 };
    };
    const course = await time(this.trainer);
    const kernels = await time(this.kernels);
    return { step: this.trainer.stepCount, course, kernels };
  }

  /** Frees both models. */
  override dispose(): void {
    this.#kernels?.dispose();
    super.dispose();
  }
}
