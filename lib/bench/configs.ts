/**
 * The benchmark's named configurations and training-step variants.
 *
 * Configurations are lesson 5's presets (lib/train): `cpu`, the laptop run in which the
 * induction head is born within a minute, and `paper`, the paper's d = T = 256, batch 512 run;
 * `tiny` is for quick checks. A variant is a way to run the same step: the course's `Trainer`
 * step, a stage of the CPU climb (lib/bench/climb.ts), or lesson 6's forward pass with the plain
 * attention composition or the fused WGSL kernels.
 *
 * The taught parts (lessons 1 and 5's, for the trainer, and lesson 6's kernels) come in as
 * {@linkcode BenchParts}: the benchmark's worker assembles them from `@exercises/`.
 *
 * @example
 * ```ts
 * import { benchConfig, stepShapeOf } from "@lib/bench/configs.ts";
 * const paper = benchConfig("paper");
 * stepShapeOf(paper).batch; // 512
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { forward, type ModelConfig, type Params } from "@lib/model/mod.ts";
import { stepWithForward } from "@lib/train/step.ts";
import { Trainer } from "@lib/train/trainer.ts";
import { type PresetName, presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import {
  type DataLesson,
  type TrainerParts,
  trainerParts,
  type TrainingLesson,
  type TrainingStep,
} from "@lib/train/parts.ts";
import { CLIMB_STAGES, climbStep } from "./climb.ts";
import type { StepShape } from "./flops.ts";
import type { GradientAverager } from "@lib/train/parallel.ts";
import { causalSoftmaxComposed } from "@lib/webgpu/mod.ts";

/** Attention weights from queries and keys `[batch, seq, dim]` (lesson 6's `CausalSoftmaxOp`). */
export type CausalSoftmaxOp = (q: tf.Tensor3D, k: tf.Tensor3D) => tf.Tensor3D;

/** Lesson 6's exports the benchmark uses (pass the module: `import * as webgpu from ...`). */
export interface WebGpuLesson {
  /** The fused attention weights (Exercise 6.4). */
  fusedCausalSoftmax: CausalSoftmaxOp;
  /** The Workers' gradient averaging (Exercise 6.6). */
  averageGradients: GradientAverager;
  /** Lesson 5's step with the attention weights from `softmaxOp`. */
  trainingStepWith(
    softmaxOp: CausalSoftmaxOp,
    params: Params,
    config: ModelConfig,
    batch: Parameters<TrainingStep>[2],
    options: Parameters<TrainingStep>[3],
  ): tf.Scalar;
}

/** What the benchmark runs of the lessons: the trainer's parts and lesson 6's kernels. */
export interface BenchParts {
  /** Lessons 1 and 5, as the trainer takes them. */
  trainer: TrainerParts;
  /** Lesson 6. */
  webgpu: WebGpuLesson;
}

/**
 * The benchmark's parts from the lessons' modules (whichever copy the caller's import map gave).
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import type { WebGpuLesson } from "@lib/bench/configs.ts";
 * import { benchParts } from "@lib/bench/configs.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * declare const webgpu: WebGpuLesson; // lesson 6's module, passed in by the tool
 * const parts = benchParts(data, training, webgpu);
 * ```
 */
export function benchParts(
  data: DataLesson,
  training: TrainingLesson,
  webgpu: WebGpuLesson,
): BenchParts {
  return { trainer: trainerParts(data, training), webgpu };
}

/** The configuration names the benchmark knows. */
export const CONFIG_NAMES: readonly PresetName[] = ["cpu", "paper", "tiny"];

/** The ways to run a training step. */
export const VARIANTS = [...CLIMB_STAGES, "blocks", "composed", "fused"] as const;

/** One of {@linkcode VARIANTS}. */
export type Variant = typeof VARIANTS[number];

/** What each variant is, one line. */
export const VARIANT_DESCRIPTIONS: Record<Variant, string> = {
  reference: "climb 0: lib/model forwardReference, tfjs autodiff",
  fold: "climb 1: + frozen W_O1·W_V1 folded, embeddings looked up",
  flat: "climb 2: + 2-D non-transposed matmuls",
  customgrad: "climb 3: + matmul gradients with explicit transposes",
  batched: "climb 4: + attention products as per-sequence 2-D matmuls",
  course:
    "the course's step: lib/train Trainer with lib/model forward, top layer on the loss's rows",
  blocks: "the course's step with the causal square in 4 row blocks (forward's causalBlock)",
  composed: "lesson 6 forward, attention weights from plain tfjs ops",
  fused: "lesson 6 forward, attention weights from the fused WGSL kernels",
};

/**
 * A named configuration, with the batch size replaced when `batch` is given.
 *
 * @example
 * ```ts
 * import { benchConfig } from "@lib/bench/configs.ts";
 * benchConfig("cpu", 256).batchSize; // 256
 * ```
 */
export function benchConfig(name: string, batch?: number): TrainConfig {
  if (!(CONFIG_NAMES as readonly string[]).includes(name)) {
    throw new Error(`Unknown configuration "${name}". Choose from: ${CONFIG_NAMES.join(", ")}.`);
  }
  const base = presets[name as PresetName];
  return batch === undefined ? structuredClone(base) : withOverrides(base, { batchSize: batch });
}

/**
 * The shapes of a training step of `config`, for the FLOP count.
 *
 * @example
 * ```ts
 * import { benchConfig, stepShapeOf } from "@lib/bench/configs.ts";
 * stepShapeOf(benchConfig("cpu")).seq; // 64
 * ```
 */
export function stepShapeOf(config: TrainConfig): StepShape {
  return {
    batch: config.batchSize,
    seq: config.data.seqLen,
    dim: config.model.dim,
    vocab: config.model.vocabSize,
    finalFfn: config.model.finalFfn,
    trainable: config.model.trainable,
  };
}

/**
 * The `Trainer` parts that run a variant's step (`parts.trainer` itself for the course's step).
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import type { WebGpuLesson } from "@lib/bench/configs.ts";
 * import { benchParts, variantParts } from "@lib/bench/configs.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * declare const webgpu: WebGpuLesson; // lesson 6's module, passed in by the tool
 * const parts = benchParts(data, training, webgpu);
 * variantParts("course", parts) === parts.trainer; // true
 * ```
 */
export function variantParts(variant: Variant, parts: BenchParts): TrainerParts {
  const { webgpu } = parts;
  const withStep = (trainingStep: TrainingStep) => ({ ...parts.trainer, trainingStep });
  switch (variant) {
    case "composed":
      return withStep((...args) => webgpu.trainingStepWith(causalSoftmaxComposed, ...args));
    case "fused":
      return withStep((...args) => webgpu.trainingStepWith(webgpu.fusedCausalSoftmax, ...args));
    case "blocks":
      return withStep(
        stepWithForward(
          (p, c, ids) => forward(p, c, ids, { causalBlock: causalBlockOf(ids.shape[1]) }).logits,
          parts.trainer.maskedCrossEntropy,
        ),
      );
    default: {
      const step = climbStep(variant, parts.trainer.maskedCrossEntropy);
      return step ? withStep(step) : parts.trainer;
    }
  }
}

/** The `blocks` variant cuts the attention square into this many row blocks. */
export const CAUSAL_BLOCKS = 4;

/**
 * The rows per causal block of the `blocks` variant at sequence length `seq`.
 *
 * @example
 * ```ts
 * import { causalBlockOf } from "@lib/bench/configs.ts";
 * causalBlockOf(64); // 16
 * ```
 */
export function causalBlockOf(seq: number): number {
  return Math.ceil(seq / CAUSAL_BLOCKS);
}

/**
 * The shapes for the FLOP count of `variant`'s step of `config`: the `blocks` variant computes
 * only the causal blocks, every other one the whole square; the `course` variant (lesson 5's
 * step, which passes the loss mask to lib/model's forward as `lossRows`) computes layer 2's top
 * on `lossRows` rows when that count is given ({@linkcode meanLossRows}).
 *
 * @example
 * ```ts
 * import { benchConfig, variantShape } from "@lib/bench/configs.ts";
 * variantShape("blocks", benchConfig("cpu")).causalBlock; // 16
 * variantShape("course", benchConfig("cpu"), 980).lossRows; // 980
 * ```
 */
export function variantShape(variant: Variant, config: TrainConfig, lossRows?: number): StepShape {
  const shape = stepShapeOf(config);
  if (variant === "blocks") return { ...shape, causalBlock: causalBlockOf(shape.seq) };
  return variant === "course" && lossRows !== undefined ? { ...shape, lossRows } : shape;
}

/**
 * The mean number of loss targets (the rows lesson 5's step computes layer 2's top on) in the
 * batches of steps 0 to `steps - 1` of `config`, the ones a measurement trains on; undefined
 * when the loss reads every target (`loss: "all"`).
 *
 * @example
 * ```ts
 * import type { TrainerParts } from "@lib/train/parts.ts";
 * import { benchConfig, meanLossRows } from "@lib/bench/configs.ts";
 * declare const parts: TrainerParts; // lessons 1 and 5, passed in by the tool
 * meanLossRows(benchConfig("cpu"), parts, 10); // about 980 of the 4096 rows
 * ```
 */
export function meanLossRows(
  config: TrainConfig,
  parts: TrainerParts,
  steps: number,
): number | undefined {
  if (config.loss === "all") return undefined;
  const trainer = new Trainer(config, parts);
  try {
    let total = 0;
    for (let s = 0; s < steps; s++) {
      const batch = trainer.batchAt(s);
      total += tf.tidy(() => batch.inContextMask.sum().dataSync()[0]);
      tf.dispose(batch as unknown as tf.Tensor[]);
    }
    return total / Math.max(1, steps);
  } finally {
    trainer.dispose();
  }
}

/**
 * Checks a variant name given on the command line.
 *
 * @example
 * ```ts
 * import { parseVariant } from "@lib/bench/configs.ts";
 * parseVariant("course"); // "course"
 * ```
 */
export function parseVariant(name: string): Variant {
  if ((VARIANTS as readonly string[]).includes(name)) return name as Variant;
  throw new Error(`Unknown variant "${name}". Choose from: ${VARIANTS.join(", ")}.`);
}
