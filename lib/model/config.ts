/**
 * The configuration of the paper's simplified two-layer transformer (Bietti et al. 2023,
 * section 4.2; `ihead_basic_model.py`): one object with defaults, checked before use.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, validateModelConfig } from "@lib/model/config.ts";
 * const small = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * validateModelConfig(small); // throws a readable message when something is off
 * ```
 * @module
 */

/**
 * The model's parameters, named after the paper: token embeddings `wE` ([N, d], row k is
 * w_E(k)), positional embeddings `pos` ([T, d], row t is p_t), the d×d attention matrices of
 * layer 1 (`wK1`, `wV1`, `wO1`) and layer 2 (`wK2`, `wV2`, `wO2`), the optional final linear
 * feed-forward `wF` (d×d) and the unembedding `wU` ([N, d], row k is w_U(k)); with the ReLU
 * final layer instead of `wF`: `wF1` ([4d, d], d -> 4d) and `wF2` ([d, 4d], 4d -> d).
 */
export type ParamName =
  | "wE"
  | "pos"
  | "wK1"
  | "wV1"
  | "wO1"
  | "wK2"
  | "wV2"
  | "wO2"
  | "wF"
  | "wU"
  | "wF1"
  | "wF2";

/**
 * Every {@linkcode ParamName}, in a fixed order (the order of their seeded draws; the ReLU
 * layer's two come last, so that adding them left every earlier draw as it was).
 */
export const PARAM_NAMES: readonly ParamName[] = [
  "wE",
  "pos",
  "wK1",
  "wV1",
  "wO1",
  "wK2",
  "wV2",
  "wO2",
  "wF",
  "wU",
  "wF1",
  "wF2",
];

/** One configuration of the model. */
export interface ModelConfig {
  /** d: the width of the residual stream. */
  dim: number;
  /** T: the number of positional embeddings, the longest sequence the model reads. */
  maxLen: number;
  /** N: the vocabulary size (65 for tiny Shakespeare). */
  vocabSize: number;
  /**
   * The final feed-forward layer h3 = h2 + F(h2): `false` none, `true` the linear F(h) = W_F h
   * (parameter `wF`; the authors' default `linear_final_ffn=True`), `"relu"` the authors'
   * `FeedForward` F(h) = W_F2 relu(W_F1 h), hidden width 4d, no biases (`wF1`, `wF2`;
   * `linear_final_ffn=False`).
   */
  finalFfn: boolean | "relu";
  /** The parameters that training updates (paper default: `wK1`, `wK2`, `wO2`, plus `wF`). */
  trainable: ParamName[];
  /** Seed of the parameter initialisation. */
  seed: number;
}

/**
 * The paper's README experiment (Figure 3): d = 256, T = 256, N = 65, no W_F, and only the three
 * memories W_K^1, W_K^2, W_O^2 trained.
 */
export const defaultModelConfig: ModelConfig = {
  dim: 256,
  maxLen: 256,
  vocabSize: 65,
  finalFfn: false,
  trainable: ["wK1", "wK2", "wO2"],
  seed: 0,
};

/**
 * The parameters of the final feed-forward layer of a configuration: none, `["wF"]` (linear) or
 * `["wF1", "wF2"]` (ReLU).
 *
 * @example
 * ```ts
 * import { defaultModelConfig, finalFfnParams } from "@lib/model/config.ts";
 * finalFfnParams({ ...defaultModelConfig, finalFfn: "relu" }); // ["wF1", "wF2"]
 * ```
 */
export function finalFfnParams(config: Pick<ModelConfig, "finalFfn">): ParamName[] {
  if (config.finalFfn === "relu") return ["wF1", "wF2"];
  return config.finalFfn ? ["wF"] : [];
}

/** Every parameter of the final feed-forward layers, whichever kind. */
const FFN_PARAMS: readonly ParamName[] = ["wF", "wF1", "wF2"];

/**
 * Whether a model of this configuration has the parameter (the final layer's exist only with
 * its kind of `finalFfn`).
 *
 * @example
 * ```ts
 * import { defaultModelConfig, hasParam } from "@lib/model/config.ts";
 * hasParam("wF", defaultModelConfig); // false
 * hasParam("wK1", defaultModelConfig); // true
 * ```
 */
export function hasParam(name: ParamName, config: Pick<ModelConfig, "finalFfn">): boolean {
  return !FFN_PARAMS.includes(name) || finalFfnParams(config).includes(name);
}

/**
 * Checks a configuration and throws an error that says what is wrong and how to fix it.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, validateModelConfig } from "@lib/model/config.ts";
 * validateModelConfig(defaultModelConfig); // ok
 * ```
 */
export function validateModelConfig(config: ModelConfig): void {
  const positive = (name: keyof ModelConfig) => {
    const v = config[name];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
      throw new Error(`ModelConfig.${name} must be a positive integer, got ${String(v)}`);
    }
  };
  positive("dim");
  positive("maxLen");
  positive("vocabSize");
  if (!Number.isInteger(config.seed)) {
    throw new Error(`ModelConfig.seed must be an integer, got ${String(config.seed)}`);
  }
  if (![false, true, "relu"].includes(config.finalFfn)) {
    throw new Error(
      `ModelConfig.finalFfn must be false, true (linear W_F) or "relu", got ${
        JSON.stringify(config.finalFfn)
      }`,
    );
  }
  if (!Array.isArray(config.trainable)) {
    throw new Error('ModelConfig.trainable must be a list of parameter names, e.g. ["wK1"]');
  }
  for (const name of config.trainable) {
    if (!PARAM_NAMES.includes(name)) {
      throw new Error(
        `ModelConfig.trainable: unknown parameter "${name}". Choose from ${
          PARAM_NAMES.join(", ")
        }.`,
      );
    }
    if (!hasParam(name, config)) {
      throw new Error(
        `ModelConfig.trainable lists "${name}" but finalFfn is ${
          JSON.stringify(config.finalFfn)
        } (the model has no ${name}; ${
          name === "wF" ? "finalFfn: true adds W_F" : 'finalFfn: "relu" adds W_F1 and W_F2'
        }).`,
      );
    }
  }
}
