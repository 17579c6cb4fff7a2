/**
 * The training loop of the paper's `ihead_basic_main.py`: a fresh batch every step from the
 * seeded generator of lesson 1, the loss on in-context targets (or all), gradients of the
 * trainable matrices only, SGD with momentum (or AdamW), a freezing schedule, and every
 * `evalEvery` steps the metrics and probes on that step's training batch, computed before its
 * update, as the authors do.
 *
 * `step()` never reads a tensor back from the device; only `evaluate()` does. Tensors are freed
 * as they go, so `tf.memory().numTensors` stays flat over a run.
 *
 * @example
 * ```ts
 * import { presets, withOverrides } from "@lib/train/config.ts";
 * import { train } from "@lib/train/trainer.ts";
 * const records = await train(withOverrides(presets.tiny, { steps: 20 }), {
 *   onEval: (r) => console.log(r.step, r.inContextAcc),
 * });
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  attentionProbesAsync,
  type BatchMetrics,
  batchMetrics,
  disposeParams,
  forward,
  initParams,
  type MemoryProbes,
  memoryProbesAsync,
  type ModelConfig,
  PARAM_NAMES,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { type Batch, type BigramStats, loadStats, makeBatch, topTriggers } from "./data.ts";
import {
  maskedCrossEntropy,
  trainableAt as referenceTrainableAt,
  trainingStep as referenceTrainingStep,
} from "../../solutions/05_training/exercises.ts";
import { type TrainConfig, validateConfig } from "./config.ts";
import { makeOptimizer, type Optimizer, type SgdUpdate } from "./optimizer.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeValues,
  encodeTensor,
  readCheckpoint,
  writeCheckpoint,
} from "./checkpoint.ts";
import { LogWriter } from "./log.ts";

/** One evaluation: the batch metrics, the memory probes and the attention probes. */
export interface EvalRecord extends BatchMetrics, MemoryProbes {
  /** Optimizer steps done before this evaluation. */
  step: number;
  /** Layer 1: fraction of output positions whose attention argmax is the previous token. */
  prevToken: number;
  /** Layer 2: fraction of in-context targets whose attention argmax follows an earlier z_t. */
  induction: number;
  /** Wall time since the run started (summed over resumed parts), in milliseconds. */
  elapsedMs: number;
}

/**
 * The pieces of the training loop that lesson 5's exercises implement. The defaults are the
 * reference solutions; the demo passes the learner's versions.
 */
export interface TrainerParts {
  /** Exercise 5.3. */
  trainingStep?: typeof referenceTrainingStep;
  /** Exercise 5.2. */
  sgdUpdate?: SgdUpdate;
  /** Exercise 5.6. */
  trainableAt?: typeof referenceTrainableAt;
  /** The memory probes (default: lib/model's `memoryProbesAsync`, which works on every backend). */
  memoryProbes?: (
    params: Params,
    config: ModelConfig,
    triggers: number[] | null,
    bigram?: number[][],
  ) => MemoryProbes | Promise<MemoryProbes>;
}

/**
 * A model, its optimizer and its data stream, stepped one batch at a time.
 *
 * @example
 * ```ts
 * import { presets } from "@lib/train/config.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * const trainer = new Trainer(presets.tiny);
 * trainer.step();
 * const record = await trainer.evaluate(); // record.step === 1
 * trainer.dispose();
 * ```
 */
export class Trainer {
  /** The run's configuration. */
  readonly config: TrainConfig;
  /** The model's matrices (`tf.Variable`s), in math convention. */
  readonly params: Params;
  /** Optimizer steps done so far. */
  stepCount = 0;
  #optimizer: Optimizer;
  #parts: Required<Omit<TrainerParts, "sgdUpdate">>;
  #stats: BigramStats;
  #triggers: number[] | null;
  #next: Batch | undefined;
  #lastLoss: tf.Scalar | undefined;
  #elapsedBefore = 0;
  #startedAt = performance.now();

  /** Creates a freshly initialised model (seed `config.model.seed`) and its optimizer. */
  constructor(config: TrainConfig, parts: TrainerParts = {}) {
    validateConfig(config);
    this.config = structuredClone(config);
    this.#parts = {
      trainingStep: parts.trainingStep ?? referenceTrainingStep,
      trainableAt: parts.trainableAt ?? referenceTrainableAt,
      memoryProbes: parts.memoryProbes ?? memoryProbesAsync,
    };
    this.#stats = loadStats();
    const { data } = config;
    this.#triggers = data.fixedTriggers
      ? topTriggers(this.#stats.unigram, data.k, data.triggerOffset)
      : null;
    this.params = initParams(config.model);
    this.#optimizer = makeOptimizer(
      config.optimizer,
      this.params,
      config.model.trainable,
      parts.sgdUpdate,
    );
  }

  /** The model's configuration. */
  get model(): ModelConfig {
    return this.config.model;
  }

  /**
   * The batch of step `s`, drawn from its own generator `Rng(seed).fork(s)`: the data stream is
   * a function of the step, so a resumed run sees the same batches. The caller disposes it.
   *
   * @example
   * ```ts
   * import { presets } from "@lib/train/config.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * const t = new Trainer(presets.tiny);
   * const b = t.batchAt(0); // the batch step 0 trains on
   * ```
   */
  batchAt(s: number): Batch {
    const rng = new Rng(this.config.seed).fork(s);
    return makeBatch(rng, this.#stats, this.config.data, this.config.batchSize);
  }

  /** One optimizer step on a fresh batch. No readback from the device. */
  step(): void {
    const batch = this.#takeBatch();
    try {
      const trainable = this.#parts.trainableAt(
        this.stepCount,
        this.config.model.trainable,
        this.config.freeze,
      );
      // lib/model's forward differentiates the variables flagged trainable: flag exactly the
      // matrices that train at this step, so a frozen one costs no backward work.
      for (const name of this.config.model.trainable) {
        this.params[name]!.trainable = trainable.includes(name);
      }
      const loss = trainable.length === 0
        ? this.#lossOnly(batch)
        : this.#parts.trainingStep(this.params, this.config.model, batch, {
          trainable,
          loss: this.config.loss,
          optimizer: this.#optimizer,
        });
      this.#lastLoss?.dispose();
      this.#lastLoss = loss;
      this.stepCount++;
    } finally {
      tf.dispose(batch as unknown as tf.Tensor[]);
    }
  }

  /**
   * The training loss of the last step (on its batch, before its update), read back.
   *
   * @example
   * ```ts
   * import { presets } from "@lib/train/config.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * const t = new Trainer(presets.tiny);
   * t.step();
   * await t.lastLoss(); // about log 65 = 4.17 at init
   * ```
   */
  async lastLoss(): Promise<number> {
    if (!this.#lastLoss) throw new Error("no step has run yet");
    return (await this.#lastLoss.data())[0];
  }

  /**
   * The configured loss of the current parameters on a batch, read back.
   *
   * @example
   * ```ts
   * import { presets } from "@lib/train/config.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * const t = new Trainer(presets.tiny);
   * const b = t.batchAt(0);
   * await t.lossOn(b);
   * ```
   */
  async lossOn(batch: Batch): Promise<number> {
    const loss = this.#lossOnly(batch);
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  }

  /**
   * Metrics and probes on the batch the next step will train on, before its update (the
   * authors' convention), with the memory probes of the current matrices.
   */
  async evaluate(): Promise<EvalRecord> {
    const batch = this.#peekBatch();
    const out = forward(this.params, this.config.model, batch.inputs, { attention: true });
    try {
      const metrics = await batchMetrics(out.logits, batch.targets, batch.labels);
      const attention = out.attn1 && out.attn2
        ? await attentionProbesAsync(
          out.attn1,
          out.attn2,
          batch.inputs,
          batch.targets,
          batch.labels,
        )
        : { prevToken: NaN, induction: NaN };
      const probes = await this.#parts.memoryProbes(
        this.params,
        this.config.model,
        this.#triggers,
        this.#stats.bigram,
      );
      return {
        step: this.stepCount,
        ...metrics,
        ...probes,
        ...attention,
        elapsedMs: this.elapsedMs(),
      };
    } finally {
      tf.dispose([out.logits, out.attn1, out.attn2].filter((t) => t !== undefined));
    }
  }

  /** Wall time since the run started, summed over resumed parts, in milliseconds. */
  elapsedMs(): number {
    return this.#elapsedBefore + performance.now() - this.#startedAt;
  }

  /**
   * Saves parameters, optimizer state, step and data position to one JSON file.
   *
   * @example
   * ```ts
   * import { presets } from "@lib/train/config.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * const t = new Trainer(presets.tiny);
   * // await t.save("run/checkpoint.json");
   * ```
   */
  async save(path: string): Promise<void> {
    const params: Checkpoint["params"] = {};
    for (const name of PARAM_NAMES) {
      const p = this.params[name];
      if (p) params[name] = await encodeTensor(p);
    }
    const slots: Checkpoint["optimizer"]["slots"] = {};
    for (const [name, t] of Object.entries(this.#optimizer.slots())) {
      slots[name] = await encodeTensor(t);
    }
    await writeCheckpoint(path, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      config: this.config,
      step: this.stepCount,
      elapsedMs: this.elapsedMs(),
      params,
      optimizer: { kind: this.config.optimizer.kind, slots, counters: this.#optimizer.counters() },
      data: { seed: this.config.seed, nextBatch: this.stepCount },
    });
  }

  /**
   * A trainer restored from {@linkcode Trainer.save}: its next step is the one the saved run
   * would have made, with the same batch and the same loss.
   *
   * @example
   * ```ts
   * import { Trainer } from "@lib/train/trainer.ts";
   * // const t = await Trainer.load("run/checkpoint.json"); t.stepCount
   * ```
   */
  static async load(path: string, parts: TrainerParts = {}): Promise<Trainer> {
    const ckpt = await readCheckpoint(path);
    const trainer = new Trainer(ckpt.config, parts);
    try {
      const restore = (
        target: tf.Variable | undefined,
        name: string,
        saved = ckpt.params[name],
      ) => {
        if (!saved) throw new Error(`${path} has no ${name}`);
        if (!target) throw new Error(`${path} has ${name}, which this model does not`);
        if (saved.shape.join() !== target.shape.join()) {
          throw new Error(
            `${path}: ${name} has shape [${saved.shape}], the model [${target.shape}]`,
          );
        }
        tf.tidy(() => target.assign(tf.tensor(decodeValues(saved), saved.shape, "float32")));
      };
      for (const name of PARAM_NAMES) {
        if (trainer.params[name] || ckpt.params[name]) restore(trainer.params[name], name);
      }
      if (ckpt.optimizer.kind !== ckpt.config.optimizer.kind) {
        throw new Error(
          `${path} holds ${ckpt.optimizer.kind} optimizer state, its config says ${ckpt.config.optimizer.kind}`,
        );
      }
      const slots = trainer.#optimizer.slots();
      for (const name of new Set([...Object.keys(slots), ...Object.keys(ckpt.optimizer.slots)])) {
        restore(slots[name], `optimizer state ${name}`, ckpt.optimizer.slots[name]);
      }
      trainer.#optimizer.setCounters(ckpt.optimizer.counters);
      trainer.stepCount = ckpt.data.nextBatch;
      trainer.#elapsedBefore = ckpt.elapsedMs;
    } catch (error) {
      trainer.dispose();
      throw error;
    }
    return trainer;
  }

  /** Frees the parameters, the optimizer's state and any pending batch. */
  dispose(): void {
    disposeParams(this.params);
    this.#optimizer.dispose();
    this.#lastLoss?.dispose();
    if (this.#next) tf.dispose(this.#next as unknown as tf.Tensor[]);
    this.#next = undefined;
    this.#lastLoss = undefined;
  }

  #peekBatch(): Batch {
    this.#next ??= this.batchAt(this.stepCount);
    return this.#next;
  }

  #takeBatch(): Batch {
    const batch = this.#peekBatch();
    this.#next = undefined;
    return batch;
  }

  #lossOnly(batch: Batch): tf.Scalar {
    return tf.tidy(() => {
      const { logits } = forward(this.params, this.config.model, batch.inputs);
      const mask = this.config.loss === "all"
        ? tf.onesLike(batch.inContextMask)
        : batch.inContextMask;
      return maskedCrossEntropy(logits, batch.targets, mask);
    });
  }
}

/** Options of {@linkcode train}. */
export interface TrainOptions {
  /** Called after each evaluation (and awaited, so it may save a checkpoint). */
  onEval?: (record: EvalRecord) => unknown;
  /** Called after each step with the number of steps done. */
  onStep?: (stepCount: number) => void;
  /** Write the JSON-lines log here: the config, then one record per evaluation. */
  logPath?: string;
  /** Stop early (after the current step) when this aborts; the last record is still taken. */
  signal?: AbortSignal;
  /** Train this trainer (e.g. one restored with `Trainer.load`) instead of a new one; it is not disposed. */
  trainer?: Trainer;
  /** Save a checkpoint here at the end. */
  checkpointPath?: string;
  /** The backend's name, for the log header. */
  backend?: string;
  /** Replace the exercises' reference code (ignored when `trainer` is given). */
  parts?: TrainerParts;
}

/**
 * Trains until `config.steps` steps are done (counting those of a resumed trainer), evaluating
 * every `config.evalEvery` steps and after the last one.
 *
 * @example
 * ```ts
 * import { presets } from "@lib/train/config.ts";
 * import { train } from "@lib/train/trainer.ts";
 * const records = await train(presets.tiny);
 * records.at(-1)!.inContextAcc;
 * ```
 */
export async function train(
  config: TrainConfig,
  options: TrainOptions = {},
): Promise<EvalRecord[]> {
  const trainer = options.trainer ?? new Trainer(config, options.parts);
  const { evalEvery, steps } = config;
  const log = options.logPath
    ? await LogWriter.open(options.logPath, {
      config: { ...trainer.config, steps },
      startStep: trainer.stepCount,
      backend: options.backend ?? tf.getBackend(),
      startedAt: new Date().toISOString(),
    }, options.trainer !== undefined)
    : undefined;
  const records: EvalRecord[] = [];
  const record = async () => {
    const r = await trainer.evaluate();
    records.push(r);
    await log?.write(r);
    await options.onEval?.(r);
  };
  try {
    while (trainer.stepCount < steps && !options.signal?.aborted) {
      if (trainer.stepCount % evalEvery === 0) await record();
      trainer.step();
      options.onStep?.(trainer.stepCount);
      // Let timers and signal handlers run (a progress bar, Ctrl-C).
      if (options.signal || options.onStep) await new Promise((r) => setTimeout(r, 0));
    }
    if (records.at(-1)?.step !== trainer.stepCount) await record();
    if (options.checkpointPath) await trainer.save(options.checkpointPath);
  } finally {
    log?.close();
    if (!options.trainer) trainer.dispose();
  }
  return records;
}
