/**
 * Seeded initialisation of the model's parameters, as in the paper's code: token and positional
 * embeddings with N(0, 1) entries (norm about sqrt(d)), every other matrix uniform in
 * (-1/sqrt(fan_in), 1/sqrt(fan_in)) (PyTorch's `nn.Linear` default): 1/sqrt(d) for the d×d
 * matrices, the unembedding and the ReLU layer's W_F1, 1/sqrt(4d) for its W_F2. Parameters are stored in
 * the math convention: `wK1` is the d×d matrix W_K^1 with score x_t · (W_K^1 x_s) / sqrt(d).
 *
 * @example
 * ```ts
 * import { defaultModelConfig } from "@lib/model/config.ts";
 * import { disposeParams, initParams } from "@lib/model/params.ts";
 * const params = initParams({ ...defaultModelConfig, dim: 64, maxLen: 64 });
 * params.wK1!.shape; // [64, 64]
 * disposeParams(params);
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "@lib/rng/mod.ts";
import {
  hasParam,
  type ModelConfig,
  PARAM_NAMES,
  type ParamName,
  validateModelConfig,
} from "./config.ts";

/**
 * The model's parameters as tfjs variables; `wF` exists only when `finalFfn` is true, `wF1` and
 * `wF2` only when it is `"relu"`.
 */
export type Params = { [K in ParamName]?: tf.Variable<tf.Rank.R2> };

/**
 * The shape of one parameter: `wE`, `wU` are [N, d], `pos` is [T, d], `wF1` [4d, d], `wF2`
 * [d, 4d], the rest d×d (math convention: [out, in]).
 *
 * @example
 * ```ts
 * import { defaultModelConfig } from "@lib/model/config.ts";
 * import { paramShape } from "@lib/model/params.ts";
 * paramShape("pos", defaultModelConfig); // [256, 256]
 * ```
 */
export function paramShape(name: ParamName, config: ModelConfig): [number, number] {
  const { dim: d, maxLen: t, vocabSize: n } = config;
  if (name === "wE" || name === "wU") return [n, d];
  if (name === "pos") return [t, d];
  if (name === "wF1") return [4 * d, d];
  if (name === "wF2") return [d, 4 * d];
  return [d, d];
}

/**
 * Draws every parameter from `config.seed` (each from its own fork of the generator, so adding
 * W_F does not change the others) and marks those in `config.trainable` as trainable.
 *
 * @example
 * ```ts
 * import { defaultModelConfig } from "@lib/model/config.ts";
 * import { initParams } from "@lib/model/params.ts";
 * const p = initParams(defaultModelConfig);
 * p.wK1!.trainable; // true
 * p.wV1!.trainable; // false
 * ```
 */
export function initParams(config: ModelConfig): Params {
  validateModelConfig(config);
  const rng = new Rng(config.seed);
  const params: Params = {};
  PARAM_NAMES.forEach((name, i) => {
    if (!hasParam(name, config)) return;
    const shape = paramShape(name, config);
    const count = shape[0] * shape[1];
    const draw = rng.fork(i + 1);
    const values = name === "wE" || name === "pos"
      ? draw.normals(count) // N(0, 1), as nn.Embedding and torch.randn
      : draw.uniforms(count, 1 / Math.sqrt(shape[1])); // U(±1/sqrt fan_in), as nn.Linear
    // tidy frees the initial tensor (a variable keeps its own reference to the data)
    params[name] = tf.tidy(() =>
      tf.variable(tf.tensor2d(values, shape), config.trainable.includes(name))
    );
  });
  return params;
}

/**
 * Frees every parameter's memory.
 *
 * @example
 * ```ts
 * import { defaultModelConfig } from "@lib/model/config.ts";
 * import { disposeParams, initParams } from "@lib/model/params.ts";
 * disposeParams(initParams(defaultModelConfig));
 * ```
 */
export function disposeParams(params: Params): void {
  for (const v of Object.values(params)) v?.dispose();
}

/**
 * A parameter, or a clear error when the model has no such parameter.
 *
 * @example
 * ```ts
 * import { defaultModelConfig } from "@lib/model/config.ts";
 * import { initParams, need } from "@lib/model/params.ts";
 * need(initParams(defaultModelConfig), "wK2").shape; // [256, 256]
 * ```
 */
export function need(params: Params, name: ParamName): tf.Variable<tf.Rank.R2> {
  const v = params[name];
  if (!v) {
    throw new Error(
      `the model has no parameter "${name}"` +
        (name === "wF" ? " (set finalFfn: true in the ModelConfig to add W_F)" : "") +
        (name === "wF1" || name === "wF2"
          ? ' (set finalFfn: "relu" in the ModelConfig to add the ReLU layer)'
          : ""),
    );
  }
  if (v.isDisposed) throw new Error(`parameter "${name}" was already disposed`);
  return v;
}
