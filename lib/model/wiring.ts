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

/** Mean squared norm of the rows of m `[rows, d]`, as a scalar tensor. */
function meanSquaredNorm(m: tf.Tensor2D): tf.Scalar {
  return m.square().sum(1).mean();
}

/** The three scales as scalar tensors (no readback, so this works on every backend). */
function wiringScaleTensors(
  params: Params,
  config: ModelConfig,
  triggers?: number[],
): [tf.Scalar, tf.Scalar, tf.Scalar] {
  return tf.tidy(() => {
    const rootD = Math.sqrt(config.dim);
    const { e, w1, vE } = wiringEmbeddings(params, config, triggers);
    const pp = meanSquaredNorm(need(params, "pos"));
    const scale = (gain: number, a: tf.Scalar, b: tf.Scalar) => tf.div(gain, a.mul(b)) as tf.Scalar;
    return [
      scale(WIRING_GAINS.wK1 * rootD, pp, pp),
      scale(WIRING_GAINS.wK2 * rootD, meanSquaredNorm(e), meanSquaredNorm(w1)),
      scale(WIRING_GAINS.wO2, meanSquaredNorm(need(params, "wU")), meanSquaredNorm(vE)),
    ];
  });
}

/**
 * Scales that give each stored association a signal of {@linkcode WIRING_GAINS}: a stored
 * pair (u, v) read back from W = s v u^T gives v^T W u = s |v|^2 |u|^2, so s = gain / (|v|^2 |u|^2),
 * times sqrt(d) for the two attention scores (they are divided by sqrt(d)). Norms are measured on
 * this model's own (random) embeddings. (Reads back synchronously; {@linkcode handWire} itself
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
): WiringScales {
  const t = wiringScaleTensors(params, config, triggers);
  const [wK1, wK2, wO2] = t.map((x) => x.dataSync()[0]);
  tf.dispose(t);
  return { wK1, wK2, wO2 };
}

/** Rows w_E(k), w_1(k) = W_O1 W_V1 w_E(k) (over the triggers, or all tokens) and W_V2 w_E(k). */
function wiringEmbeddings(params: Params, config: ModelConfig, triggers?: number[]) {
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
  return { e: e as tf.Tensor2D, w1: w1 as tf.Tensor2D, vE: vE as tf.Tensor2D };
}

function checkIds(ids: number[], config: ModelConfig): number[] {
  for (const k of ids) {
    if (!Number.isInteger(k) || k < 0 || k >= config.vocabSize) {
      throw new Error(`handWire: trigger ${k} is not a token id in [0, ${config.vocabSize})`);
    }
  }
  return ids;
}

/**
 * Overwrites W_K^1, W_K^2 and W_O^2 with the hand-wired induction head (the other parameters are
 * untouched). `triggers`: the tokens W_K^2 stores (default: all N tokens, which also works for
 * random triggers); `scales`: a, b, c (default {@linkcode defaultWiringScales}).
 *
 * @example
 * ```ts
 * import { defaultModelConfig, handWire, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 64, maxLen: 64 };
 * const params = initParams(config);
 * handWire(params, config, { triggers: [1, 43, 58, 53, 39] }); // the top-5 fixed triggers
 * ```
 */
export function handWire(
  params: Params,
  config: ModelConfig,
  options: { triggers?: number[]; scales?: WiringScales } = {},
): void {
  const { triggers } = options;
  tf.tidy(() => {
    const given = options.scales;
    const [a, b, c] = given
      ? [tf.scalar(given.wK1), tf.scalar(given.wK2), tf.scalar(given.wO2)]
      : wiringScaleTensors(params, config, triggers);
    const t = config.maxLen;
    const d = config.dim;
    const p = need(params, "pos");
    // Σ_{t=1}^{T-1} p_t p_{t-1}^T = P[1:]^T P[:-1], rows of P are p_t
    const prev = tf.matMul(p.slice([1, 0], [t - 1, d]), p.slice([0, 0], [t - 1, d]), true, false);
    need(params, "wK1").assign(prev.mul(a));
    const { e, w1, vE } = wiringEmbeddings(params, config, triggers);
    // Σ_k w_E(k) w_1(k)^T = E^T W1 (rows)
    need(params, "wK2").assign(tf.matMul(e, w1, true, false).mul(b));
    // Σ_k w_U(k) (W_V2 w_E(k))^T = U^T VE (rows)
    need(params, "wO2").assign(tf.matMul(need(params, "wU"), vE, true, false).mul(c));
  });
}
