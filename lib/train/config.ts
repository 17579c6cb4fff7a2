/**
 * One configuration object per training run: the model, the data, the optimizer, the loss, the
 * freezing schedule and how often to evaluate. Four named presets cover the course: `tiny`
 * (tests), `cpu` (the laptop run in which the induction head is born in about a minute),
 * `cpu-long` (T = 96, batch 256: W_K^1 also stores the positions < 64) and `paper` (the
 * paper's Figure 3 run, for a machine with a GPU).
 *
 * @example
 * ```ts
 * import { presets, withOverrides } from "@lib/train/config.ts";
 * const config = withOverrides(presets.cpu, { steps: 100 });
 * config.model.dim; // 128
 * ```
 * @module
 */
import {
  defaultModelConfig,
  finalFfnParams,
  hasParam,
  type ModelConfig,
  PARAM_NAMES,
  type ParamName,
} from "@lib/model/mod.ts";

/**
 * The data settings a run passes to lesson 1's `makeBatch` (the paper's `DataArgs`): the shape of
 * lesson 1's `DataConfig`, which the tools that assemble a trainer check it against.
 */
export interface DataConfig {
  /** T: the number of inputs per sequence. */
  seqLen: number;
  /** K: the number of triggers per sequence. */
  k: number;
  /** true: the K most frequent tokens (after `triggerOffset`) for every sequence. */
  fixedTriggers: boolean;
  /** With fixed triggers, skip this many of the most frequent tokens first. */
  triggerOffset: number;
  /** `uniform`: outputs uniform over all N tokens; `unigram`: o_k ~ pi_u; `bigram`: o_k ~ pi_b(.|q_k). */
  outputs: "uniform" | "unigram" | "bigram";
}

/** The optimizer: the paper's SGD with momentum, or AdamW. */
export interface OptimizerConfig {
  /** `sgd`: PyTorch's SGD with momentum and L2 weight decay; `adamw`: decoupled weight decay. */
  kind: "sgd" | "adamw";
  /** The learning rate, constant for the whole run (no warm-up, no decay). */
  lr: number;
  /** SGD momentum (the paper: 0.9). Ignored by AdamW, which uses `betas`. */
  momentum: number;
  /** SGD: added to the gradient as `weightDecay * W`; AdamW: `W *= 1 - lr * weightDecay`. */
  weightDecay: number;
  /** AdamW's (beta1, beta2); default (0.9, 0.99) as in the authors' full-model trainer. */
  betas?: [number, number];
  /** AdamW's epsilon; default 1e-8. */
  eps?: number;
}

/** "Keep `param` frozen for the steps before `untilStep`" (the paper's `freeze_until`). */
export interface FreezeRule {
  /** The matrix to hold still. */
  param: ParamName;
  /** The first step at which it trains. */
  untilStep: number;
}

/** Everything one training run needs. */
export interface TrainConfig {
  /** The model (lib/model): d, T, N, W_F or not, which matrices are trainable, init seed. */
  model: ModelConfig;
  /** The data generator (lesson 1): T, K, fixed or random triggers, output distribution. */
  data: DataConfig;
  /** Sequences per step; every step draws a fresh batch. */
  batchSize: number;
  /** How many optimizer steps the run makes. */
  steps: number;
  /** The optimizer and its constant learning rate. */
  optimizer: OptimizerConfig;
  /** `inContext`: cross-entropy on targets with label >= 2 only (the paper's default); `all`. */
  loss: "inContext" | "all";
  /** Matrices held frozen at the start of the run (Figure 3's experiments). */
  freeze: FreezeRule[];
  /** Evaluate every this many steps (and after the last step). */
  evalEvery: number;
  /** Seed of the data stream (the model's init seed is `model.seed`). */
  seed: number;
}

/** The names of the presets. */
export type PresetName = "cpu" | "cpu-long" | "paper" | "tiny";

const sgd = (lr: number): OptimizerConfig => ({
  kind: "sgd",
  lr,
  momentum: 0.9,
  weightDecay: 1e-4,
});

/**
 * The named configurations.
 *
 * - `paper`: the README run of the authors' code, tied to Figure 3: d = T = 256, batch 512,
 *   K = 5 fixed triggers, SGD lr 0.03, loss on in-context targets, W_K^1, W_K^2, W_O^2 trained.
 *   About 0.4 TFLOP a step: for a GPU.
 * - `cpu`: the laptop run in which the induction head is born: d = 128, T = 64, batch 64, K = 5
 *   fixed triggers, SGD lr 0.2 (the code's default), 300 steps; in-context accuracy passes 95%
 *   near step 200 (measurements in lessons/05_training/README.md).
 * - `cpu-long`: the `cpu` run with T = 96 and batch 256, 360 steps, in which W_K^1 also stores
 *   the previous-token association of the positions < 64 (the `wK1Early` probe); the head is
 *   born by step 140. Several minutes on 2 cores (measurements in lessons/05_training/README.md).
 * - `tiny`: d = 64, T = 32, batch 32: about 0.8 in-context accuracy after 300 steps (seconds),
 *   for tests.
 *
 * @example
 * ```ts
 * import { presets } from "@lib/train/config.ts";
 * presets.paper.batchSize; // 512
 * ```
 */
export const presets: Record<PresetName, TrainConfig> = {
  paper: inductionRun({
    dim: 256,
    seqLen: 256,
    batchSize: 512,
    steps: 1000,
    lr: 0.03,
    evalEvery: 5,
  }),
  cpu: inductionRun({ dim: 128, seqLen: 64, batchSize: 64, steps: 300, lr: 0.2, evalEvery: 10 }),
  "cpu-long": inductionRun({
    dim: 128,
    seqLen: 96,
    batchSize: 256,
    steps: 360,
    lr: 0.2,
    evalEvery: 20,
  }),
  tiny: inductionRun({ dim: 64, seqLen: 32, batchSize: 32, steps: 300, lr: 0.2, evalEvery: 10 }),
};

/**
 * What every preset shares (the paper's induction-head run: K = 5 fixed triggers, W_K^1, W_K^2
 * and W_O^2 trained, SGD with momentum, loss on in-context targets, seed 42), sized by `size`.
 */
function inductionRun(size: {
  dim: number;
  seqLen: number;
  batchSize: number;
  steps: number;
  lr: number;
  evalEvery: number;
}): TrainConfig {
  return {
    model: {
      ...defaultModelConfig,
      dim: size.dim,
      maxLen: size.seqLen,
      trainable: ["wK1", "wK2", "wO2"],
    },
    data: { seqLen: size.seqLen, k: 5, fixedTriggers: true, triggerOffset: 0, outputs: "uniform" },
    batchSize: size.batchSize,
    steps: size.steps,
    optimizer: sgd(size.lr),
    loss: "inContext",
    freeze: [],
    evalEvery: size.evalEvery,
    seed: 42,
  };
}

/** Fields of a {@linkcode TrainConfig} to change; nested objects are merged one level deep. */
export interface ConfigOverrides {
  /** Changes to the model config. */
  model?: Partial<ModelConfig>;
  /** Changes to the data config. */
  data?: Partial<DataConfig>;
  /** Changes to the optimizer. */
  optimizer?: Partial<OptimizerConfig>;
  /** Sequences per step. */
  batchSize?: number;
  /** Number of steps. */
  steps?: number;
  /** The loss. */
  loss?: "inContext" | "all";
  /** The freezing schedule (replaces the preset's). */
  freeze?: FreezeRule[];
  /** Evaluation period. */
  evalEvery?: number;
  /** Data seed. */
  seed?: number;
}

/**
 * A copy of `base` with some fields changed. Setting `model.dim` alone keeps the rest; setting
 * `data.seqLen` also sets `model.maxLen` unless that is given too, since the model needs one
 * position per input. The result is checked with {@linkcode validateConfig}.
 *
 * @example
 * ```ts
 * import { presets, withOverrides } from "@lib/train/config.ts";
 * const c = withOverrides(presets.cpu, { loss: "all", model: { finalFfn: true } });
 * c.model.trainable; // ["wK1", "wK2", "wO2", "wF"]: W_F trains when it exists
 * ```
 */
export function withOverrides(base: TrainConfig, overrides: ConfigOverrides): TrainConfig {
  const model: ModelConfig = { ...base.model, ...overrides.model };
  const data: DataConfig = { ...base.data, ...overrides.data };
  if (overrides.data?.seqLen !== undefined && overrides.model?.maxLen === undefined) {
    model.maxLen = Math.max(model.maxLen, data.seqLen);
  }
  // the final layer's matrices train when they exist (unless trainable is given); the other
  // kind's are dropped
  model.trainable = model.trainable.filter((p) => hasParam(p, model));
  if (overrides.model?.trainable === undefined) {
    const missing = finalFfnParams(model).filter((p) => !model.trainable.includes(p));
    model.trainable = [...model.trainable, ...missing];
  }
  const config: TrainConfig = {
    ...base,
    ...withoutUndefined(overrides),
    model,
    data,
    optimizer: { ...base.optimizer, ...overrides.optimizer },
    freeze: (overrides.freeze ?? base.freeze).map((r) => ({ ...r })),
  };
  validateConfig(config);
  return config;
}

function withoutUndefined(o: ConfigOverrides): Partial<TrainConfig> {
  const out: Record<string, unknown> = {};
  for (const key of ["batchSize", "steps", "loss", "evalEvery", "seed"] as const) {
    if (o[key] !== undefined) out[key] = o[key];
  }
  return out as Partial<TrainConfig>;
}

/**
 * Throws an error that names the field and the allowed values when a config cannot run.
 *
 * @example
 * ```ts
 * import { presets, validateConfig } from "@lib/train/config.ts";
 * validateConfig(presets.tiny); // fine
 * // validateConfig({ ...presets.tiny, batchSize: 0 }) throws "batchSize must be ..."
 * ```
 */
export function validateConfig(config: TrainConfig): void {
  const problems: string[] = [];
  const posInt = (v: unknown, name: string, min = 1) => {
    if (!Number.isInteger(v) || (v as number) < min) {
      problems.push(`${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
  };
  const { model, data, optimizer } = config;
  posInt(model.dim, "model.dim");
  posInt(model.maxLen, "model.maxLen", 2);
  posInt(model.vocabSize, "model.vocabSize", 2);
  posInt(data.seqLen, "data.seqLen", 2);
  posInt(data.k, "data.k", 0);
  posInt(config.batchSize, "batchSize");
  posInt(config.steps, "steps", 0);
  posInt(config.evalEvery, "evalEvery");
  posInt(config.seed, "seed", 0);
  if (data.seqLen > model.maxLen) {
    problems.push(`data.seqLen (${data.seqLen}) must be <= model.maxLen (${model.maxLen})`);
  }
  if (!(optimizer.lr > 0)) problems.push(`optimizer.lr must be > 0, got ${optimizer.lr}`);
  if (optimizer.kind !== "sgd" && optimizer.kind !== "adamw") {
    problems.push(`optimizer.kind must be "sgd" or "adamw", got ${JSON.stringify(optimizer.kind)}`);
  }
  if (!(optimizer.momentum >= 0 && optimizer.momentum < 1)) {
    problems.push(`optimizer.momentum must be in [0, 1), got ${optimizer.momentum}`);
  }
  if (!(optimizer.weightDecay >= 0)) {
    problems.push(`optimizer.weightDecay must be >= 0, got ${optimizer.weightDecay}`);
  }
  if (config.loss !== "inContext" && config.loss !== "all") {
    problems.push(`loss must be "inContext" or "all", got ${JSON.stringify(config.loss)}`);
  }
  const known = (p: unknown) => (PARAM_NAMES as readonly unknown[]).includes(p);
  for (const p of model.trainable) {
    if (!known(p)) problems.push(`model.trainable has unknown matrix "${p}" (${PARAM_NAMES})`);
  }
  for (const p of model.trainable.filter((p) => known(p) && !hasParam(p, model))) {
    problems.push(
      `"${p}" is trainable but model.finalFfn is ${
        JSON.stringify(model.finalFfn)
      } (the model has no ${p})`,
    );
  }
  for (const rule of config.freeze) {
    if (!known(rule.param)) problems.push(`freeze names unknown matrix "${rule.param}"`);
    posInt(rule.untilStep, `freeze untilStep of ${rule.param}`, 0);
  }
  if (problems.length > 0) {
    throw new Error(`Invalid training config:\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Parses a freezing schedule written like the authors' `freeze_until` flag:
 * `"wK1:300,wK2:300"` (matrix, then the first step at which it trains).
 *
 * @example
 * ```ts
 * import { parseFreeze } from "@lib/train/config.ts";
 * parseFreeze("wK1:300,wK2:300"); // [{ param: "wK1", untilStep: 300 }, { param: "wK2", untilStep: 300 }]
 * ```
 */
export function parseFreeze(text: string): FreezeRule[] {
  if (text.trim() === "") return [];
  return text.split(",").map((part) => {
    const m = part.trim().match(/^(\w+):(\d+)$/);
    if (!m || !(PARAM_NAMES as readonly string[]).includes(m[1])) {
      throw new Error(
        `Cannot read freeze rule "${part}": write MATRIX:STEP, e.g. "wK1:300,wK2:300", ` +
          `with MATRIX one of ${PARAM_NAMES.join(", ")}.`,
      );
    }
    return { param: m[1] as ParamName, untilStep: Number(m[2]) };
  });
}
