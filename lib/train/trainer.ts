/**
 * The training loop of the paper's `ihead_basic_main.py`: a fresh batch every step from the
 * seeded generator of lesson 1, the loss on in-context targets (or all), gradients of the
 * trainable matrices only, SGD with momentum (or AdamW), a freezing schedule, and every
 * `evalEvery` steps the metrics and probes on that step's training batch, computed before its
 * update, as the authors do. With a `GradientPool`'s parts the evaluation runs on this thread
 * while the pool's Workers compute that step ({@linkcode Trainer.stepWhile}).
 *
 * The taught parts (lesson 1's generator, lesson 5's loss, update, step and schedule) come in
 * through {@linkcode TrainerParts}; there is no default: the caller says whose code runs.
 *
 * `step()` never reads a tensor back from the device; only `evaluate()` does. Tensors are freed
 * as they go, so `tf.memory().numTensors` stays flat over a run.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets, withOverrides } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { train } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const records = await train(withOverrides(presets.tiny, { steps: 20 }), {
 *   parts: trainerParts(data, training),
 *   onEval: (r) => console.log(r.step, r.inContextAcc),
 * });
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  attentionProbesAsync,
  batchMetrics,
  disposeParams,
  forward,
  initParams,
  type ModelConfig,
  PARAM_NAMES,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { type TrainConfig, validateConfig } from "./config.ts";
import { makeOptimizer, type Optimizer } from "./optimizer.ts";
import type { DataStats, TrainBatch, TrainerParts } from "./parts.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  decodeValues,
  encodeTensor,
  readCheckpoint,
  writeCheckpoint,
} from "./checkpoint.ts";
import { type EvalRecord, LogWriter } from "./log.ts";

export type { EvalRecord, TrainerParts };

/**
 * A model, its optimizer and its data stream, stepped one batch at a time.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const trainer = new Trainer(presets.tiny, trainerParts(data, training));
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
  #parts: TrainerParts;
  #stats: DataStats;
  #triggers: number[] | null;
  /** Batches drawn ahead, by step: the current one (evaluated, then trained on), the next. */
  #batches = new Map<number, TrainBatch>();
  #lastLoss: tf.Scalar | undefined;
  #elapsedBefore = 0;
  #startedAt = performance.now();

  /**
   * Creates a freshly initialised model (seed `config.model.seed`) and its optimizer, trained
   * with `parts` (see {@linkcode TrainerParts}: whose lesson code runs is the caller's choice).
   */
  constructor(config: TrainConfig, parts: TrainerParts) {
    validateConfig(config);
    this.config = structuredClone(config);
    this.#parts = { ...parts };
    this.#stats = parts.loadStats();
    const { data } = config;
    this.#triggers = data.fixedTriggers
      ? parts.topTriggers(this.#stats.unigram, data.k, data.triggerOffset)
      : null;
    this.params = initParams(config.model);
    this.#optimizer = makeOptimizer(
      config.optimizer,
      this.params,
      config.model.trainable,
      parts.sgdMomentumUpdate,
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
   * import type { DataLesson } from "@lib/train/parts.ts";
   * import type { TrainingLesson } from "@lib/train/parts.ts";
   * import { presets } from "@lib/train/config.ts";
   * import { trainerParts } from "@lib/train/parts.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
   * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
   * const t = new Trainer(presets.tiny, trainerParts(data, training));
   * const b = t.batchAt(0); // the batch step 0 trains on
   * ```
   */
  batchAt(s: number): TrainBatch {
    const rng = new Rng(this.config.seed).fork(s);
    return this.#parts.makeBatch(rng, this.#stats, this.config.data, this.config.batchSize);
  }

  /** One optimizer step on a fresh batch. No readback from the device. */
  step(): void {
    this.#startStep()();
  }

  /**
   * One optimizer step, with `during` run before its update, on the same thread: where the
   * parts can start a step early (a `GradientPool`'s Workers compute it), `during` runs while
   * they do; otherwise `during` runs first, then the step. Either way `during` sees the
   * matrices and the batch of the step before its update ({@linkcode Trainer.evaluate} reads
   * both), and the step is completed even when `during` throws. Returns what `during` returns.
   *
   * @example
   * ```ts
   * import type { DataLesson } from "@lib/train/parts.ts";
   * import type { TrainingLesson } from "@lib/train/parts.ts";
   * import { presets } from "@lib/train/config.ts";
   * import { trainerParts } from "@lib/train/parts.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
   * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
   * const t = new Trainer(presets.tiny, trainerParts(data, training));
   * const record = await t.stepWhile(() => t.evaluate()); // record.step === 0, t.stepCount === 1
   * ```
   */
  async stepWhile<T>(during: () => T | Promise<T>): Promise<T> {
    if (!this.#parts.startStep) {
      const result = await during();
      this.step();
      return result;
    }
    const finish = this.#startStep();
    let result: T;
    try {
      result = await during();
    } catch (error) {
      try {
        finish();
      } catch {
        // the first error is the one to report
      }
      throw error;
    }
    finish();
    return result;
  }

  /**
   * Starts the step on the current batch (lesson 5's `trainingStep` at once, or the parts'
   * `startStep`) and returns what completes it: the update, the loss, the step count.
   */
  #startStep(): () => void {
    const step = this.stepCount;
    const batch = this.#batch(step);
    let finish: () => tf.Scalar;
    try {
      const trainable = this.#parts.trainableAt(
        step,
        this.config.model.trainable,
        this.config.freeze,
      );
      // lib/model's forward differentiates the variables flagged trainable: flag exactly the
      // matrices that train at this step, so a frozen one costs no backward work.
      for (const name of this.config.model.trainable) {
        this.params[name]!.trainable = trainable.includes(name);
      }
      const options = { trainable, loss: this.config.loss, optimizer: this.#optimizer };
      if (trainable.length === 0) {
        const loss = this.#lossOnly(batch);
        finish = () => loss;
      } else if (this.#parts.startStep) {
        finish = this.#parts.startStep(this.params, this.config.model, batch, options);
      } else {
        finish = () => this.#parts.trainingStep(this.params, this.config.model, batch, options);
      }
    } catch (error) {
      this.#dropBatches();
      throw error;
    }
    return () => {
      let loss: tf.Scalar;
      try {
        // Where the step runs on other threads, draw the next step's batch meanwhile (the
        // data stream is a function of the step, so drawing it early changes nothing).
        if (this.#parts.startStep) this.#batch(step + 1);
        loss = finish();
      } catch (error) {
        this.#dropBatches();
        throw error;
      }
      this.#dropBatches(step + 1);
      this.#lastLoss?.dispose();
      this.#lastLoss = loss;
      this.stepCount = step + 1;
    };
  }

  /**
   * The training loss of the last step (on its batch, before its update), read back.
   *
   * @example
   * ```ts
   * import type { DataLesson } from "@lib/train/parts.ts";
   * import type { TrainingLesson } from "@lib/train/parts.ts";
   * import { presets } from "@lib/train/config.ts";
   * import { trainerParts } from "@lib/train/parts.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
   * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
   * const t = new Trainer(presets.tiny, trainerParts(data, training));
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
   * import type { DataLesson } from "@lib/train/parts.ts";
   * import type { TrainingLesson } from "@lib/train/parts.ts";
   * import { presets } from "@lib/train/config.ts";
   * import { trainerParts } from "@lib/train/parts.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
   * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
   * const t = new Trainer(presets.tiny, trainerParts(data, training));
   * const b = t.batchAt(0);
   * await t.lossOn(b);
   * ```
   */
  async lossOn(batch: TrainBatch): Promise<number> {
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
    const batch = this.#batch(this.stepCount);
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
   * import type { DataLesson } from "@lib/train/parts.ts";
   * import type { TrainingLesson } from "@lib/train/parts.ts";
   * import { presets } from "@lib/train/config.ts";
   * import { trainerParts } from "@lib/train/parts.ts";
   * import { Trainer } from "@lib/train/trainer.ts";
   * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
   * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
   * const t = new Trainer(presets.tiny, trainerParts(data, training));
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
  static async load(path: string, parts: TrainerParts): Promise<Trainer> {
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
    this.#dropBatches();
    this.#lastLoss = undefined;
  }

  /** The batch of step `s`, drawn once and kept until {@linkcode Trainer.#dropBatches}. */
  #batch(s: number): TrainBatch {
    let batch = this.#batches.get(s);
    if (!batch) {
      batch = this.batchAt(s);
      this.#batches.set(s, batch);
    }
    return batch;
  }

  /** Frees the batches drawn ahead, all but the one of step `keep`. */
  #dropBatches(keep?: number): void {
    for (const [s, batch] of this.#batches) {
      if (s === keep) continue;
      tf.dispose(batch as unknown as tf.Tensor[]);
      this.#batches.delete(s);
    }
  }

  #lossOnly(batch: TrainBatch): tf.Scalar {
    return tf.tidy(() => {
      const mask = this.config.loss === "all"
        ? tf.onesLike(batch.inContextMask)
        : batch.inContextMask;
      const { logits } = forward(this.params, this.config.model, batch.inputs, { lossRows: mask });
      return this.#parts.maskedCrossEntropy(logits, batch.targets, mask);
    });
  }
}

/** Options of {@linkcode train}: `parts` for a new trainer, or a `trainer` to go on with. */
export type TrainOptions =
  & TrainHooks
  & ({ parts: TrainerParts; trainer?: undefined } | { trainer: Trainer; parts?: undefined });

/** What {@linkcode train} reports to and where it writes. */
export interface TrainHooks {
  /** Called after each evaluation (and awaited, so it may save a checkpoint). */
  onEval?: (record: EvalRecord) => unknown;
  /** Called after each step with the number of steps done. */
  onStep?: (stepCount: number) => void;
  /** Write the JSON-lines log here: the config, then one record per evaluation. */
  logPath?: string;
  /** Stop early (after the current step) when this aborts; the last record is still taken. */
  signal?: AbortSignal;
  /** Save a checkpoint here at the end. */
  checkpointPath?: string;
  /** The backend's name, for the log header. */
  backend?: string;
}

/**
 * Trains until `config.steps` steps are done (counting those of a resumed trainer), evaluating
 * every `config.evalEvery` steps and after the last one.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { train } from "@lib/train/trainer.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * const records = await train(presets.tiny, { parts: trainerParts(data, training) });
 * records.at(-1)!.inContextAcc;
 * ```
 */
export async function train(
  config: TrainConfig,
  options: TrainOptions,
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
      // An evaluation sees the step's batch and weights before its update: it runs while the
      // step computes where that is on other threads (a GradientPool's Workers).
      if (trainer.stepCount % evalEvery === 0) await trainer.stepWhile(record);
      else trainer.step();
      options.onStep?.(trainer.stepCount);
      // Let timers and signal handlers run (a progress bar, Ctrl-C).
      if (options.signal || options.onStep) await yieldToEventLoop();
    }
    if (records.at(-1)?.step !== trainer.stepCount) await record();
    if (options.checkpointPath) await trainer.save(options.checkpointPath);
  } finally {
    log?.close();
    if (!options.trainer) trainer.dispose();
  }
  return records;
}

/**
 * One turn of the event loop: `setImmediate` where there is one (Deno), else `setTimeout(0)` (a
 * browser). A `setTimeout(0)` awaited after another is clamped to 4 ms (the HTML rule Deno
 * follows for nested timers): a turn per step cost the 2-Worker birth run about 2.5 ms a step.
 */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => immediate ? immediate(resolve) : setTimeout(resolve, 0));
}
