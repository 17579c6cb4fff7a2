/**
 * Data-parallel training across Workers: each step's batch is split into N shards, N Workers
 * (one TensorFlow.js instance each, on their own threads) compute the gradients of the trainable
 * matrices on their shard with lesson 5's training step, the main thread averages them (lesson
 * 6's `averageGradients`, weighted by each shard's count of loss targets, so that the result is
 * the gradient of the whole batch's masked mean loss), takes one optimizer step, and sends the
 * matrices that changed (the trained ones) with the next step's shards. It is the shape of data-parallel training on many
 * GPUs (PyTorch's DistributedDataParallel), with an all-reduce through the main thread.
 *
 * {@linkcode GradientPool.trainingStep} is a lesson-5 `TrainingStep`, synchronous like every
 * other: the Workers write their results into shared memory and the main thread waits on it
 * with `Atomics.wait` (allowed on Deno's main thread and in any Worker; not on a browser page's
 * main thread). {@linkcode GradientPool.startStep} is the same step in two halves: it sends the
 * shards and returns; what it returns waits and updates. The trainer evaluates in between, so
 * the main thread's evaluation and the Workers' step run at the same time. Plug both into the
 * trainer as `trainerParts(data, training, pool.parts())`.
 *
 * The Worker's code is a tool entry point (`lessons/05_training/train_worker.ts`) that takes
 * lesson 5's step from `@exercises/` and hands it to {@linkcode serveGradients}, so the import map
 * (which Workers inherit) decides whose code runs; lib is given only its URL.
 *
 * @example
 * ```ts
 * import type { DataLesson } from "@lib/train/parts.ts";
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import type { GradientAverager } from "@lib/train/parallel.ts";
 * import { presets } from "@lib/train/config.ts";
 * import { trainerParts } from "@lib/train/parts.ts";
 * import { Trainer } from "@lib/train/trainer.ts";
 * import { GradientPool } from "@lib/train/parallel.ts";
 * declare const data: DataLesson; // lesson 1's module, passed in by the tool that runs this
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * declare const averageGradients: GradientAverager; // lesson 6's, passed in by the tool
 * declare const workerUrl: URL; // the tool's Worker script (lessons/05_training/train_worker.ts)
 * const pool = await GradientPool.start({
 *   workers: 2, backend: "wasm", model: presets.tiny.model, average: averageGradients, workerUrl,
 * });
 * try {
 *   const trainer = new Trainer(presets.tiny, trainerParts(data, training, pool.parts()));
 *   trainer.step(); // 2 Workers, one averaged update
 *   trainer.dispose();
 * } finally {
 *   pool.dispose(); // terminates the Workers
 * }
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  finalFfnParams,
  type ModelConfig,
  PARAM_NAMES,
  type ParamName,
  type Params,
  paramShape,
} from "@lib/model/mod.ts";
import { initBackend, parseBackend } from "@lib/tf/mod.ts";
import { NotImplementedError } from "@lib/testing/mod.ts";
import type { Optimizer } from "./optimizer.ts";
import type { StepOptions, StepStarter, TrainingStep } from "./parts.ts";

/** One shard's gradients and the number of loss targets it averaged over. */
export interface ShardGradients {
  /** dL_k/dW for each trainable matrix, where L_k is the shard's masked mean loss. */
  grads: Partial<Record<ParamName, tf.Tensor>>;
  /** n_k: the loss targets of the shard (the mask's sum; every target with `loss: "all"`). */
  count: number;
}

/** Lesson 6's gradient averaging: the shards' gradients to the whole batch's gradient. */
export type GradientAverager = (
  shards: ShardGradients[],
) => Partial<Record<ParamName, tf.Tensor>>;

/**
 * How many sequences each of `n` shards of a batch of `batch` gets: as even as possible, the
 * first ones one larger, never an empty shard (fewer shards when `batch < n`).
 *
 * @example
 * ```ts
 * import { shardSizes } from "@lib/train/parallel.ts";
 * shardSizes(64, 2); // [32, 32]
 * shardSizes(5, 2); // [3, 2]
 * shardSizes(2, 4); // [1, 1]
 * ```
 */
export function shardSizes(batch: number, n: number): number[] {
  if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(n) || n < 1) {
    throw new Error(`shardSizes: batch and n must be positive integers, got ${batch} and ${n}`);
  }
  const k = Math.min(n, batch);
  return Array.from({ length: k }, (_, i) => Math.floor(batch / k) + (i < batch % k ? 1 : 0));
}

/**
 * The number of Workers `deno task train` and `deno task bench` use when none is given: the
 * machine's logical cores, at most `cap`.
 *
 * @example
 * ```ts
 * import { defaultWorkers } from "@lib/train/parallel.ts";
 * defaultWorkers(8, 4); // 4
 * ```
 */
export function defaultWorkers(cores = navigator.hardwareConcurrency ?? 1, cap = 4): number {
  return Math.max(1, Math.min(cap, Math.floor(cores)));
}

// ------------------------------------------------------------------------------------------
// Shared memory between the main thread and one Worker.

/** Worker states in the control word. */
const BUSY = 0;
const DONE = 1;
const FAILED = 2;
/** Bytes for a Worker's error message. */
const MESSAGE_BYTES = 2048;

/** Where each matrix's gradient sits in a Worker's result floats (after the loss at 0). */
type Layout = Partial<Record<ParamName, { offset: number; size: number }>>;

function layoutOf(shapes: Partial<Record<ParamName, number[]>>, names: ParamName[]) {
  const layout: Layout = {};
  let offset = 1; // float 0: the shard's loss
  for (const name of names) {
    const size = shapes[name]!.reduce((a, b) => a * b, 1);
    layout[name] = { offset, size };
    offset += size;
  }
  return { layout, floats: offset };
}

/** The views of one Worker's shared buffer. */
interface Shared {
  buffer: SharedArrayBuffer;
  /** [state, message length]. */
  control: Int32Array;
  /** [loss, gradients...]. */
  floats: Float32Array;
  /** The error message, UTF-8. */
  message: Uint8Array;
}

function sharedViews(buffer: SharedArrayBuffer, floats: number): Shared {
  return {
    buffer,
    control: new Int32Array(buffer, 0, 2),
    floats: new Float32Array(buffer, 8, floats),
    message: new Uint8Array(buffer, 8 + 4 * floats, MESSAGE_BYTES),
  };
}

/** A matrix sent to a Worker. */
interface Matrix {
  shape: number[];
  values: Float32Array;
}

/** The first message to a Worker. */
interface InitMessage {
  type: "init";
  backend: string;
  model: ModelConfig;
  buffer: SharedArrayBuffer;
  floats: number;
  layout: Layout;
  params: Partial<Record<ParamName, Matrix>>;
}

/** One step's shard. */
interface StepMessage {
  type: "step";
  /** The current values of the matrices that changed since this Worker's last step. */
  params: Partial<Record<ParamName, Float32Array>>;
  /** int32 [rows * seq]. */
  inputs: Int32Array;
  /** int32 [rows * seq]. */
  targets: Int32Array;
  /** float32 [rows * seq]. */
  mask: Float32Array;
  rows: number;
  seq: number;
  trainable: ParamName[];
  loss: StepOptions["loss"];
}

/** A Worker's answer to `init`. */
type ReadyMessage = { type: "ready" } | { type: "error"; message: string };

// ------------------------------------------------------------------------------------------
// The main thread's side.

/** Options of {@linkcode GradientPool.start}. */
export interface PoolOptions {
  /** How many Workers (>= 1). */
  workers: number;
  /** The TensorFlow.js backend each Worker starts (`wasm` or `cpu`). */
  backend: string;
  /** The model (its matrices' shapes). */
  model: ModelConfig;
  /** Lesson 6's `averageGradients`. */
  average: GradientAverager;
  /** The Worker's module: a tool entry that calls {@linkcode serveGradients}. */
  workerUrl: URL | string;
  /** Seconds a Worker may take for one step before the pool gives up (default 600). */
  stepTimeoutS?: number;
}

/** The pool's Workers, each with its shared buffer. */
interface Member {
  worker: Worker;
  shared: Shared;
  /**
   * The data (a Variable's `dataId`, which `assign` replaces) of each matrix as last sent to
   * this Worker: a matrix whose data is the same is not sent again (a frozen one, every step).
   */
  sent: Map<ParamName, unknown>;
}

/**
 * N Workers that compute gradients on shards of a batch, and the training step that uses them.
 * Start it with {@linkcode GradientPool.start}, always `dispose()` it (the Workers keep the
 * process alive otherwise).
 *
 * @example
 * ```ts
 * import { GradientPool } from "@lib/train/parallel.ts";
 * // const pool = await GradientPool.start({ workers: 2, backend: "wasm", model, average, workerUrl });
 * // try { ... pool.trainingStep ... } finally { pool.dispose(); }
 * ```
 */
export class GradientPool {
  #members: Member[];
  #options: PoolOptions;
  #layout: Layout;
  #disposed = false;
  /** A step was started and not finished yet. */
  #inFlight = false;

  private constructor(members: Member[], options: PoolOptions, layout: Layout) {
    this.#members = members;
    this.#options = options;
    this.#layout = layout;
  }

  /**
   * Starts `options.workers` Workers, each with its own backend and a copy of the model's
   * matrices (their values arrive with every step). Terminates the ones started if any fails.
   *
   * @example
   * ```ts
   * import { GradientPool } from "@lib/train/parallel.ts";
   * // const pool = await GradientPool.start({ workers: 2, backend: "wasm", model, average, workerUrl });
   * ```
   */
  static async start(options: PoolOptions): Promise<GradientPool> {
    const { workers, model } = options;
    if (!Number.isInteger(workers) || workers < 1) {
      throw new Error(`the number of workers must be an integer >= 1, got ${workers}`);
    }
    // The shapes of the model's matrices, from a throwaway copy (values come with each step).
    const shapes = shapesOf(model);
    const names = PARAM_NAMES.filter((n) => shapes[n] !== undefined);
    const { layout, floats } = layoutOf(shapes, names);
    const members: Member[] = [];
    try {
      for (let i = 0; i < workers; i++) {
        const buffer = new SharedArrayBuffer(8 + 4 * floats + MESSAGE_BYTES);
        const worker = new Worker(options.workerUrl, { type: "module" });
        members.push({ worker, shared: sharedViews(buffer, floats), sent: new Map() });
      }
      const params: InitMessage["params"] = {};
      for (const name of names) {
        const shape = shapes[name]!;
        params[name] = { shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)) };
      }
      await Promise.all(
        members.map(({ worker, shared }, i) =>
          new Promise<void>((resolve, reject) => {
            worker.onmessage = (e: MessageEvent<ReadyMessage>) => {
              if (e.data.type === "ready") resolve();
              else reject(new Error(`worker ${i + 1}: ${e.data.message}`));
            };
            worker.onerror = (e: ErrorEvent) => {
              e.preventDefault();
              reject(new Error(`worker ${i + 1} failed to start: ${e.message}`));
            };
            const init: InitMessage = {
              type: "init",
              backend: options.backend,
              model,
              buffer: shared.buffer,
              floats,
              layout,
              params,
            };
            worker.postMessage(init);
          })
        ),
      );
    } catch (error) {
      for (const m of members) m.worker.terminate();
      throw error;
    }
    return new GradientPool(members, options, layout);
  }

  /** The number of Workers. */
  get size(): number {
    return this.#members.length;
  }

  /**
   * The trainer parts that make a trainer data-parallel:
   * `trainerParts(data, training, pool.parts())`.
   *
   * @example
   * ```ts
   * import { GradientPool } from "@lib/train/parallel.ts";
   * // new Trainer(config, trainerParts(data, training, pool.parts()));
   * ```
   */
  parts(): { trainingStep: TrainingStep; startStep: StepStarter } {
    return { trainingStep: this.trainingStep, startStep: this.startStep };
  }

  /**
   * Lesson 5's training step, data-parallel: the batch split over the Workers, their gradients
   * averaged with lesson 6's `averageGradients`, one update by `options.optimizer`. Returns
   * the whole batch's loss before the update. It is {@linkcode GradientPool.startStep} finished
   * at once.
   */
  readonly trainingStep: TrainingStep = (...args) => this.startStep(...args)();

  /**
   * The data-parallel step, started: the shards go to the Workers and it returns at once. The
   * function it returns waits for them, averages, updates and returns the loss before the
   * update (the Worker's error, if one failed); call it exactly once, before the next step.
   * Until then the matrices are untouched: the main thread may use them (an evaluation).
   *
   * @example
   * ```ts
   * import { GradientPool } from "@lib/train/parallel.ts";
   * // const finish = pool.startStep(params, config, batch, options);
   * // ... other work on this thread while the Workers compute ...
   * // const loss = finish();
   * ```
   */
  readonly startStep: StepStarter = (params, config, batch, options) => {
    if (this.#disposed) throw new Error("the gradient pool has been disposed");
    if (this.#inFlight) {
      throw new Error("a step is already in flight: finish it before starting the next one");
    }
    const { model } = this.#options;
    const keys = ["dim", "vocabSize", "maxLen", "finalFfn"] as const;
    const differ = keys.filter((k) => config[k] !== model[k]);
    if (differ.length > 0) {
      throw new Error(
        `the gradient pool's Workers hold another model (${
          differ.map((k) => `${k} ${model[k]}, not ${config[k]}`).join("; ")
        }): start the pool with this model's config`,
      );
    }
    const [rowsAll, seq] = batch.inputs.shape;
    const inputs = batch.inputs.dataSync() as Int32Array;
    const targets = batch.targets.dataSync() as Int32Array;
    const mask = options.loss === "all"
      ? new Float32Array(rowsAll * seq).fill(1)
      : batch.inContextMask.dataSync() as Float32Array;
    const values: StepMessage["params"] = {};
    const valueOf = (name: ParamName) => values[name] ??= params[name]!.dataSync() as Float32Array;
    const sizes = shardSizes(rowsAll, this.#members.length);
    const shards: { member: Member; count: number }[] = [];
    let start = 0;
    sizes.forEach((rows, i) => {
      const member = this.#members[i];
      const [from, to] = [start * seq, (start + rows) * seq];
      start += rows;
      const shardMask = mask.slice(from, to);
      // The matrices whose data changed since this Worker last got them (all, the first time)
      const changed: StepMessage["params"] = {};
      for (const name of PARAM_NAMES) {
        const p = params[name];
        if (p && member.sent.get(name) !== p.dataId) {
          changed[name] = valueOf(name);
          member.sent.set(name, p.dataId);
        }
      }
      const message: StepMessage = {
        type: "step",
        params: changed,
        inputs: inputs.slice(from, to),
        targets: targets.slice(from, to),
        mask: shardMask,
        rows,
        seq,
        trainable: options.trainable,
        loss: options.loss,
      };
      Atomics.store(member.shared.control, 0, BUSY);
      member.worker.postMessage(message);
      shards.push({ member, count: shardMask.reduce((a, b) => a + b, 0) });
    });
    this.#inFlight = true;
    let finished = false;
    return () => {
      if (finished) throw new Error("this step was finished already");
      finished = true;
      // Wait for every Worker, even after one failed, so that none is still busy with this
      // step when the next one starts; then report the first failure.
      // (A timeout terminates them all: then there is nothing left to wait for.)
      const failures: unknown[] = [];
      shards.forEach(({ member }, i) => {
        if (this.#disposed) return;
        try {
          this.#await(member, i);
        } catch (error) {
          failures.push(error);
        }
      });
      this.#inFlight = false;
      if (failures.length > 0) throw failures[0];
      if (this.#disposed) throw new Error("the gradient pool was disposed during the step");
      return this.#update(shards, params, options);
    };
  };

  /** Every Worker answered: gather, average, update; the whole batch's loss. */
  #update(
    shards: { member: Member; count: number }[],
    params: Params,
    options: StepOptions,
  ): tf.Scalar {
    const results: ShardGradients[] = shards.map(({ member, count }) => {
      const grads: ShardGradients["grads"] = {};
      for (const name of options.trainable) {
        const at = this.#layout[name];
        if (!at) throw new Error(`the pool has no gradient slot for "${name}"`);
        const shape = params[name]!.shape;
        grads[name] = tf.tensor(member.shared.floats.slice(at.offset, at.offset + at.size), shape);
      }
      return { grads, count };
    });
    try {
      const averaged = this.#options.average(results);
      try {
        for (const name of options.trainable) {
          if (!averaged[name]) {
            throw new Error(`averageGradients returned no gradient for "${name}"`);
          }
        }
        options.optimizer.update(params, averaged);
      } finally {
        tf.dispose(Object.values(averaged) as tf.Tensor[]);
      }
    } finally {
      for (const r of results) tf.dispose(Object.values(r.grads) as tf.Tensor[]);
    }
    // The whole batch's loss: Σ n_k L_k / max(Σ n_k, 1), as lesson 5's loss divides.
    const total = shards.reduce((s, x) => s + x.count, 0);
    const loss = shards.reduce((s, x) => s + x.count * x.member.shared.floats[0], 0);
    return tf.scalar(total > 0 ? loss / total : 0);
  }

  /** Blocks until a Worker has written its result; throws its error or a timeout. */
  #await(member: Member, i: number): void {
    const limitMs = 1000 * (this.#options.stepTimeoutS ?? 600);
    const state = Atomics.wait(member.shared.control, 0, BUSY, limitMs);
    if (state === "timed-out") {
      this.dispose();
      throw new Error(`worker ${i + 1} did not finish its shard within ${limitMs / 1000} s`);
    }
    if (Atomics.load(member.shared.control, 0) === FAILED) {
      member.sent.clear(); // it may hold some matrices half-updated: send them all next time
      const length = Atomics.load(member.shared.control, 1);
      const text = new TextDecoder().decode(member.shared.message.slice(0, length));
      const { message, exercise } = JSON.parse(text) as { message: string; exercise?: string };
      // A stub in the Worker's lesson code reads as the same error as in the main thread.
      if (exercise) throw new NotImplementedError(exercise);
      throw new Error(`worker ${i + 1}: ${message}`);
    }
  }

  /** Terminates the Workers (safe to call twice). */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const m of this.#members) m.worker.terminate();
  }
}

/** The shapes of the model's matrices, without allocating them. */
function shapesOf(model: ModelConfig): Partial<Record<ParamName, number[]>> {
  const { dim: d, vocabSize: n, maxLen } = model;
  const shapes: Partial<Record<ParamName, number[]>> = {
    wE: [n, d],
    pos: [maxLen, d],
    wK1: [d, d],
    wV1: [d, d],
    wO1: [d, d],
    wK2: [d, d],
    wV2: [d, d],
    wO2: [d, d],
    wU: [n, d],
  };
  for (const name of finalFfnParams(model)) shapes[name] = paramShape(name, model);
  return shapes;
}

// ------------------------------------------------------------------------------------------
// The Worker's side.

/** An optimizer that applies nothing and keeps the gradients it is handed (copied out). */
function capturingOptimizer(out: (name: ParamName, grad: tf.Tensor) => void): Optimizer {
  return {
    update: (_params, grads) => {
      for (const [name, g] of Object.entries(grads) as [ParamName, tf.Tensor][]) out(name, g);
    },
    slots: () => ({}),
    counters: () => ({}),
    setCounters: () => {},
    dispose: () => {},
  };
}

/** Starts a backend by name in a Worker: `@lib/tf`'s `initBackend` in Deno, the site's in a page. */
export type BackendStarter = (name: string) => Promise<{ name: string; summary?: string }>;

/**
 * The Worker's loop: on `init`, starts the backend (with `start`, default `@lib/tf`'s
 * `initBackend`; a browser Worker passes the site's `startBackend`) and makes the model's
 * variables; on each `step`, loads the matrices' current values, runs `trainingStep` (lesson
 * 5's) on its shard with an optimizer that only records the gradients, and writes the loss and
 * the gradients into the shared buffer. Call it from a Worker entry module.
 *
 * @example
 * ```ts
 * import type { TrainingLesson } from "@lib/train/parts.ts";
 * import { serveGradients } from "@lib/train/parallel.ts";
 * declare const training: TrainingLesson; // lesson 5's module, passed in by the tool
 * // in a Worker module: serveGradients(training.trainingStep);
 * ```
 */
export function serveGradients(
  trainingStep: TrainingStep,
  start: BackendStarter = (name) => initBackend(parseBackend(name)),
): void {
  const scope = globalThis as unknown as {
    onmessage: ((e: MessageEvent<InitMessage | StepMessage>) => void) | null;
    postMessage: (m: ReadyMessage) => void;
  };
  let shared: Shared | undefined;
  let layout: Layout = {};
  let model: ModelConfig | undefined;
  const params: Params = {};
  const fail = (error: unknown) => {
    if (!shared) return;
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
    const exercise = error instanceof NotImplementedError ? error.exercise : undefined;
    const text = JSON.stringify({ message: message.slice(0, MESSAGE_BYTES / 4), exercise });
    const bytes = new TextEncoder().encode(text).slice(0, MESSAGE_BYTES);
    shared.message.set(bytes);
    Atomics.store(shared.control, 1, bytes.length);
    Atomics.store(shared.control, 0, FAILED);
    Atomics.notify(shared.control, 0);
  };
  const step = (m: StepMessage) => {
    const s = shared!;
    for (const [name, values] of Object.entries(m.params) as [ParamName, Float32Array][]) {
      const p = params[name];
      if (!p) throw new Error(`no matrix "${name}" in the worker's model`);
      tf.tidy(() => p.assign(tf.tensor(values, p.shape)));
    }
    for (const name of PARAM_NAMES) {
      if (params[name]) params[name]!.trainable = m.trainable.includes(name);
    }
    const batch = tf.tidy(() => ({
      inputs: tf.tensor2d(m.inputs, [m.rows, m.seq], "int32"),
      targets: tf.tensor2d(m.targets, [m.rows, m.seq], "int32"),
      inContextMask: tf.tensor2d(m.mask, [m.rows, m.seq], "float32"),
    }));
    try {
      const written = new Set<ParamName>();
      const optimizer = capturingOptimizer((name, g) => {
        const at = layout[name];
        if (!at) throw new Error(`no gradient slot for "${name}"`);
        s.floats.set(g.dataSync() as Float32Array, at.offset);
        written.add(name);
      });
      const loss = trainingStep(params, model!, batch, {
        trainable: m.trainable,
        loss: m.loss,
        optimizer,
      });
      s.floats[0] = loss.dataSync()[0];
      loss.dispose();
      const missing = m.trainable.filter((n) => !written.has(n));
      if (missing.length > 0) {
        throw new Error(`the training step gave no gradient for ${missing.join(", ")}`);
      }
    } finally {
      tf.dispose(Object.values(batch));
    }
    Atomics.store(s.control, 0, DONE);
    Atomics.notify(s.control, 0);
  };
  scope.onmessage = async (e) => {
    const m = e.data;
    if (m.type === "init") {
      try {
        const info = await start(m.backend);
        if (info.name !== m.backend) {
          throw new Error(`backend ${m.backend} did not start (${info.summary ?? info.name})`);
        }
        shared = sharedViews(m.buffer, m.floats);
        layout = m.layout;
        model = m.model;
        for (const [name, matrix] of Object.entries(m.params) as [ParamName, Matrix][]) {
          params[name] = tf.variable(
            tf.tensor2d(matrix.values, matrix.shape as [number, number]),
            false,
            `parallel.${name}`,
          );
        }
        scope.postMessage({ type: "ready" });
      } catch (error) {
        scope.postMessage({ type: "error", message: (error as Error).message.split("\n")[0] });
      }
      return;
    }
    try {
      step(m);
    } catch (error) {
      fail(error);
    }
  };
}
