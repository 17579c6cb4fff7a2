/**
 * The authors' "full" transformer (`ihead_full_model.py`, spec §2.3): L layers of H heads each,
 * pre-norm LayerNorm, a ReLU MLP (d -> 4d -> d) beside the attention, learned token and position
 * embeddings, a final LayerNorm and an untied unembedding, everything trainable. As in the
 * authors' pre-norm block, attention and MLP both read the block's input and run in parallel:
 * ```
 * x <- x + W_O merge(softmax(q k^T / sqrt(d_h) + mask) v),  q, k, v = split(LN1(x) W^T)
 *        + MLP(LN2(x))
 * logits = W_U LN_f(x)
 * ```
 * The pieces a lesson teaches (layer norm, the split into heads and back, the MLP: lesson 9)
 * come in as {@linkcode FullModelParts}; this module wires them and is differentiated by tfjs's
 * autodiff (no hand-written backward pass: it is for small runs).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type FullModelParts, fullForward, initFullParams, smallFullConfig } from "@lib/model/full.ts";
 * declare const parts: FullModelParts; // lesson 9's functions, passed in by the tool
 * const params = initFullParams(smallFullConfig);
 * const { logits } = fullForward(params, smallFullConfig, tf.zeros([1, 8], "int32"), parts);
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { Rng } from "@lib/rng/mod.ts";

/** The full model's shape. */
export interface FullConfig {
  /** d, the width of the residual stream. */
  dim: number;
  /** H, heads per layer (d must be divisible by H). */
  heads: number;
  /** L, the number of layers. */
  layers: number;
  /** T, the number of learned positions. */
  maxLen: number;
  /** N, the vocabulary size. */
  vocabSize: number;
  /** Seed of the initialisation. */
  seed: number;
}

/** The authors' defaults, sized for a CPU: 2 layers x 4 heads, d = 64, T = 64. */
export const smallFullConfig: FullConfig = {
  dim: 64,
  heads: 4,
  layers: 2,
  maxLen: 64,
  vocabSize: 65,
  seed: 0,
};

/** The taught pieces the full model is built from (lesson 9's exercises). */
export interface FullModelParts {
  /** LayerNorm over the last axis: (x - mean) / sqrt(var + eps) * gain + bias. */
  layerNorm<T extends tf.Tensor>(x: T, gain: tf.Tensor1D, bias: tf.Tensor1D, eps?: number): T;
  /** `[batch, seq, d]` to `[batch, heads, seq, d / heads]`. */
  splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor4D;
  /** `[batch, heads, seq, dh]` to `[batch, seq, heads * dh]`. */
  mergeHeads(x: tf.Tensor4D): tf.Tensor3D;
  /** W_2 relu(W_1 h) on rows `[rows, d]` (no residual). */
  mlp(h: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D): tf.Tensor2D;
}

/** The full model's variables by name: `wE`, `pos`, `wU`, `lnF.g`, `lnF.b`, and per layer l
 * `l{l}.wQ`, `.wK`, `.wV`, `.wO` (d×d), `.w1` (4d×d), `.w2` (d×4d), `.ln1.g`, `.ln1.b`,
 * `.ln2.g`, `.ln2.b`. Matrices are in the math convention (`W[out][in]`). */
export type FullParams = Record<string, tf.Variable>;

/**
 * Seeded initialisation as PyTorch's defaults: embeddings N(0, 1), linear maps
 * U(-1/sqrt(in), 1/sqrt(in)), LayerNorm gain 1 and bias 0. Every variable is trainable.
 *
 * @example
 * ```ts
 * import { initFullParams, smallFullConfig } from "@lib/model/full.ts";
 * const p = initFullParams(smallFullConfig);
 * p["l0.wQ"].shape; // [64, 64]
 * ```
 */
export function initFullParams(config: FullConfig): FullParams {
  const { dim: d, heads, layers, maxLen, vocabSize: n } = config;
  if (d % heads !== 0) throw new Error(`FullConfig: dim ${d} is not divisible by ${heads} heads`);
  const rng = new Rng(config.seed);
  let fork = 0;
  const params: FullParams = {};
  const normal = (name: string, shape: [number, number]) => {
    const draw = rng.fork(++fork);
    params[name] = tf.tidy(() =>
      tf.variable(tf.tensor2d(draw.normals(shape[0] * shape[1]), shape))
    );
  };
  const linear = (name: string, shape: [number, number]) => {
    const draw = rng.fork(++fork);
    const values = draw.uniforms(shape[0] * shape[1], 1 / Math.sqrt(shape[1]));
    params[name] = tf.tidy(() => tf.variable(tf.tensor2d(values, shape)));
  };
  const norm = (name: string) => {
    params[`${name}.g`] = tf.tidy(() => tf.variable(tf.ones([d])));
    params[`${name}.b`] = tf.tidy(() => tf.variable(tf.zeros([d])));
  };
  normal("wE", [n, d]);
  normal("pos", [maxLen, d]);
  for (let l = 0; l < layers; l++) {
    for (const w of ["wQ", "wK", "wV", "wO"]) linear(`l${l}.${w}`, [d, d]);
    linear(`l${l}.w1`, [4 * d, d]);
    linear(`l${l}.w2`, [d, 4 * d]);
    norm(`l${l}.ln1`);
    norm(`l${l}.ln2`);
  }
  norm("lnF");
  linear("wU", [n, d]);
  return params;
}

/** What {@linkcode fullForward} returns. */
export interface FullOutput {
  /** `[batch, seq, N]`. */
  logits: tf.Tensor3D;
  /** Each layer's attention weights `[batch, heads, seq, seq]` (only when asked). */
  attention?: tf.Tensor4D[];
}

/**
 * The forward pass of the full model (differentiable by autodiff).
 *
 * @param inputs Token ids, int32 `[batch, seq]`, seq <= maxLen.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type FullModelParts, fullForward, initFullParams, smallFullConfig } from "@lib/model/full.ts";
 * declare const parts: FullModelParts; // lesson 9's functions, passed in by the tool
 * const out = fullForward(initFullParams(smallFullConfig), smallFullConfig,
 *   tf.zeros([2, 8], "int32"), parts, { attention: true });
 * out.attention!.length; // 2 layers, each [2, 4, 8, 8]
 * ```
 */
export function fullForward(
  params: FullParams,
  config: FullConfig,
  inputs: tf.Tensor2D,
  parts: FullModelParts,
  options: { attention?: boolean } = {},
): FullOutput {
  const [batch, seq] = inputs.shape;
  const { dim: d, heads, vocabSize: n } = config;
  if (seq > config.maxLen) {
    throw new Error(`fullForward: ${seq} positions, the model has ${config.maxLen}`);
  }
  const p = (name: string) => {
    const v = params[name];
    if (!v) throw new Error(`fullForward: no parameter "${name}"`);
    return v as tf.Tensor2D;
  };
  const g = (name: string) => params[name] as unknown as tf.Tensor1D;
  const maps: tf.Tensor4D[] = [];
  const logits = tf.tidy(() => {
    const rows = (x: tf.Tensor2D, w: tf.Tensor2D) => tf.matMul(x, w, false, true); // x W^T
    const oneHot = tf.oneHot(inputs.reshape([-1]), n).toFloat() as tf.Tensor2D;
    let x = tf.matMul(oneHot, p("wE")).add(
      p("pos").slice([0, 0], [seq, d]).tile([batch, 1]),
    ) as tf.Tensor2D; // [batch*seq, d]
    const mask = tf.sub(1, tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0)).mul(-1e9);
    for (let l = 0; l < config.layers; l++) {
      const a = parts.layerNorm(x, g(`l${l}.ln1.g`), g(`l${l}.ln1.b`));
      const split = (w: string) =>
        parts.splitHeads(rows(a, p(`l${l}.${w}`)).reshape([batch, seq, d]), heads);
      const [q, k, v] = [split("wQ"), split("wK"), split("wV")]; // [batch, H, seq, dh]
      const scores = tf.matMul(q, k, false, true).div(Math.sqrt(d / heads)).add(mask);
      const beta = tf.softmax(scores) as tf.Tensor4D; // [batch, H, t, s]
      if (options.attention) maps.push(tf.keep(beta));
      const o = parts.mergeHeads(tf.matMul(beta, v) as tf.Tensor4D).reshape([-1, d]) as tf.Tensor2D;
      const m = parts.mlp(
        parts.layerNorm(x, g(`l${l}.ln2.g`), g(`l${l}.ln2.b`)),
        p(`l${l}.w1`),
        p(`l${l}.w2`),
      );
      x = x.add(rows(o, p(`l${l}.wO`))).add(m) as tf.Tensor2D;
    }
    const final = parts.layerNorm(x, g("lnF.g"), g("lnF.b"));
    return rows(final, p("wU")).reshape([batch, seq, n]) as tf.Tensor3D;
  });
  if (!options.attention) return { logits };
  // The maps were kept out of the tidy scope; hand back tracked clones instead.
  const attention = maps.map((t) => t.clone());
  tf.dispose(maps);
  return { logits, attention };
}

/**
 * Frees the full model's variables.
 *
 * @example
 * ```ts
 * import { disposeFullParams, initFullParams, smallFullConfig } from "@lib/model/full.ts";
 * disposeFullParams(initFullParams(smallFullConfig));
 * ```
 */
export function disposeFullParams(params: FullParams): void {
  tf.dispose(Object.values(params));
}
