/**
 * Seeded initialisation of the model's parameters, as in the paper's code: token and positional
 * embeddings with N(0, 1) entries (norm about sqrt(d)), every d×d matrix and the unembedding
 * uniform in (-1/sqrt(d), 1/sqrt(d)) (PyTorch's `nn.Linear` default). Parameters are stored in
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
import { type ModelConfig, PARAM_NAMES, type ParamName, validateModelConfig } from "./config.ts";

/** The model's parameters as tfjs variables; `wF` exists only when `finalFfn` is set. */
export type Params = { [K in ParamName]?: tf.Variable<tf.Rank.R2> };

/**
 * The shape of one parameter: `wE`, `wU` are [N, d], `pos` is [T, d], the rest d×d.
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
  const limit = 1 / Math.sqrt(config.dim);
  const params: Params = {};
  PARAM_NAMES.forEach((name, i) => {
    if (name === "wF" && !config.finalFfn) return;
    const shape = paramShape(name, config);
    const count = shape[0] * shape[1];
    const draw = rng.fork(i + 1);
    const values = name === "wE" || name === "pos"
      ? draw.normals(count) // N(0, 1), as nn.Embedding and torch.randn
      : draw.uniforms(count, limit); // U(-1/sqrt d, 1/sqrt d), as nn.Linear
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
        (name === "wF" ? " (set finalFfn: true in the ModelConfig to add W_F)" : ""),
    );
  }
  if (v.isDisposed) throw new Error(`parameter "${name}" was already disposed`);
  return v;
}
