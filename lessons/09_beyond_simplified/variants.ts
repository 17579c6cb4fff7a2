/**
 * The variants of lesson 9, as plain data: each is the `cpu` preset (or any base config) with a
 * few changes (one layer, a freezing schedule, the loss on all targets with a linear or ReLU W_F, learned
 * embeddings at one of two scales). Shared by the runner (`runs.ts`, cached runs), the demo and
 * the site's live demo (`experiment.ts`, small runs); no Deno API here.
 *
 * @example
 * ```ts
 * import { RUNS, runConfig } from "./variants.ts";
 * runConfig(RUNS.find((r) => r.key === "freeze-wK1")!).freeze; // [{ param: "wK1", untilStep: 300 }]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig, ParamName, Params } from "@lib/model/mod.ts";
import {
  type ConfigOverrides,
  presets,
  type TrainConfig,
  withOverrides,
} from "@lib/train/config.ts";
import type { EvalRecord } from "@lib/train/log.ts";
import { fullPreset, type FullTrainConfig } from "@lib/train/full.ts";

/** One variant of the simplified model's training run. */
export interface Variant {
  /** Its key in the cache (`one-layer`, `freeze-wO2`, ...). */
  key: string;
  /** What it is, in a few words. */
  title: string;
  /** The group it is shown in. */
  group: "layers" | "freeze" | "global" | "embeddings";
  /** Changes to the base config. */
  overrides: ConfigOverrides;
  /** One layer: W_O^1 = 0 (frozen), so layer 1 adds nothing and layer 2 reads x directly. */
  oneLayer?: boolean;
  /** Scale the token and positional embeddings to N(0, 1/d) (the authors' `sqrtd_embeddings`). */
  unitEmbeddings?: boolean;
}

const freezeAt = (params: ParamName[]) => ({
  steps: 600,
  freeze: params.map((param) => ({ param, untilStep: 300 })),
});

/** The cached runs (each on the `cpu` preset: d = 128, T = 64, batch 64, SGD lr 0.2). */
export const RUNS: Variant[] = [
  { key: "two-layer", title: "two layers (the cpu preset)", group: "layers", overrides: {} },
  {
    key: "one-layer",
    title: "one layer (W_O^1 = 0)",
    group: "layers",
    overrides: { model: { trainable: ["wK2", "wO2"] } },
    oneLayer: true,
  },
  { key: "freeze-none", title: "nothing frozen", group: "freeze", overrides: freezeAt([]) },
  {
    key: "freeze-wO2",
    title: "W_O^2 frozen until 300",
    group: "freeze",
    overrides: freezeAt(["wO2"]),
  },
  {
    key: "freeze-wK",
    title: "W_K^1 and W_K^2 frozen until 300",
    group: "freeze",
    overrides: freezeAt(["wK1", "wK2"]),
  },
  {
    key: "freeze-wK1",
    title: "W_K^1 frozen until 300",
    group: "freeze",
    overrides: freezeAt(["wK1"]),
  },
  {
    key: "freeze-wK2",
    title: "W_K^2 frozen until 300",
    group: "freeze",
    overrides: freezeAt(["wK2"]),
  },
  {
    key: "global-linear",
    title: "loss on all targets, linear W_F",
    group: "global",
    overrides: { loss: "all", model: { finalFfn: true } },
  },
  {
    key: "global-relu",
    title: "loss on all targets, ReLU W_F",
    group: "global",
    overrides: { loss: "all", model: { finalFfn: "relu" } },
  },
  {
    key: "embed-N1",
    title: "learned w_E, W_U; w_E, p ~ N(0, 1)",
    group: "embeddings",
    overrides: { model: { trainable: ["wK1", "wK2", "wO2", "wE", "wU"] } },
  },
  {
    key: "embed-N1d",
    title: "learned w_E, W_U; w_E, p ~ N(0, 1/d)",
    group: "embeddings",
    overrides: { model: { trainable: ["wK1", "wK2", "wO2", "wE", "wU"] } },
    unitEmbeddings: true,
  },
];

/**
 * The training config of a variant: `base` (default: the `cpu` preset) with its changes.
 *
 * @example
 * ```ts
 * import { RUNS, runConfig } from "./variants.ts";
 * runConfig(RUNS[0]).steps; // 300
 * ```
 */
export function runConfig(variant: Variant, base: TrainConfig = presets.cpu): TrainConfig {
  return withOverrides(base, variant.overrides);
}

/**
 * What a variant changes in freshly initialised parameters: W_O^1 = 0 for one layer, the
 * embeddings scaled by 1/sqrt(d) for `unitEmbeddings`.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, initParams } from "@lib/model/mod.ts";
 * import { RUNS, setUpVariant } from "./variants.ts";
 * const config = { ...defaultModelConfig, dim: 16, maxLen: 8 };
 * const params = initParams(config);
 * setUpVariant(params, config, RUNS[1]); // one layer
 * params.wO1!.abs().sum().dataSync()[0]; // 0
 * ```
 */
export function setUpVariant(params: Params, config: ModelConfig, variant: Variant): void {
  tf.tidy(() => {
    if (variant.oneLayer) params.wO1!.assign(tf.zerosLike(params.wO1!));
    if (variant.unitEmbeddings) {
      const s = 1 / Math.sqrt(config.dim);
      params.wE!.assign(params.wE!.mul(s));
      params.pos!.assign(params.pos!.mul(s));
    }
  });
}

/** The metrics kept per evaluation. */
export const METRICS = [
  "inContextAcc",
  "lossGlobal",
  "lossInContext",
  "wO2",
  "wK2",
  "wK1",
  "wK1Early",
  "wF",
  "prevToken",
  "induction",
] as const;

/** A metric of {@linkcode METRICS}. */
export type Metric = typeof METRICS[number];

/** One finished run as cached: the variant's key and each metric at every evaluation. */
export interface RunResult {
  /** The variant's key. */
  key: string;
  /** The steps of the evaluations. */
  steps: number[];
  /** Each metric at each evaluation (rounded to 4 decimals; absent when not measured). */
  metrics: Partial<Record<Metric, number[]>>;
  /** Where the run comes from when it was not trained by `runs.ts` (lesson 5's log). */
  source?: string;
  /** The full transformer: each head's induction score at each evaluation, `[eval][layer][head]`. */
  heads?: number[][][];
  /**
   * The full transformer: its best induction head's attention `[T, T]` (row-major) on one fresh
   * sequence (seed {@linkcode FULL_MAP_SEED}), with the sequence's tokens and, when known, their
   * labels (lesson 1's: >= 2 marks an in-context target).
   */
  map?: { layer: number; head: number; tokens: number[]; labels?: number[]; weights: number[] };
  /** Wall time of the run, seconds (moves with the machine's load; steps do not). */
  seconds: number;
}

/**
 * A run's records as its cached result.
 *
 * @example
 * ```ts
 * import { RUNS, toResult } from "./variants.ts";
 * toResult(RUNS[0], [], 0).steps; // []
 * ```
 */
export function toResult(variant: Variant, records: EvalRecord[], seconds: number): RunResult {
  const metrics: Partial<Record<Metric, number[]>> = {};
  for (const m of METRICS) {
    if (records.length > 0 && records.every((r) => typeof r[m] === "number")) {
      metrics[m] = records.map((r) => Number((r[m] as number).toFixed(4)));
    }
  }
  return {
    key: variant.key,
    steps: records.map((r) => r.step),
    metrics,
    seconds: Math.round(seconds * 10) / 10,
  };
}

/** The full transformer's cached runs: fixed or random triggers (`fullPreset`, 300 steps). */
export const FULL_RUNS = ["full-fixed", "full-random"];

/** Seed of the fresh sequence on which a full run's induction head's attention is kept. */
export const FULL_MAP_SEED = 7;

/**
 * The config of a full-transformer run: `fullPreset` with fixed triggers (`full-fixed`) or
 * triggers drawn afresh for each sequence (`full-random`).
 *
 * @example
 * ```ts
 * import { fullRunConfig } from "./variants.ts";
 * fullRunConfig("full-random").data.fixedTriggers; // false
 * ```
 */
export function fullRunConfig(key: string): FullTrainConfig {
  if (!FULL_RUNS.includes(key)) throw new Error(`unknown full run "${key}"`);
  return { ...fullPreset, data: { ...fullPreset.data, fixedTriggers: key === "full-fixed" } };
}
