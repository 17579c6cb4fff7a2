/**
 * Lesson 5's experiment, shared by the terminal demo (`demo.ts`, which trains whole runs and
 * writes their logs and figures) and the site's island (`site/islands/train_demo.tsx`, which
 * trains step by step in the page): the trainer assembled from the lessons' parts imported
 * through `@exercises/` (lesson 1's generator, lesson 5's loss, update, step, freezing schedule
 * and probes: the learner's code or the reference, whichever the import map points at), and a
 * live run with its evaluations and attention maps. While the learner's freezing schedule or
 * probes are stubs, the library's stand in and `onNote` says so once. The caller starts the
 * backend.
 *
 * @example
 * ```ts
 * import { LiveTraining } from "./experiment.ts";
 * const live = new LiveTraining("tiny");
 * const ms = await live.run(5); // milliseconds per step
 * const view = await live.evaluate(); // metrics, probes and attention maps
 * live.dispose();
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { averageGradients } from "@exercises/06_webgpu/exercises.ts";
import {
  forward,
  type MemoryProbes,
  memoryProbes,
  memoryProbesAsync,
  type ModelConfig,
  type ParamName,
  type Params,
} from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { type FreezeRule, presets, type TrainConfig, withOverrides } from "@lib/train/config.ts";
import { type TrainerParts, trainerParts } from "@lib/train/parts.ts";
import { type BackendStarter, GradientPool, serveGradients } from "@lib/train/parallel.ts";
import { type EvalRecord, Trainer } from "@lib/train/trainer.ts";

/** The position ranges whose W_K^1 recall is also logged (`wK1Below8`, ...). */
export const POSITION_CUTOFFS = [8, 16, 32];

/** Says a stub was replaced by the library's part (once per part). */
export type NoteFn = (text: string) => void;

function isStub(error: unknown): error is { exercise: string } {
  return (error as { name?: string })?.name === "NotImplementedError";
}

/**
 * The trainer's parts from the lessons (see the module's description), with `onNote` told
 * once for each part the library stands in for.
 *
 * @example
 * ```ts
 * import { lessonParts } from "./experiment.ts";
 * const parts = lessonParts(console.log);
 * ```
 */
export function lessonParts(
  onNote: NoteFn = () => {},
  overrides: Partial<TrainerParts> = {},
): TrainerParts {
  const noted = new Set<string>();
  const note = (key: string, text: string) => {
    if (noted.has(key)) return;
    noted.add(key);
    onNote(text);
  };
  /** Runs `mine`; while it is still a stub, runs `reference` instead and says so once. */
  const orReference = <T>(name: string, mine: () => T, reference: () => T): T => {
    try {
      return mine();
    } catch (error) {
      if (!isStub(error)) throw error;
      note(name, `${error.exercise} is not written yet: using the reference ${name}`);
      return reference();
    }
  };
  const probes = (
    params: Params,
    config: ModelConfig,
    triggers: number[] | null,
    bigram?: number[][],
  ): MemoryProbes | Promise<MemoryProbes> => {
    const backend = tf.getBackend();
    if (backend === "webgpu" || backend === "webgl") {
      // The lesson's probes read back with dataSync, which a WebGPU backend cannot do and which
      // stalls a WebGL one (Chromium warns "GPU stall due to ReadPixels").
      note("gpu", `${backend}: the probes are the library's, which read back asynchronously`);
      return memoryProbesAsync(params, config, triggers, bigram);
    }
    const found = orReference("probes", () => {
      const p: MemoryProbes = {
        wO2: training.probeWO2(params),
        wK2: training.probeWK2(params, triggers),
        wK1: training.probeWK1(params),
        wK1Early: training.probeWK1(params, 64),
      };
      if (config.finalFfn && bigram) p.wF = training.probeWF(params, bigram, triggers ?? []);
      return p;
    }, () => memoryProbes(params, config, triggers, bigram));
    const extra: Record<string, number> = {};
    for (const cutoff of POSITION_CUTOFFS) {
      extra[`wK1Below${cutoff}`] = orReference(
        "probes",
        () => training.probeWK1(params, cutoff),
        () => memoryProbes(params, { ...config, maxLen: cutoff }, null).wK1,
      );
    }
    return { ...found, ...extra };
  };
  const trainableAt = (step: number, trainable: ParamName[], freeze: FreezeRule[]) =>
    orReference(
      "freezing schedule",
      () => training.trainableAt(step, trainable, freeze),
      () => trainable.filter((n) => !freeze.some((r) => r.param === n && step < r.untilStep)),
    );
  return trainerParts(data, training, { trainableAt, memoryProbes: probes, ...overrides });
}

/**
 * The runs the site's demo offers, each the configuration `deno task demo 5` trains for the same
 * experiment: `cpu` (`--experiment birth`: the induction head is born), `global` (`--experiment
 * global`: the loss on all targets and a final W_F, so the global bigrams are learned first and
 * the induction head later), `freeze` (`--experiment freeze`'s frozen run: W_K^1 and W_K^2 held
 * until step {@linkcode FREEZE_UNTIL}, 600 steps) and `tiny` (a quick look).
 */
export type PresetChoice = "tiny" | "cpu" | "global" | "freeze";

/** The step until which the `freeze` run holds W_K^1 and W_K^2 still (the paper's Figure 3). */
export const FREEZE_UNTIL = 300;

/**
 * The configuration of a run (see {@linkcode PresetChoice}), with `steps` changed when given.
 *
 * @example
 * ```ts
 * import { liveConfig } from "./experiment.ts";
 * liveConfig("global").loss; // "all"
 * liveConfig("freeze").freeze; // [{ param: "wK1", untilStep: 300 }, { param: "wK2", untilStep: 300 }]
 * ```
 */
export function liveConfig(run: PresetChoice, steps?: number): TrainConfig {
  const n = steps === undefined ? {} : { steps };
  switch (run) {
    case "tiny":
    case "cpu":
      return withOverrides(presets[run], n);
    case "global":
      return withOverrides(presets.cpu, { loss: "all", model: { finalFfn: true }, ...n });
    case "freeze":
      return withOverrides(presets.cpu, {
        steps: steps ?? 2 * FREEZE_UNTIL,
        freeze: [{ param: "wK1", untilStep: FREEZE_UNTIL }, {
          param: "wK2",
          untilStep: FREEZE_UNTIL,
        }],
      });
  }
}

/** What one evaluation shows. */
export interface LiveView {
  /** The metrics and probes (see `EvalRecord`). */
  record: EvalRecord;
  /** Layer 1 attention on the display sequence, row-major `[T, T]`. */
  attn1: Float32Array;
  /** Layer 2 attention on the display sequence, row-major `[T, T]`. */
  attn2: Float32Array;
  /** The display sequence's inputs. */
  tokens: number[];
  /** Its targets. */
  targets: number[];
  /** Its labels (≥ 2: in-context). */
  labels: number[];
  /** The model's argmax prediction at each position. */
  predictions: number[];
  /** tf.memory().numTensors after the evaluation (it should stay flat). */
  numTensors: number;
}

/** Seed of the fixed display sequence. */
export const DISPLAY_SEED = 2023;

/**
 * A training run driven step by step (the site's demo), on the backend already started.
 *
 * @example
 * ```ts
 * import { LiveTraining } from "./experiment.ts";
 * const live = new LiveTraining("tiny");
 * await live.run(5); // milliseconds per step
 * live.dispose();
 * ```
 */
export class LiveTraining {
  /** The trainer. */
  readonly trainer: Trainer;
  /** The 65 characters. */
  readonly vocab: string;
  #display: { inputs: tf.Tensor2D; tokens: number[]; targets: number[]; labels: number[] };

  /**
   * A fresh model for a preset, trained with `parts` (default: the lessons' parts, see
   * {@linkcode lessonParts}, with `onNote`).
   */
  constructor(preset: PresetChoice, options: { parts?: TrainerParts; onNote?: NoteFn } = {}) {
    const parts = options.parts ?? lessonParts(options.onNote);
    const config = liveConfig(preset);
    const stats = parts.loadStats();
    this.vocab = (stats as { vocab?: string }).vocab ?? "";
    const batch = parts.makeBatch(new Rng(DISPLAY_SEED), stats, config.data, 1);
    this.#display = {
      inputs: batch.inputs,
      tokens: Array.from(batch.inputs.dataSync()),
      targets: Array.from(batch.targets.dataSync()),
      labels: Array.from(batch.labels.dataSync()),
    };
    tf.dispose([batch.targets, batch.labels, batch.inContextMask]);
    try {
      this.trainer = new Trainer(config, parts);
    } catch (error) {
      this.#display.inputs.dispose();
      throw error;
    }
  }

  /** The run's configuration. */
  get config(): TrainConfig {
    return this.trainer.config;
  }

  /** The optimizer steps taken so far. */
  get stepCount(): number {
    return this.trainer.stepCount;
  }

  /**
   * Runs `steps` optimizer steps, waits for the device to finish them, and returns the wall
   * time per step in milliseconds.
   */
  async run(steps: number): Promise<number> {
    const start = performance.now();
    for (let i = 0; i < steps; i++) this.trainer.step();
    await this.trainer.lastLoss(); // a readback, so the time includes the device's work
    return (performance.now() - start) / steps;
  }

  /** Evaluates on the next training batch and the display sequence. */
  async evaluate(): Promise<LiveView> {
    const record = await this.trainer.evaluate();
    const out = forward(this.trainer.params, this.config.model, this.#display.inputs, {
      attention: true,
    });
    try {
      const predictions = tf.tidy(() => out.logits.argMax(-1));
      const [attn1, attn2, pred] = await Promise.all([
        out.attn1!.data() as Promise<Float32Array>,
        out.attn2!.data() as Promise<Float32Array>,
        predictions.data(),
      ]);
      predictions.dispose();
      return {
        record,
        attn1,
        attn2,
        ...this.#display,
        predictions: Array.from(pred),
        numTensors: tf.memory().numTensors,
      };
    } finally {
      tf.dispose([out.logits, out.attn1, out.attn2].filter((t) => t !== undefined));
    }
  }

  /** Frees the model, its optimizer and the display sequence (and the Workers, if any). */
  dispose(): void {
    this.trainer.dispose();
    this.#display.inputs.dispose();
    this.#pool?.dispose();
  }

  #pool?: GradientPool;

  /**
   * The same run, data-parallel: each batch split over `workers` Workers (each running lesson
   * 5's `trainingStep` on its shard, see {@linkcode serveShards}), their gradients averaged by
   * lesson 6's `averageGradients` and one update taken here, with `lib/train/parallel.ts`'s
   * `GradientPool` (which waits with `Atomics.wait`: call it in a Worker or in Deno, never on a
   * page's main thread). While `averageGradients` is a stub, one process trains and `onNote`
   * says so. `workers` tells how many Workers train (1: none).
   *
   * @example
   * ```ts
   * import { LiveTraining } from "./experiment.ts";
   * const workerUrl = new URL("./train_worker.ts", import.meta.url);
   * const live = await LiveTraining.parallel("tiny", { workers: 2, workerUrl, backend: "wasm" });
   * await live.run(2);
   * live.dispose(); // terminates the Workers too
   * ```
   */
  static async parallel(
    preset: PresetChoice,
    options: { workers: number; workerUrl: URL | string; backend: string; onNote?: NoteFn },
  ): Promise<LiveTraining & { workers: number }> {
    let workers = options.workers;
    try {
      if (workers > 1) averageGradients([]);
    } catch (error) {
      if (!isStub(error)) throw error;
      options.onNote?.(
        `${error.exercise} (lesson 6) is not written yet: training in one thread, no Workers`,
      );
      workers = 1;
    }
    if (workers <= 1) return Object.assign(new LiveTraining(preset, options), { workers: 1 });
    const pool = await GradientPool.start({
      workers,
      backend: options.backend,
      model: liveConfig(preset).model,
      average: averageGradients,
      workerUrl: options.workerUrl,
    });
    try {
      const live = new LiveTraining(preset, {
        parts: lessonParts(options.onNote, pool.parts()),
      });
      live.#pool = pool;
      return Object.assign(live, { workers: pool.size });
    } catch (error) {
      pool.dispose();
      throw error;
    }
  }
}

/**
 * A data-parallel Worker's loop (see {@linkcode LiveTraining.parallel}): lesson 5's
 * `trainingStep` on each shard it is sent, served by `lib/train/parallel.ts`'s
 * `serveGradients`, with `start` starting the Worker's backend (the site's `startBackend` in a
 * page's Worker; default `@lib/tf`'s).
 *
 * @example
 * ```ts
 * import { serveShards } from "./experiment.ts";
 * // in a Worker module: serveShards();
 * ```
 */
export function serveShards(start?: BackendStarter): void {
  serveGradients(training.trainingStep, start);
}
