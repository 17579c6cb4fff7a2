/**
 * The benchmark's named configurations and training-step variants.
 *
 * Configurations are lesson 5's presets (lib/train): `cpu`, the laptop run in which the
 * induction head is born within a minute, and `paper`, the paper's d = T = 256, batch 512 run;
 * `tiny` is for quick checks. A variant is a way to run the same step: the course's `Trainer`
 * step, a stage of the CPU climb (lib/bench/climb.ts), or lesson 6's forward pass with the plain
 * attention composition or the fused WGSL kernels.
 *
 * @example
 * ```ts
 * import { benchConfig, stepShapeOf } from "@lib/bench/configs.ts";
 * const paper = benchConfig("paper");
 * stepShapeOf(paper).batch; // 512
 * ```
 * @module
 */
import { type PresetName, presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import type { TrainerParts } from "@lib/train/trainer.ts";
import { CLIMB_STAGES, climbStep } from "./climb.ts";
import type { StepShape } from "./flops.ts";
import { kernelTrainingStep, trainingStepWith } from "../../solutions/06_webgpu/exercises.ts";
import { causalSoftmaxComposed } from "@lib/webgpu/mod.ts";

/** The configuration names the benchmark knows. */
export const CONFIG_NAMES: readonly PresetName[] = ["cpu", "paper", "tiny"];

/** The ways to run a training step. */
export const VARIANTS = [...CLIMB_STAGES, "composed", "fused"] as const;

/** One of {@linkcode VARIANTS}. */
export type Variant = typeof VARIANTS[number];

/** What each variant is, one line. */
export const VARIANT_DESCRIPTIONS: Record<Variant, string> = {
  reference: "climb 0: lib/model forwardReference, tfjs autodiff",
  fold: "climb 1: + frozen W_O1·W_V1 folded, embeddings looked up",
  flat: "climb 2: + 2-D non-transposed matmuls",
  customgrad: "climb 3: + matmul gradients with explicit transposes",
  batched: "climb 4: + attention products as per-sequence 2-D matmuls",
  course: "the course's step: lib/train Trainer with lib/model forward",
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
 * The `Trainer` parts that run a variant's step (`{}` for the course's own step).
 *
 * @example
 * ```ts
 * import { variantParts } from "@lib/bench/configs.ts";
 * variantParts("course"); // {}
 * ```
 */
export function variantParts(variant: Variant): TrainerParts {
  switch (variant) {
    case "composed":
      return { trainingStep: (...args) => trainingStepWith(causalSoftmaxComposed, ...args) };
    case "fused":
      return { trainingStep: kernelTrainingStep };
    default: {
      const step = climbStep(variant);
      return step ? { trainingStep: step } : {};
    }
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
