/**
 * Lesson 7's experiment, settings in, plain data out: the three top-down steps in the ideal
 * model, the same steps in the reverse order, and the same steps with the course's random
 * embeddings ({@linkcode runTopDown}), and a model stepped one matrix at a time
 * ({@linkcode TopDownSession}). The terminal demo (`demo.ts`) passes the exercises of
 * `@exercises/07_top_down/exercises.ts` (your code, or the reference with `--solutions`); the
 * site's live demo passes the reference.
 *
 * @example
 * ```ts
 * import * as ex from "@exercises/07_top_down/exercises.ts";
 * import { defaultTopDownSettings, runTopDown } from "./experiment.ts";
 * const result = runTopDown(ex, { ...defaultTopDownSettings, sequences: 32, heldOut: 32 });
 * result.ideal.map((r) => r.probes.wO2); // the copy probe before and after each step
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type * as Exercises from "@exercises/07_top_down/exercises.ts";
import type { SequenceData, StepRecord } from "@exercises/07_top_down/exercises.ts";
import {
  defaultModelConfig,
  disposeParams,
  initParams,
  type ModelConfig,
  type ParamName,
  type Params,
} from "@lib/model/mod.ts";
import { defaultDataConfig, loadStats, topTriggers } from "@exercises/01_bigram_data/exercises.ts";
import { correlation } from "@lib/model/metrics.ts";

/** The settings of the experiment. */
export interface TopDownSettings {
  /** T, the sequence length (and the ideal model's number of positions). */
  seqLen: number;
  /** K, the number of fixed triggers (the K most frequent tokens). */
  k: number;
  /** Sequences per population gradient. */
  sequences: number;
  /** Held-out sequences (step sizes chosen on them, metrics measured on them). */
  heldOut: number;
  /** Sequences per chunk. */
  chunkSize: number;
  /** The step sizes tried (‖step‖_F), ascending, starting with 0. */
  grid: number[];
  /** Seed of the training sequences (the held-out ones use seed + 1). */
  seed: number;
  /** d of the random-embedding model. */
  randomDim: number;
}

/** The lesson's settings: T = 32, K = 5 fixed triggers, 256 sequences per gradient. */
export const defaultTopDownSettings: TopDownSettings = {
  seqLen: 32,
  k: 5,
  sequences: 256,
  heldOut: 128,
  chunkSize: 64,
  grid: [0, ...Array.from({ length: 15 }, (_, i) => Number((10 ** ((i - 4) / 2)).toPrecision(3)))],
  seed: 1,
  randomDim: 256,
};

/** What the experiment measures. */
export interface TopDownResult {
  /** The settings it ran with. */
  settings: TopDownSettings;
  /** d of the ideal model (4N + T). */
  idealDim: number;
  /** Ideal model, order W_O^2, W_K^2, W_K^1: the start, then each step. */
  ideal: StepRecord[];
  /** Ideal model, reverse order W_K^1, W_K^2, W_O^2. */
  reverse: StepRecord[];
  /** Whether W_K^1 and W_K^2 are exactly 0 after the reverse order. */
  reverseKeysZero: boolean;
  /** The course's random embeddings at d = `randomDim`, order W_O^2, W_K^2, W_K^1. */
  random: StepRecord[];
  /** The largest |closed form - autodiff| over the copy block (ideal model, zero init). */
  copyMaxDiff: number;
  /** The copy gradient's diagonal mean and off-diagonal mean (closed form). */
  copyDiagonal: { diagonal: number; offDiagonal: number };
  /** Correlation of the random model's copy read-out with the closed form. */
  randomReadoutCorrelation: number;
  /** Wall time, seconds. */
  seconds: number;
}

/** The exercises the experiment runs: lesson 7's module (yours or the reference). */
export type Lesson7 = typeof Exercises;

/** The top-down order. */
export const ORDER: ParamName[] = ["wO2", "wK2", "wK1"];

/** The fixed triggers and the two sets of sequences of a setting. */
function sample(ex: Lesson7, settings: TopDownSettings) {
  const stats = loadStats();
  const dataConfig = { ...defaultDataConfig, seqLen: settings.seqLen, k: settings.k };
  return {
    n: stats.unigram.length,
    triggers: topTriggers(stats.unigram, settings.k),
    train: ex.sampleData(settings.seed, stats, dataConfig, settings.sequences),
    heldOut: ex.sampleData(settings.seed + 1, stats, dataConfig, settings.heldOut),
  };
}

/** The ideal model, or the course's random one at d = `randomDim` with zero memories. */
function startModel(
  ex: Lesson7,
  settings: TopDownSettings,
  n: number,
  kind: "ideal" | "random",
): { config: ModelConfig; params: Params } {
  if (kind === "ideal") return ex.idealModel(n, settings.seqLen);
  const config: ModelConfig = {
    ...defaultModelConfig,
    dim: settings.randomDim,
    maxLen: settings.seqLen,
    vocabSize: n,
  };
  return { config, params: ex.zeroMemories(initParams(config)) };
}

/**
 * One model stepped one matrix at a time, for the live demo: `step("wO2")` takes the chosen
 * population-gradient step on W_O^2 and returns the model's record after it.
 *
 * @example
 * ```ts
 * import * as ex from "@exercises/07_top_down/exercises.ts";
 * import { defaultTopDownSettings, TopDownSession } from "./experiment.ts";
 * const s = new TopDownSession(ex, { ...defaultTopDownSettings, sequences: 16, heldOut: 16 }, "ideal");
 * s.step("wO2").probes.wO2; // well above chance
 * s.dispose();
 * ```
 */
export class TopDownSession {
  /** The start, then one record per step taken. */
  readonly records: StepRecord[];
  /** d of the model. */
  readonly dim: number;
  #ex: Lesson7;
  #settings: TopDownSettings;
  #model: { config: ModelConfig; params: Params };
  #data: { triggers: number[]; train: SequenceData; heldOut: SequenceData };

  /** Samples the sequences and builds the model (`ideal` or `random`) at zero memories. */
  constructor(ex: Lesson7, settings: TopDownSettings, kind: "ideal" | "random") {
    this.#ex = ex;
    this.#settings = settings;
    const { n, ...data } = sample(ex, settings);
    this.#data = data;
    this.#model = startModel(ex, settings, n, kind);
    this.dim = this.#model.config.dim;
    this.records = ex.topDownSteps(this.#model.params, this.#model.config, [], this.#options());
  }

  #options() {
    const { grid, chunkSize } = this.#settings;
    return { ...this.#data, grid, chunkSize };
  }

  /** Takes one chosen step on `name`; returns the record after it. */
  step(name: ParamName): StepRecord {
    const { params, config } = this.#model;
    const after = this.#ex.topDownSteps(params, config, [name], this.#options())[1];
    this.records.push(after);
    return after;
  }

  /** Frees the model's tensors. */
  dispose(): void {
    disposeParams(this.#model.params);
  }
}

/**
 * Runs the experiment; `onStage` is told what runs next (for a progress line).
 *
 * @example
 * ```ts
 * import * as ex from "@exercises/07_top_down/exercises.ts";
 * import { defaultTopDownSettings, runTopDown } from "./experiment.ts";
 * const r = runTopDown(ex, { ...defaultTopDownSettings, sequences: 16, heldOut: 16, seqLen: 8 });
 * r.reverseKeysZero; // true
 * ```
 */
export function runTopDown(
  ex: Lesson7,
  settings: TopDownSettings,
  onStage: (what: string, done: number, total: number) => void = () => {},
): TopDownResult {
  const started = performance.now();
  onStage("sampling the sequences", 0, 5);
  const { n, triggers, train, heldOut } = sample(ex, settings);
  const options = { train, heldOut, grid: settings.grid, chunkSize: settings.chunkSize, triggers };
  const run = (kind: "ideal" | "random", order: ParamName[], after?: (p: Params) => void) => {
    const { config, params } = startModel(ex, settings, n, kind);
    try {
      const records = ex.topDownSteps(params, config, order, options);
      after?.(params);
      return records;
    } finally {
      disposeParams(params);
    }
  };

  // The copy gradient: closed form against autodiff, at zero init of the ideal model.
  onStage("the copy gradient, closed form and autodiff", 1, 5);
  const layout = ex.idealLayout(n, settings.seqLen);
  const closed = ex.copyGradient(train, n);
  let copyMaxDiff = 0;
  {
    const { config, params } = ex.idealModel(n, settings.seqLen);
    const { grad } = ex.populationGradient(params, config, train, "wO2", settings.chunkSize);
    const block = ex.familyBlock(grad, layout, "v2E", "wU");
    closed.forEach((row, j) =>
      row.forEach((g, k) => copyMaxDiff = Math.max(copyMaxDiff, Math.abs(g + block[j][k])))
    );
    grad.dispose();
    disposeParams(params);
  }
  let diagonal = 0;
  let offDiagonal = 0;
  closed.forEach((row, j) => row.forEach((g, k) => j === k ? diagonal += g : offDiagonal += g));

  onStage("ideal model: W_O^2, then W_K^2, then W_K^1", 2, 5);
  const ideal = run("ideal", ORDER);

  onStage("ideal model, reverse order: W_K^1, W_K^2, W_O^2", 3, 5);
  let reverseKeysZero = false;
  const reverse = run("ideal", [...ORDER].reverse(), (params) => {
    reverseKeysZero = tf.tidy(() =>
      params.wK1!.abs().max().dataSync()[0] === 0 && params.wK2!.abs().max().dataSync()[0] === 0
    );
  });

  onStage(`random embeddings, d = ${settings.randomDim}`, 4, 5);
  let randomReadoutCorrelation = NaN;
  {
    const { config, params } = startModel(ex, settings, n, "random");
    const { grad } = ex.populationGradient(params, config, train, "wO2", settings.chunkSize);
    const readout = ex.copyReadout(params, grad);
    randomReadoutCorrelation = correlation(Array.from(readout.dataSync()), closed.flat());
    tf.dispose([grad, readout]);
    disposeParams(params);
  }
  const random = run("random", ORDER);
  onStage("done", 5, 5);
  return {
    settings,
    idealDim: layout.dim,
    ideal,
    reverse,
    reverseKeysZero,
    random,
    copyMaxDiff,
    copyDiagonal: { diagonal: diagonal / n, offDiagonal: offDiagonal / (n * n - n) },
    randomReadoutCorrelation,
    seconds: (performance.now() - started) / 1000,
  };
}
