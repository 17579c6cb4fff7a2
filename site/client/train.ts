/**
 * Lessons 5 and 6's demo engine, loaded when the demo starts: the course's `Trainer`
 * (`lib/train/trainer.ts`) with lessons 1 and 5 taken through `@exercises/` (the site bundles
 * them from `solutions/`: the reference code) run step by step in the page on the
 * chosen TensorFlow.js backend, with the metrics and probes of every evaluation, the step time,
 * and both layers' attention on a fixed display sequence.
 *
 * @example
 * ```ts
 * const { LiveTraining } = await import("./train.ts");
 * const live = await LiveTraining.create("tiny", "wasm");
 * const ms = await live.run(5); // milliseconds per step
 * const view = await live.evaluate(); // metrics, probes and attention maps
 * live.dispose();
 * ```
 * @module
 */
import { forward } from "@lib/model/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import { presets, type TrainConfig } from "@lib/train/config.ts";
import { type EvalRecord, Trainer } from "@lib/train/trainer.ts";
import * as data from "@exercises/01_bigram_data/exercises.ts";
import * as training from "@exercises/05_training/exercises.ts";
import { trainerParts } from "@lib/train/parts.ts";
import { type BackendChoice, type BackendInfo, startBackend, tf } from "./tf.ts";

/** The presets offered in the page. */
export type PresetChoice = "tiny" | "cpu";

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
 * A training run in the page.
 *
 * @example
 * ```ts
 * import { LiveTraining } from "./train.ts";
 * const live = await LiveTraining.create("tiny", "auto");
 * const ms = await live.run(5); // milliseconds per step
 * ```
 */
export class LiveTraining {
  /** The trainer. */
  readonly trainer: Trainer;
  /** The backend it runs on. */
  readonly backend: BackendInfo;
  /** The 65 characters. */
  readonly vocab: string;
  #display: { inputs: tf.Tensor2D; tokens: number[]; targets: number[]; labels: number[] };

  private constructor(config: TrainConfig, backend: BackendInfo) {
    this.backend = backend;
    this.trainer = new Trainer(config, trainerParts(data, training));
    const stats = data.loadStats();
    this.vocab = stats.vocab;
    const batch = data.makeBatch(new Rng(DISPLAY_SEED), stats, config.data, 1);
    this.#display = {
      inputs: batch.inputs,
      tokens: Array.from(batch.inputs.dataSync()),
      targets: Array.from(batch.targets.dataSync()),
      labels: Array.from(batch.labels.dataSync()),
    };
    tf.dispose([batch.targets, batch.labels, batch.inContextMask]);
  }

  /**
   * Starts the backend and a fresh model for a preset.
   *
   * @example
   * ```ts
   * import { LiveTraining } from "./train.ts";
   * const live = await LiveTraining.create("cpu", "auto");
   * ```
   */
  static async create(preset: PresetChoice, backend: BackendChoice): Promise<LiveTraining> {
    const info = await startBackend(backend);
    return new LiveTraining(structuredClone(presets[preset]), info);
  }

  /** The run's configuration. */
  get config(): TrainConfig {
    return this.trainer.config;
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

  /** Frees the model, its optimizer and the display sequence. */
  dispose(): void {
    this.trainer.dispose();
    this.#display.inputs.dispose();
  }
}
