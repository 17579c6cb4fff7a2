/**
 * The benchmark's measurements, run in the current process on the current tfjs backend.
 *
 * Timing rules: every timed unit ends with a readback of one number (the step's loss, one
 * element of a result), because a GPU backend only queues work and returns at once; the
 * readback waits for the queue. Medians are taken after warm-up (the first calls compile
 * shaders and grow buffers).
 *
 * @example
 * ```ts
 * import { timeMatmul } from "@lib/bench/measure.ts";
 * const { gflops } = await timeMatmul(256);
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { TrainConfig } from "@lib/train/config.ts";
import { train, Trainer } from "@lib/train/trainer.ts";
import { BIRTH_THRESHOLD, BirthWatch } from "@lib/train/birth.ts";
import { causalSoftmaxComposed } from "@lib/webgpu/mod.ts";
import type { TrainerParts } from "@lib/train/parts.ts";
import { type BenchParts, type CausalSoftmaxOp, type Variant, variantParts } from "./configs.ts";
import { matmulFlops } from "./flops.ts";

/**
 * The median of a list of numbers.
 *
 * @example
 * ```ts
 * import { median } from "@lib/bench/measure.ts";
 * median([3, 1, 2]); // 2
 * ```
 */
export function median(values: number[]): number {
  if (values.length === 0) throw new Error("median of an empty list");
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Waits until the backend has computed `t` by reading one of its elements back. */
async function sync(t: tf.Tensor): Promise<void> {
  const one = tf.tidy(() => t.reshape([-1]).slice(0, 1));
  await one.data();
  one.dispose();
}

/** A plain 2-D matmul's throughput on the current backend. */
export interface MatmulTiming {
  /** The matrices are n×n. */
  n: number;
  /** Median milliseconds per product. */
  ms: number;
  /** 2n³ / time. */
  gflops: number;
}

/**
 * GFLOP/s of `[n, n] @ [n, n]` with non-transposed operands (the fast path of every backend):
 * the ceiling a training step's matmuls can reach. Products are queued in rounds of about a
 * second, each round ended by one readback.
 *
 * @example
 * ```ts
 * import { timeMatmul } from "@lib/bench/measure.ts";
 * (await timeMatmul(128)).n; // 128
 * ```
 */
export async function timeMatmul(n = 512): Promise<MatmulTiming> {
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1) as tf.Tensor2D;
  const b = tf.randomNormal([n, n], 0, 1, "float32", 2) as tf.Tensor2D;
  try {
    const round = async (count: number) => {
      const t0 = performance.now();
      let last: tf.Tensor | undefined;
      for (let i = 0; i < count; i++) {
        last?.dispose();
        last = tf.matMul(a, b);
      }
      await sync(last!);
      last!.dispose();
      return (performance.now() - t0) / count;
    };
    await round(2); // warm-up: shader compilation, buffer pools
    const first = await round(1);
    const count = Math.max(3, Math.min(50, Math.round(1000 / Math.max(first, 1e-3))));
    const ms = median([await round(count), await round(count), await round(count)]);
    return { n, ms, gflops: matmulFlops(n, n, n) / (ms * 1e6) };
  } finally {
    tf.dispose([a, b]);
  }
}

/** Options of {@linkcode timeSteps}. */
export interface StepOptions {
  /** Untimed steps first (at least 1). */
  warmup: number;
  /** Timed steps. */
  steps: number;
  /** Give up (and report the estimate) when the first step says the rest would take longer. */
  budgetS: number;
}

/** What {@linkcode timeSteps} measured, or why it stopped. */
export interface StepTiming {
  /** `ok`, or `skipped` when the first step showed the budget would not suffice. */
  status: "ok" | "skipped";
  /** Each timed step, in milliseconds (empty when skipped). */
  ms: number[];
  /** The first (warm-up) step, in milliseconds. */
  firstMs: number;
  /** Kernels one step launches (tf.profile), when measured. */
  kernels?: number;
  /** Tensors one step leaves alive (tf.profile; 0 when the step frees what it makes). */
  leakedTensors?: number;
}

/**
 * Median training-step times of `config` run as each of `variants` on the current backend:
 * `warmup` untimed steps, then `steps` timed rounds in which every variant makes one step,
 * each ended by reading its loss back. Interleaving the variants gives them the same share of
 * any other load on the machine, so their ratios stay meaningful on a busy computer. One more
 * step of each runs under `tf.profile` to count its kernels.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import type { WebGpuLesson } from "@lib/bench/configs.ts";
 * import { benchParts } from "@lib/bench/configs.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { timeSteps } from "@lib/bench/measure.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * declare const webgpu: WebGpuLesson; // lesson 6's module, passed in by the tool
 * const parts = benchParts(data, training, webgpu);
 * const t = await timeSteps(presets.tiny, ["course"], { warmup: 1, steps: 3, budgetS: 60 }, parts);
 * t.get("course")!.ms.length; // 3
 * ```
 */
export async function timeSteps(
  config: TrainConfig,
  variants: Variant[],
  options: StepOptions,
  parts: BenchParts,
): Promise<Map<Variant, StepTiming>> {
  const out = new Map<Variant, StepTiming>();
  const trainers = new Map<Variant, Trainer>();
  const timed = async (trainer: Trainer) => {
    const t0 = performance.now();
    trainer.step();
    await trainer.lastLoss(); // waits for the device
    return performance.now() - t0;
  };
  try {
    const rest = Math.max(0, options.warmup - 1) + options.steps;
    for (const v of variants) {
      const trainer = new Trainer(config, variantParts(v, parts));
      const firstMs = await timed(trainer);
      if ((firstMs / 1000) * rest > options.budgetS) {
        trainer.dispose();
        out.set(v, { status: "skipped", ms: [], firstMs });
      } else {
        trainers.set(v, trainer);
        out.set(v, { status: "ok", ms: [], firstMs });
      }
    }
    for (let i = 1; i < options.warmup; i++) for (const t of trainers.values()) await timed(t);
    for (let i = 0; i < options.steps; i++) {
      for (const [v, t] of trainers) out.get(v)!.ms.push(await timed(t));
    }
    for (const [v, t] of trainers) {
      const profile = await tf.profile(() => t.step());
      await t.lastLoss();
      Object.assign(out.get(v)!, {
        kernels: profile.kernels.length,
        leakedTensors: profile.newTensors,
      });
    }
    return out;
  } finally {
    for (const t of trainers.values()) t.dispose();
  }
}

/** The attention weights' forward + backward time, both ways. */
export interface AttentionOpTiming {
  /** Median ms with the plain tfjs composition. */
  composedMs: number;
  /** Median ms with lesson 6's fused kernels. */
  fusedMs: number;
}

/**
 * Milliseconds of one forward and backward pass of the attention weights at `[batch, seq, dim]`,
 * through the plain tfjs composition and through `fused` (lesson 6's kernels), interleaved
 * (median of `reps` each, after two warm-up runs each).
 *
 * @example
 * ```ts
 * import { timeAttentionOps } from "@lib/bench/measure.ts";
 * import type { CausalSoftmaxOp } from "@lib/bench/configs.ts";
 * declare const fusedCausalSoftmax: CausalSoftmaxOp; // lesson 6's, passed in by the tool
 * const { composedMs, fusedMs } = await timeAttentionOps([4, 16, 8], fusedCausalSoftmax);
 * ```
 */
export async function timeAttentionOps(
  shape: [number, number, number],
  fused: CausalSoftmaxOp,
  reps = 5,
): Promise<AttentionOpTiming> {
  const [b, t, d] = shape;
  const q = tf.randomNormal([b, t, d], 0, 1, "float32", 3) as tf.Tensor3D;
  const k = tf.randomNormal([b, t, d], 0, 1, "float32", 4) as tf.Tensor3D;
  const w = tf.randomNormal([b, t, t], 0, 1, "float32", 5) as tf.Tensor3D;
  const gradsOf = (f: CausalSoftmaxOp) =>
    tf.grads((x: tf.Tensor, y: tf.Tensor) => f(x as tf.Tensor3D, y as tf.Tensor3D).mul(w).sum());
  const ops = [gradsOf(causalSoftmaxComposed), gradsOf(fused)];
  try {
    const once = async (grads: (typeof ops)[number]) => {
      const t0 = performance.now();
      const [dq, dk] = grads([q, k]);
      await sync(dk);
      tf.dispose([dq, dk]);
      return performance.now() - t0;
    };
    const ms: number[][] = [[], []];
    for (let i = 0; i < reps + 2; i++) {
      for (let j = 0; j < 2; j++) {
        const x = await once(ops[j]);
        if (i >= 2) ms[j].push(x);
      }
    }
    return { composedMs: median(ms[0]), fusedMs: median(ms[1]) };
  } finally {
    tf.dispose([q, k, w]);
  }
}

/** Steps per second with a readback after every step, and with one at the end. */
export interface PipelineTiming {
  /** ms per step when the loss is read back after every step (the CPU waits each time). */
  syncEveryStepMs: number;
  /** ms per step when only the last step's loss is read back (work stays queued). */
  syncAtEndMs: number;
}

/**
 * What reading a value back every step costs: `steps` steps with a readback after each, then
 * `steps` steps with a single readback at the end.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { timePipeline } from "@lib/bench/measure.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const p = await timePipeline(presets.tiny, trainerParts(data, training), 3);
 * ```
 */
export async function timePipeline(
  config: TrainConfig,
  parts: TrainerParts,
  steps = 10,
): Promise<PipelineTiming> {
  const trainer = new Trainer(config, parts);
  try {
    trainer.step();
    await trainer.lastLoss();
    let t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      trainer.step();
      await trainer.lastLoss();
    }
    const syncEveryStepMs = (performance.now() - t0) / steps;
    t0 = performance.now();
    for (let i = 0; i < steps; i++) trainer.step();
    await trainer.lastLoss();
    const syncAtEndMs = (performance.now() - t0) / steps;
    return { syncEveryStepMs, syncAtEndMs };
  } finally {
    trainer.dispose();
  }
}

/** When the induction head was born. */
export interface BirthTiming {
  /** `born`, or `not born` within the time cap. */
  status: "born" | "not born";
  /** The first evaluation step with in-context accuracy >= the threshold. */
  step?: number;
  /** Wall time of the run until then (training and evaluations), in seconds. */
  seconds?: number;
  /** The last in-context accuracy seen. */
  lastAcc: number;
  /** Steps run. */
  stepsRun: number;
  /** Wall time of the whole run, in seconds. */
  totalSeconds: number;
}

/**
 * Trains `config` from scratch until the in-context accuracy (on the training batch, the
 * paper's convention) reaches `threshold`, or `capS` seconds pass: the configured number of
 * steps is ignored, the run goes on until one of the two.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { timeBirth } from "@lib/bench/measure.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const b = await timeBirth(presets.tiny, trainerParts(data, training), 30);
 * b.status; // "born" or "not born"
 * ```
 */
export async function timeBirth(
  config: TrainConfig,
  parts: TrainerParts,
  capS: number,
  threshold = BIRTH_THRESHOLD,
): Promise<BirthTiming> {
  const controller = new AbortController();
  const watch = new BirthWatch(threshold);
  let lastAcc = NaN;
  let stepsRun = 0;
  let totalSeconds = 0;
  await train({ ...config, steps: Number.MAX_SAFE_INTEGER }, {
    parts,
    signal: controller.signal,
    onEval: (r) => {
      lastAcc = r.inContextAcc;
      stepsRun = r.step;
      totalSeconds = r.elapsedMs / 1000;
      if (watch.see(r) || r.elapsedMs > capS * 1000) controller.abort();
    },
  });
  const born = watch.born && { step: watch.born.step, seconds: watch.born.seconds };
  return born
    ? { status: "born", ...born, lastAcc, stepsRun, totalSeconds }
    : { status: "not born", lastAcc, stepsRun, totalSeconds };
}
