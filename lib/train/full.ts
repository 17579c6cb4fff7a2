/**
 * Training the authors' full transformer (`ihead_full_main.py`, spec §3.1): AdamW (lr 0.01,
 * weight decay 0.01, betas (0.9, 0.99)), the loss on **all** targets, every parameter trained,
 * a fresh batch from lesson 1's generator at every step. Each evaluation measures, on the batch
 * the next step trains on (before its update, as the authors do), the accuracies and losses and
 * the induction score of every head.
 *
 * The taught parts come in as {@linkcode FullTrainerParts}: lesson 1's generator, lesson 5's
 * loss, and lesson 9's layer norm, heads, MLP and induction score.
 *
 * @example
 * ```ts
 * import { FullTrainer, fullPreset, type FullTrainerParts } from "@lib/train/full.ts";
 * declare const parts: FullTrainerParts; // lessons 1, 5 and 9, passed in by the tool
 * const trainer = new FullTrainer(fullPreset, parts);
 * trainer.step();
 * const record = await trainer.evaluate(); // record.induction[layer][head]
 * trainer.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  type BatchMetrics,
  batchMetrics,
  disposeFullParams,
  type FullConfig,
  fullForward,
  type FullModelParts,
  type FullParams,
  initFullParams,
  type ParamName,
  type Params,
  smallFullConfig,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import type { DataConfig, OptimizerConfig } from "./config.ts";
import { makeOptimizer, type Optimizer } from "./optimizer.ts";
import type { DataLesson, DataStats, MaskedLoss, TrainBatch } from "./parts.ts";

/** One training run of the full model. */
export interface FullTrainConfig {
  /** The model's shape. */
  model: FullConfig;
  /** The data (lesson 1's settings). */
  data: DataConfig;
  /** Sequences per step. */
  batchSize: number;
  /** Optimizer steps. */
  steps: number;
  /** The optimizer (AdamW in the authors' full-model trainer). */
  optimizer: OptimizerConfig;
  /** Evaluate every this many steps (and after the last one). */
  evalEvery: number;
  /** Seed of the data stream. */
  seed: number;
}

/**
 * The course's full-model run: 2 layers x 4 heads, d = 64, T = 64, batch 64, K = 5 fixed
 * triggers, AdamW lr 0.01, weight decay 0.01, 300 steps.
 */
export const fullPreset: FullTrainConfig = {
  model: smallFullConfig,
  data: { seqLen: 64, k: 5, fixedTriggers: true, triggerOffset: 0, outputs: "uniform" },
  batchSize: 64,
  steps: 300,
  optimizer: { kind: "adamw", lr: 0.01, momentum: 0, weightDecay: 0.01, betas: [0.9, 0.99] },
  evalEvery: 10,
  seed: 42,
};

/** What the full trainer takes from the lessons. */
export interface FullTrainerParts extends FullModelParts, Pick<DataLesson, "loadStats"> {
  /** Lesson 1's batch generator. */
  makeBatch: DataLesson["makeBatch"];
  /** Lesson 1's fixed triggers. */
  topTriggers: DataLesson["topTriggers"];
  /** Lesson 5's masked cross-entropy (the mask is all ones: the loss on every target). */
  maskedCrossEntropy: MaskedLoss;
  /** Lesson 9's induction score: attention `[batch, H, T, T]`, tokens -> one score per head. */
  inductionScore(attn: tf.Tensor4D, tokens: number[][]): number[];
}

/** One evaluation of the full model. */
export interface FullEvalRecord extends BatchMetrics {
  /** Optimizer steps done before it. */
  step: number;
  /** The induction score of each head, `[layer][head]`. */
  induction: number[][];
  /** Wall time since the run started, milliseconds. */
  elapsedMs: number;
}

/**
 * The full model, its AdamW state and its data stream.
 *
 * @example
 * ```ts
 * import { FullTrainer, fullPreset, type FullTrainerParts } from "@lib/train/full.ts";
 * declare const parts: FullTrainerParts;
 * const t = new FullTrainer({ ...fullPreset, batchSize: 8 }, parts);
 * t.step();
 * t.dispose();
 * ```
 */
export class FullTrainer {
  /** The run's configuration. */
  readonly config: FullTrainConfig;
  /** The model's variables. */
  readonly params: FullParams;
  /** Steps done. */
  stepCount = 0;
  #parts: FullTrainerParts;
  #stats: DataStats;
  #optimizer: Optimizer;
  #startedAt = performance.now();

  /** A freshly initialised model (seed `config.model.seed`). */
  constructor(config: FullTrainConfig, parts: FullTrainerParts) {
    this.config = structuredClone(config);
    this.#parts = parts;
    this.#stats = parts.loadStats();
    this.params = initFullParams(config.model);
    // The optimizer keys its state by name; the full model's names are its own.
    this.#optimizer = makeOptimizer(
      config.optimizer,
      this.params as unknown as Params,
      Object.keys(this.params) as ParamName[],
    );
  }

  /** The batch of step `s` (from `Rng(seed).fork(s)`); the caller disposes it. */
  batchAt(s: number): TrainBatch {
    const rng = new Rng(this.config.seed).fork(s);
    return this.#parts.makeBatch(rng, this.#stats, this.config.data, this.config.batchSize);
  }

  /** One AdamW step on a fresh batch, the loss on every target. */
  step(): void {
    const batch = this.batchAt(this.stepCount);
    try {
      const vars = Object.values(this.params);
      const { value, grads } = tf.variableGrads(() =>
        tf.tidy(() => {
          const { logits } = fullForward(this.params, this.config.model, batch.inputs, this.#parts);
          return this.#parts.maskedCrossEntropy(
            logits,
            batch.targets,
            tf.onesLike(batch.inContextMask),
          );
        }), vars);
      const byName: Record<string, tf.Tensor> = {};
      for (const [name, v] of Object.entries(this.params)) byName[name] = grads[v.name];
      this.#optimizer.update(this.params as unknown as Params, byName);
      tf.dispose([value, ...Object.values(grads)]);
      this.stepCount++;
    } finally {
      tf.dispose(batch as unknown as tf.Tensor[]);
    }
  }

  /** Metrics and per-head induction scores on the batch the next step trains on. */
  async evaluate(): Promise<FullEvalRecord> {
    const batch = this.batchAt(this.stepCount);
    const { logits, attention } = fullForward(
      this.params,
      this.config.model,
      batch.inputs,
      this.#parts,
      { attention: true },
    );
    try {
      const metrics = await batchMetrics(logits, batch.targets, batch.labels);
      const tokens = (await batch.inputs.array()) as number[][];
      const induction = attention!.map((a) => this.#parts.inductionScore(a, tokens));
      return {
        step: this.stepCount,
        ...metrics,
        induction,
        elapsedMs: performance.now() - this.#startedAt,
      };
    } finally {
      tf.dispose([logits, ...attention!]);
      tf.dispose(batch as unknown as tf.Tensor[]);
    }
  }

  /** Frees the model and the optimizer's state. */
  dispose(): void {
    disposeFullParams(this.params);
    this.#optimizer.dispose();
  }
}

/**
 * Trains until `config.steps`, evaluating every `evalEvery` steps and after the last.
 *
 * @example
 * ```ts
 * import { fullPreset, trainFull, type FullTrainerParts } from "@lib/train/full.ts";
 * declare const parts: FullTrainerParts;
 * const records = await trainFull({ ...fullPreset, steps: 20 }, parts);
 * ```
 */
export async function trainFull(
  config: FullTrainConfig,
  parts: FullTrainerParts,
  hooks: { onEval?: (r: FullEvalRecord) => unknown; signal?: AbortSignal; trainer?: FullTrainer } =
    {},
): Promise<FullEvalRecord[]> {
  const trainer = hooks.trainer ?? new FullTrainer(config, parts);
  const records: FullEvalRecord[] = [];
  const record = async () => {
    const r = await trainer.evaluate();
    records.push(r);
    await hooks.onEval?.(r);
  };
  try {
    while (trainer.stepCount < config.steps && !hooks.signal?.aborted) {
      if (trainer.stepCount % config.evalEvery === 0) await record();
      trainer.step();
      await new Promise((r) => setTimeout(r, 0));
    }
    if (records.at(-1)?.step !== trainer.stepCount) await record();
  } finally {
    if (!hooks.trainer) trainer.dispose();
  }
  return records;
}
