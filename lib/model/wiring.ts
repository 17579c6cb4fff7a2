/**
 * The induction head written down by hand as three associative memories (paper_spec §2.2,
 * the paper's Figure 1), with no training:
 *
 * - W_K^1 = a Σ_t p_t p_{t-1}^T: position t's query matches position t-1's key (previous token);
 * - W_K^2 = b Σ_k w_E(k) w_1(k)^T with w_1(k) = W_O^1 W_V^1 w_E(k): a query token k matches a key
 *   whose residual stream holds the copy of k that layer 1 wrote there (k came just before);
 * - W_O^2 = c Σ_k w_U(k) (W_V^2 w_E(k))^T: the attended token's value is mapped to its own
 *   unembedding, so the attended token is predicted.
 *
 * The literal W_K^2 is cross-talk limited at d = 256 (in-context accuracy 0.93 to 0.96 at
 * T = 256, 0.84 to 0.97 at T = 64; 5 seeds, 32 sequences each [MEAS]): a key's residual stream
 * h^1_s = w_E(z_s) + p_s + w_1(z_{s-1}) + W_O^1 W_V^1 p_{s-1} holds w_E(z_s) and p_s with about 3
 * times the norm of the stored w_1, so the read-out w_1(k)^T h^1_s has a noise of 0.28 to 0.39 of
 * its signal on every key. And key 0 is a false match: layer 1 can only attend to itself there,
 * so h^1_0 holds a copy of z_0 itself. The option `keys: "whitened"` keeps the memory a sum of
 * outer products, W_K^2 = b Σ_k w_E(k) r_k^T, with a better read-out vector: the matched filter
 * with noise whitening (as in linear discriminant analysis) r_k = (C + λI)^-1 w_1(k), C the second
 * moment of the key's residual stream ({@linkcode keySecondMoment}), minus a term that cancels
 * the false copy at position 0. It reaches 0.998 to 1.000 at d = 256, T = 256 and 1.000 at
 * d = 256, T = 64 (same seeds and batches), and at least 0.993 down to d = 160, T = 64.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, handWire, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 128, maxLen: 128 };
 * const params = initParams(config);
 * handWire(params, config); // now an induction head, before any training
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { ModelConfig } from "./config.ts";
import { inverseSpd } from "./linalg.ts";
import { need, type Params } from "./params.ts";

/** The multipliers a, b, c of the three memories. */
export interface WiringScales {
  /** a, in front of Σ_t p_t p_{t-1}^T. */
  wK1: number;
  /** b, in front of Σ_k w_E(k) (W_O1 W_V1 w_E(k))^T. */
  wK2: number;
  /** c, in front of Σ_k w_U(k) (W_V2 w_E(k))^T. */
  wO2: number;
}

/**
 * The target size of each memory's signal: the attention score (after the 1/sqrt(d)) of the
 * right key in layers 1 and 2, and the logit of the copied token. About 10 nats above the
 * O(1) noise makes a softmax nearly one-hot (e^-10 ≈ 5e-5) while staying far from overflow.
 */
export const WIRING_GAINS: WiringScales = { wK1: 10, wK2: 10, wO2: 15 };

/** How W_K^2 reads a key's residual stream: see {@linkcode HandWireOptions.keys}. */
export type KeyReadout = "outer" | "whitened";

/**
 * The default ridge of the whitened read-out, relative to the mean eigenvalue of C: λ = 0.1 ·
 * tr(C) / d. Measured at d = 256 (T = 64 and 256): 0.01 to 0.1 work equally well (≥ 0.997),
 * 0.3 starts to cost accuracy at d = 192.
 */
export const KEY_RIDGE = 0.1;

/** Options of {@linkcode handWire}. */
export interface HandWireOptions {
  /** The tokens W_K^2 stores (default: all N tokens, which also works for random triggers). */
  triggers?: number[];
  /** a, b, c (default {@linkcode defaultWiringScales}). */
  scales?: WiringScales;
  /**
   * The read-out vector r_k of W_K^2 = b Σ_k w_E(k) r_k^T. `"outer"` (default): the paper's
   * r_k = w_1(k). `"whitened"`: r_k = (C + λI)^-1 w_1(k) - ρ_0, with C =
   * {@linkcode keySecondMoment} and ρ_0 = the whitened read-out of position 0's key, scaled to
   * answer as much as a stored copy (at s = 0 layer 1 can only attend to itself, so h^1_0 holds a
   * copy of z_0 itself, which the plain memory mistakes for "z_0 came just before").
   */
  keys?: KeyReadout;
  /** λ of the whitened read-out, relative to tr(C) / d (default {@linkcode KEY_RIDGE}). */
  ridge?: number;
}

/**
 * The second moment C = E[h h^T] of the key side of layer 2, `[d, d]`, for the residual stream
 * that a sharp previous-token layer 1 leaves at a key position s:
 * h^1_s = w_E(z_s) + w_1(z_{s-1}) + q_s, with w_1(k) = W_O^1 W_V^1 w_E(k) and
 * q_s = p_s + W_O^1 W_V^1 p_{s-1} (q_0 = p_0 + W_O^1 W_V^1 p_0: position 0 attends to itself).
 * Computed from the model's own embeddings, with the two tokens independent and **uniform** over
 * the N tokens (outputs are uniform, so a rare token can sit in any key; weighting by π_u leaves
 * it unwhitened) and s uniform over the T positions. The cross terms between the three parts are
 * dropped: they only involve the parts' means, which are small for random embeddings.
 *
 * C = (1/N) Σ_k [w_E(k) w_E(k)^T + w_1(k) w_1(k)^T] + (1/T) Σ_s q_s q_s^T.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, initParams, keySecondMoment } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * keySecondMoment(initParams(config), config).shape; // [64, 64]; trace about 2.2 d
 * ```
 */
export function keySecondMoment(params: Params, config: ModelConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const wE = need(params, "wE"); // rows w_E(k): [N, d]
    const p = need(params, "pos"); // rows p_s: [T, d]
    const [t, d] = p.shape;
    const copy = tf.matMul(need(params, "wO1"), need(params, "wV1")); // W_O1 W_V1: [d, d]
    const w1 = tf.matMul(wE, copy, false, true); // rows w_1(k): [N, d]
    const prev = tf.concat([p.slice([0, 0], [1, d]), p.slice([0, 0], [t - 1, d])]); // p_{s-1}
    const q = p.add(tf.matMul(prev, copy, false, true)); // rows q_s: [T, d]
    const tokens = tf.matMul(wE, wE, true, false).add(tf.matMul(w1, w1, true, false));
    return tokens.div(config.vocabSize).add(tf.matMul(q, q, true, false).div(t)) as tf.Tensor2D;
  });
}

/**
 * The whitened read-outs r_k = (C + λI)^-1 w_1(k) - ρ_0 as rows `[K, d]`, for the rows w_1(k) of
 * `w1` `[K, d]`. ρ_0 = (C + λI)^-1 q_0 · mean_k(r_k · w_1(k)) / (q_0^T (C + λI)^-1 q_0) reads the
 * position part q_0 of key 0 exactly as strongly as r_k reads its stored copy, so subtracting it
 * cancels the copy of z_0 that layer 1 leaves at position 0.
 */
function whitenedReadouts(
  params: Params,
  config: ModelConfig,
  w1: tf.Tensor2D,
  ridge: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const c = keySecondMoment(params, config);
    const d = config.dim;
    const lambda = c.mul(tf.eye(d)).sum().div(d).mul(ridge); // ridge · tr(C) / d
    const cInv = inverseSpd(c.add(tf.eye(d).mul(lambda)) as tf.Tensor2D); // symmetric
    const r = tf.matMul(w1, cInv); // rows (C_λ^-1 w_1(k))^T
    const p0 = need(params, "pos").slice([0, 0], [1, d]);
    const copy = tf.matMul(need(params, "wO1"), need(params, "wV1"));
    const q0 = p0.add(tf.matMul(p0, copy, false, true)); // (I + W_O1 W_V1) p_0: [1, d]
    const rho = tf.matMul(q0, cInv); // [1, d]
    const signal = r.mul(w1).sum(1).mean(); // mean_k r_k · w_1(k)
    const rho0 = rho.mul(signal.div(rho.mul(q0).sum()));
    return r.sub(rho0) as tf.Tensor2D;
  });
}

/** Mean squared norm of the rows of m `[rows, d]`, as a scalar tensor. */
function meanSquaredNorm(m: tf.Tensor2D): tf.Scalar {
  return m.square().sum(1).mean();
}

/** The three scales as scalar tensors (no readback, so this works on every backend). */
function wiringScaleTensors(
  params: Params,
  config: ModelConfig,
  memories: WiringEmbeddings,
): [tf.Scalar, tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const rootD = Math.sqrt(config.dim);
    const { e, w1, r, vE } = memories;
    const pp = meanSquaredNorm(need(params, "pos"));
    const scale = (gain: number, a: tf.Scalar, b: tf.Scalar) => tf.div(gain, a.mul(b)) as tf.Scalar;
    const readBack = r.mul(w1).sum(1).mean() as tf.Scalar; // mean_k r_k · w_1(k)
    return [
      scale(WIRING_GAINS.wK1 * rootD, pp, pp),
      scale(WIRING_GAINS.wK2 * rootD, meanSquaredNorm(e), readBack),
      scale(WIRING_GAINS.wO2, meanSquaredNorm(need(params, "wU")), meanSquaredNorm(vE)),
    ];
  });
}

/**
 * Scales that give each stored association a signal of {@linkcode WIRING_GAINS}: a stored
 * pair (u, v) read back from W = s v u^T gives v^T W u = s |v|^2 |u|^2, so s = gain / (|v|^2 |u|^2),
 * times sqrt(d) for the two attention scores (they are divided by sqrt(d)). Norms are measured on
 * this model's own (random) embeddings. With a read-out vector r instead of u (W = s v r^T, the
 * whitened W_K^2), |u|^2 becomes r · u. (Reads back synchronously; {@linkcode handWire} itself
 * does not need this function.)
 *
 * @example
 * ```ts
 * import { defaultModelConfig, defaultWiringScales, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * defaultWiringScales(initParams(config), config).wK1; // about 10 * 8 / 64^2
 * ```
 */
export function defaultWiringScales(
  params: Params,
  config: ModelConfig,
  triggers?: number[],
  options: Pick<HandWireOptions, "keys" | "ridge"> = {},
): WiringScales {
  const key = checkKeyOptions(options);
  const t = tf.tidy(() =>
    wiringScaleTensors(params, config, wiringEmbeddings(params, config, triggers, key))
  );
  const [wK1, wK2, wO2] = t.map((x) => x.dataSync()[0]);
  tf.dispose(t);
  return { wK1, wK2, wO2 };
}

/** The rows the three memories are built from: `[K, d]` over the stored tokens, `[N, d]` for vE. */
interface WiringEmbeddings {
  /** w_E(k), over the triggers (or all tokens). */
  e: tf.Tensor2D;
  /** w_1(k) = W_O1 W_V1 w_E(k), over the same tokens. */
  w1: tf.Tensor2D;
  /** The read-outs r_k of W_K^2: w_1(k) itself ("outer"), or whitened. */
  r: tf.Tensor2D;
  /** W_V2 w_E(k), over all N tokens. */
  vE: tf.Tensor2D;
}

/** The rows of {@linkcode WiringEmbeddings} (call inside `tf.tidy`). */
function wiringEmbeddings(
  params: Params,
  config: ModelConfig,
  triggers: number[] | undefined,
  key: { keys: KeyReadout; ridge: number },
): WiringEmbeddings {
  const wE = need(params, "wE");
  const e = triggers ? tf.gather(wE, tf.tensor1d(checkIds(triggers, config), "int32")) : wE;
  // rows (W_O1 W_V1 w_E(k))^T = w_E(k)^T W_V1^T W_O1^T
  const w1 = tf.matMul(
    tf.matMul(e, need(params, "wV1"), false, true),
    need(params, "wO1"),
    false,
    true,
  );
  const vE = tf.matMul(wE, need(params, "wV2"), false, true); // rows (W_V2 w_E(k))^T, all k
  const r = key.keys === "whitened"
    ? whitenedReadouts(params, config, w1 as tf.Tensor2D, key.ridge)
    : w1;
  return { e: e as tf.Tensor2D, w1: w1 as tf.Tensor2D, r: r as tf.Tensor2D, vE: vE as tf.Tensor2D };
}

function checkIds(ids: number[], config: ModelConfig): number[] {
  for (const k of ids) {
    if (!Number.isInteger(k) || k < 0 || k >= config.vocabSize) {
      throw new Error(`handWire: trigger ${k} is not a token id in [0, ${config.vocabSize})`);
    }
  }
  return ids;
}

function checkKeyOptions(
  options: Pick<HandWireOptions, "keys" | "ridge">,
): { keys: KeyReadout; ridge: number } {
  const { keys = "outer", ridge = KEY_RIDGE } = options;
  if (keys !== "outer" && keys !== "whitened") {
    throw new Error(`handWire: keys must be "outer" or "whitened", got ${JSON.stringify(keys)}`);
  }
  if (!(Number.isFinite(ridge) && ridge > 0)) {
    throw new Error(
      `handWire: ridge must be a positive number (λ = ridge · tr(C) / d), got ${ridge}`,
    );
  }
  return { keys, ridge };
}

/**
 * Overwrites W_K^1, W_K^2 and W_O^2 with the hand-wired induction head (the other parameters are
 * untouched). `triggers`: the tokens W_K^2 stores (default: all N tokens, which also works for
 * random triggers); `scales`: a, b, c (default {@linkcode defaultWiringScales}); `keys`: the
 * paper's outer-product W_K^2 (default) or the whitened one (see {@linkcode HandWireOptions}).
 * Does no readback, so it runs on every backend.
 *
 * @example
 * ```ts
 * import { defaultModelConfig, handWire, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * const params = initParams(config);
 * handWire(params, config, { triggers: [1, 43, 58, 53, 39] }); // the top-5 fixed triggers
 * handWire(params, config, { triggers: [1, 43, 58, 53, 39], keys: "whitened" }); // ≥ 0.99
 * ```
 */
export function handWire(
  params: Params,
  config: ModelConfig,
  options: HandWireOptions = {},
): void {
  const key = checkKeyOptions(options);
  tf.tidy(() => {
    const memories = wiringEmbeddings(params, config, options.triggers, key);
    const given = options.scales;
    const [a, b, c] = given
      ? [tf.scalar(given.wK1), tf.scalar(given.wK2), tf.scalar(given.wO2)]
      : wiringScaleTensors(params, config, memories);
    const t = config.maxLen;
    const d = config.dim;
    const p = need(params, "pos");
    // Σ_{t=1}^{T-1} p_t p_{t-1}^T = P[1:]^T P[:-1], rows of P are p_t
    const prev = tf.matMul(p.slice([1, 0], [t - 1, d]), p.slice([0, 0], [t - 1, d]), true, false);
    need(params, "wK1").assign(prev.mul(a));
    const { e, r, vE } = memories;
    // Σ_k w_E(k) r_k^T = E^T R (rows r_k; r_k = w_1(k) for the outer-product memory)
    need(params, "wK2").assign(tf.matMul(e, r, true, false).mul(b));
    // Σ_k w_U(k) (W_V2 w_E(k))^T = U^T VE (rows)
    need(params, "wO2").assign(tf.matMul(need(params, "wU"), vE, true, false).mul(c));
  });
}
