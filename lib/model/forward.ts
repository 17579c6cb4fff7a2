/**
 * The forward pass of the simplified two-layer transformer (paper_spec §2.1), twice:
 *
 * - {@linkcode forwardReference}: the model as the paper writes it, one readable line per
 *   equation, differentiated by tfjs's autodiff. It is the specification the fast path is tested
 *   against, and lesson 6's "before" measurement.
 * - {@linkcode forward}: the same function, fast on the wasm backend. Every product with a token
 *   axis is a 2-D matmul on `[batch * seq, d]` rows, frozen products are folded
 *   (W_O^1 W_V^1 is one d×d matrix), the batched attention products go through
 *   {@linkcode batchMatMul}, and the backward pass is written by hand (one `tf.customGrad`
 *   node) so that it computes only the gradients of trainable parameters, with explicit
 *   transposes so that every matmul takes the backend's fast path.
 *
 * Both compute, for token ids z ([batch, seq]):
 * ```
 * x_t  = w_E(z_t) + p_t
 * h1_t = x_t  + W_O1 Σ_{s≤t} β1_{t,s} W_V1 x_s,   β1_{t,·} = softmax_s(x_t · W_K1 x_s / √d)
 * h2_t = h1_t + W_O2 Σ_{s≤t} β2_{t,s} W_V2 h1_s,  β2_{t,·} = softmax_s(h1_t · W_K2 h1_s / √d)
 * h3_t = h2_t + W_F h2_t          (only with finalFfn)
 * logits_t = W_U h3_t
 * ```
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, forward, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 32, maxLen: 16 };
 * const params = initParams(config);
 * const { logits } = forward(params, config, tf.zeros([2, 16], "int32"));
 * logits.shape; // [2, 16, 65]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { type ModelConfig, PARAM_NAMES, type ParamName } from "./config.ts";
import { need, type Params } from "./params.ts";
import {
  blockFull,
  blockMasks,
  blockScores,
  blockSoftmax,
  blockSoftmaxBackward,
  blockTimesRows,
  blockTransposeTimesRows,
  type CausalBlock,
  causalBlocks,
} from "./causal_blocks.ts";

/** What a forward pass returns. */
export interface ForwardOutput {
  /** W_U h, `[batch, seq, N]`. */
  logits: tf.Tensor3D;
  /** Layer 1's attention weights β1 (rows: queries t, columns: keys s), `[batch, seq, seq]`. */
  attn1?: tf.Tensor3D;
  /** Layer 2's attention weights β2, `[batch, seq, seq]`. */
  attn2?: tf.Tensor3D;
}

/** Options of the forward passes. */
export interface ForwardOptions {
  /** Also return both layers' attention weights (default false). */
  attention?: boolean;
  /**
   * The fast path only: compute the causal attention square in blocks of this many query rows,
   * only at or below the diagonal (lib/model/causal_blocks.ts). Default: the whole square in
   * one product per sequence. Same result to float32 rounding; measured slower on wasm at the
   * course's shapes (see lessons/06_webgpu/README.md), so it is off by default.
   */
  causalBlock?: number;
}

/** A large negative score for masked (future) keys: exp(-1e9) is exactly 0 in float32. */
const MASKED = -1e9;

/**
 * The causal mask as an additive `[seq, seq]` matrix: 0 where s <= t, -1e9 above the diagonal.
 *
 * @example
 * ```ts
 * import { causalMaskBias } from "@lib/model/forward.ts";
 * causalMaskBias(3).arraySync(); // [[0, -1e9, -1e9], [0, 0, -1e9], [0, 0, 0]]
 * ```
 */
export function causalMaskBias(seq: number): tf.Tensor2D {
  return tf.tidy(() => {
    const lower = tf.linalg.bandPart(tf.ones([seq, seq]), -1, 0); // 1 where s <= t
    return tf.sub(1, lower).mul(MASKED) as tf.Tensor2D;
  });
}

/**
 * Checks the ids tensor against the configuration, with a readable message.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { checkInputs, defaultModelConfig } from "@lib/model/mod.ts";
 * checkInputs(tf.zeros([1, 8], "int32"), defaultModelConfig); // ok
 * ```
 */
export function checkInputs(inputs: tf.Tensor, config: ModelConfig): void {
  if (!(inputs instanceof tf.Tensor) || inputs.rank !== 2) {
    throw new Error(
      `forward: inputs must be a 2-D int32 tensor of token ids [batch, seq], got ${
        inputs instanceof tf.Tensor ? `shape [${inputs.shape}]` : String(inputs)
      }`,
    );
  }
  if (inputs.dtype !== "int32") {
    throw new Error(`forward: inputs must be int32 token ids, got dtype ${inputs.dtype}`);
  }
  const seq = inputs.shape[1] as number;
  if (seq > config.maxLen) {
    throw new Error(
      `forward: sequences of length ${seq} are longer than the model's ` +
        `maxLen ${config.maxLen} (one positional embedding per position)`,
    );
  }
}

// ------------------------------------------------------------------------------------------
// The reference: the paper's equations, autodiff does the rest.

/** `W u` for every row u of x: x `[..., in]`, W `[out, in]` (math convention) -> `[..., out]`. */
function apply(w: tf.Tensor2D, x: tf.Tensor): tf.Tensor {
  const shape = x.shape;
  const rows = x.reshape([-1, shape[shape.length - 1]]);
  return tf.matMul(rows, w, false, true).reshape([...shape.slice(0, -1), w.shape[0]]);
}

/** One attention layer, read from x `[batch, seq, d]`: returns W_O Σ_s β_{t,s} W_V x_s and β. */
function attentionLayerReference(
  x: tf.Tensor3D,
  wK: tf.Tensor2D,
  wV: tf.Tensor2D,
  wO: tf.Tensor2D,
  mask: tf.Tensor2D,
): { out: tf.Tensor3D; weights: tf.Tensor3D } {
  const d = x.shape[2];
  const keys = apply(wK, x) as tf.Tensor3D; // [batch, seq, d]: W_K x_s
  const scores = tf.matMul(x, keys, false, true).div(Math.sqrt(d)); // [batch, t, s]: x_t·W_K x_s/√d
  const weights = tf.softmax(scores.add(mask)) as tf.Tensor3D; // softmax over s <= t
  const values = apply(wV, x) as tf.Tensor3D; // [batch, seq, d]: W_V x_s
  const out = apply(wO, tf.matMul(weights, values)) as tf.Tensor3D; // W_O Σ_s β_{t,s} W_V x_s
  return { out, weights };
}

/**
 * The forward pass exactly as the paper writes it (readable, slow, differentiable by autodiff
 * with respect to every parameter, trainable or not).
 *
 * @param inputs Token ids, int32 `[batch, seq]` with seq <= `config.maxLen`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, forwardReference, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 32, maxLen: 16 };
 * const out = forwardReference(initParams(config), config, tf.zeros([1, 8], "int32"), {
 *   attention: true,
 * });
 * out.attn1!.shape; // [1, 8, 8]
 * ```
 */
export function forwardReference(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  options: ForwardOptions = {},
): ForwardOutput {
  checkInputs(inputs, config);
  const [batch, seq] = inputs.shape;
  const { dim: d, vocabSize: n } = config;
  const result = tf.tidy(() => {
    const mask = causalMaskBias(seq);
    // x_t = w_E(z_t) + p_t, with the lookup written as oneHot @ W_E (gather's gradient fails on wasm)
    const oneHot = tf.oneHot(inputs.reshape([-1]), n).toFloat(); // [batch*seq, N]
    const tokens = tf.matMul(oneHot, need(params, "wE")).reshape([batch, seq, d]);
    const x = tokens.add(need(params, "pos").slice([0, 0], [seq, d])) as tf.Tensor3D;
    const l1 = attentionLayerReference(
      x,
      need(params, "wK1"),
      need(params, "wV1"),
      need(params, "wO1"),
      mask,
    );
    const h1 = x.add(l1.out) as tf.Tensor3D;
    const l2 = attentionLayerReference(
      h1,
      need(params, "wK2"),
      need(params, "wV2"),
      need(params, "wO2"),
      mask,
    );
    const h2 = h1.add(l2.out) as tf.Tensor3D;
    const h3 = config.finalFfn ? h2.add(apply(need(params, "wF"), h2)) : h2;
    const logits = apply(need(params, "wU"), h3) as tf.Tensor3D; // [batch, seq, N]
    return options.attention ? [logits, l1.weights, l2.weights] : [logits];
  });
  return { logits: result[0], attn1: result[1], attn2: result[2] };
}

// ------------------------------------------------------------------------------------------
// The fast path.

/** The intermediate values of the fast forward pass: rows `[batch*seq, ·]` or per sequence. */
interface Saved {
  /** the token ids, int32 [rows] */
  ids: tf.Tensor1D;
  /** x [rows, d] */
  x: tf.Tensor2D;
  /** x_b^T per sequence [batch, d, seq] */
  xT: tf.Tensor3D;
  /** a1_t = x_t^T W_K1 / √d [rows, d] */
  a1: tf.Tensor2D;
  /** β1 [batch, seq, seq], as its block rows [batch, rows_i, end_i] (one block: the square) */
  p1: tf.Tensor3D[];
  /** u1_b^T = (x_b M1)^T per sequence [batch, d, seq], the layer-1 values */
  u1T: tf.Tensor3D;
  /** h1 [rows, d] */
  h1: tf.Tensor2D;
  /** h1_b^T per sequence [batch, d, seq] */
  h1T: tf.Tensor3D;
  /** a2_t = h1_t^T W_K2 / √d [rows, d] */
  a2: tf.Tensor2D;
  /** β2, as its block rows */
  p2: tf.Tensor3D[];
  /** g_t = Σ_s β2_{t,s} W_V2 h1_s [rows, d] */
  g: tf.Tensor2D;
  /** h2 [rows, d] */
  h2: tf.Tensor2D;
  /** h3 [rows, d] (h2 when there is no W_F) */
  h3: tf.Tensor2D;
}

/** The single tensors of {@linkcode Saved}; `p1` and `p2` (lists) are saved after them. */
const SAVED_KEYS = ["ids", "x", "xT", "a1", "u1T", "h1", "h1T", "a2", "g", "h2", "h3"] as const;

/** The saved values as one list for `tf.customGrad`'s `save`. */
function flattenSaved(s: Saved): tf.Tensor[] {
  return [...SAVED_KEYS.map((k) => s[k]), ...s.p1, ...s.p2];
}

/** {@linkcode flattenSaved} undone: `blocks` tensors each for p1 and p2. */
function restoreSaved(saved: tf.Tensor[], blocks: number): Saved {
  const n = SAVED_KEYS.length;
  const s = Object.fromEntries(SAVED_KEYS.map((k, i) => [k, saved[i]])) as unknown as Saved;
  s.p1 = saved.slice(n, n + blocks) as tf.Tensor3D[];
  s.p2 = saved.slice(n + blocks, n + 2 * blocks) as tf.Tensor3D[];
  return s;
}

/** Rows `[batch*seq, c]` as per-sequence matrices `[batch, seq, c]`. */
function perSequence(rows: tf.Tensor2D, batch: number): tf.Tensor3D {
  return rows.reshape([batch, rows.shape[0] / batch, rows.shape[1]]);
}

/** Per-sequence transposes: rows `[batch*seq, c]` -> `[batch, c, seq]`. */
function transposePerSequence(rows: tf.Tensor2D, batch: number): tf.Tensor3D {
  return tf.transpose(perSequence(rows, batch), [0, 2, 1]);
}

/**
 * The transpose of a tall matrix of rows `[batch*seq, c]` -> `[c, batch*seq]`. Written as a
 * rank-3 permutation because wasm's rank-3 transpose is about ten times faster than its 2-D one
 * on tall matrices.
 */
function transposeRows(rows: tf.Tensor2D, batch: number): tf.Tensor2D {
  const [n, c] = rows.shape;
  return tf.transpose(perSequence(rows, batch), [2, 0, 1]).reshape([c, n]);
}

/** d×d matrices the fast path multiplies rows by, transposed or folded once per call. */
function rowMatrices(params: Params, config: ModelConfig) {
  const scale = 1 / Math.sqrt(config.dim);
  const tr = (t: tf.Tensor2D) => tf.transpose(t) as tf.Tensor2D;
  const wK1 = need(params, "wK1").mul(scale) as tf.Tensor2D; // rows x -> x^T W_K1 / √d
  const wK2 = need(params, "wK2").mul(scale) as tf.Tensor2D;
  // u1_s = W_O1 W_V1 x_s: one folded matrix for two frozen ones, rows x -> x (W_O1 W_V1)^T
  const m1 = tr(tf.matMul(need(params, "wO1"), need(params, "wV1")));
  return { wK1, wK2, m1, wV2T: tr(need(params, "wV2")), wO2T: tr(need(params, "wO2")), tr };
}

/** The fast forward computation, returning every value the backward pass needs. */
function fastForwardValues(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  blocks: CausalBlock[],
): Saved {
  const [batch, seq] = inputs.shape;
  const d = config.dim;
  const rows = batch * seq;
  const w = rowMatrices(params, config);
  const masks = blockMasks(blocks); // one [seq, seq] mask when there is one block
  // x = w_E(z_t) + p_t: [rows, d], the lookup written as the 2-D product oneHot(z) W_E
  // ([rows, N] @ [N, d]): on wasm that fast-path matmul is about ten times quicker than
  // tf.gather, whose kernel copies row by row.
  const ids = inputs.reshape([rows]) as tf.Tensor1D;
  const pos = need(params, "pos").slice([0, 0], [seq, d]);
  const oneHot = tf.oneHot(ids, config.vocabSize).toFloat() as tf.Tensor2D; // [rows, N]
  const x = tf.matMul(oneHot, need(params, "wE")).reshape([batch, seq, d]).add(pos)
    .reshape([rows, d]) as tf.Tensor2D;
  // Layer 1: scores x_t·W_K1 x_s/√d = a1_t · x_s, values u1_s = W_O1 W_V1 x_s
  const a1 = tf.matMul(x, w.wK1) as tf.Tensor2D;
  const xT = transposePerSequence(x, batch);
  const p1 = blockSoftmax(blockScores(a1, xT, blocks), masks);
  const u1 = tf.matMul(x, w.m1) as tf.Tensor2D;
  const h1 = x.add(blockTimesRows(p1, u1, blocks)) as tf.Tensor2D;
  // Layer 2: queries, keys and values from h1
  const a2 = tf.matMul(h1, w.wK2) as tf.Tensor2D;
  const h1T = transposePerSequence(h1, batch);
  const p2 = blockSoftmax(blockScores(a2, h1T, blocks), masks);
  const g = blockTimesRows(p2, tf.matMul(h1, w.wV2T) as tf.Tensor2D, blocks);
  const h2 = h1.add(tf.matMul(g, w.wO2T)) as tf.Tensor2D;
  const h3 = config.finalFfn ? h2.add(tf.matMul(h2, w.tr(need(params, "wF")))) as tf.Tensor2D : h2;
  const u1T = transposePerSequence(u1, batch);
  return { ids, x, xT, a1, p1, u1T, h1, h1T, a2, p2, g, h2, h3 };
}

/**
 * The backward pass by hand: gradients of the loss with respect to the parameters in `names`,
 * given dL/dlogits as rows `[batch*seq, N]`. Each step is the chain rule of one forward line;
 * a gradient that no requested parameter needs is not computed.
 */
function fastBackward(
  params: Params,
  config: ModelConfig,
  s: Saved,
  dLogits: tf.Tensor2D,
  names: ParamName[],
  blocks: CausalBlock[],
): tf.Tensor[] {
  const want = (n: ParamName) => names.includes(n);
  const [batch, d, seq] = s.xT.shape;
  const w = rowMatrices(params, config);
  const grads: Partial<Record<ParamName, tf.Tensor>> = {};
  const done = () => names.map((n) => grads[n]!);
  const rowsT = (r: tf.Tensor2D) => transposeRows(r, batch);
  const times = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTimesRows(m, r, blocks); // m_b r_b
  const timesT = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTransposeTimesRows(m, r, blocks);
  // logits = h3 W_U^T
  if (want("wU")) grads.wU = tf.matMul(rowsT(dLogits), s.h3);
  let dh = tf.matMul(dLogits, need(params, "wU")) as tf.Tensor2D; // dL/dh3 [rows, d]
  // h3 = h2 + h2 W_F^T
  if (config.finalFfn) {
    if (want("wF")) grads.wF = tf.matMul(rowsT(dh), s.h2);
    dh = dh.add(tf.matMul(dh, need(params, "wF")));
  }
  // h2 = h1 + g W_O2^T
  if (want("wO2")) grads.wO2 = tf.matMul(rowsT(dh), s.g);
  const below2 = (["wK1", "wV1", "wO1", "wE", "pos"] as ParamName[]).some(want);
  if (!want("wK2") && !want("wV2") && !below2) return done();
  // g = β2 v2 with v2 = h1 W_V2^T, so dβ2 = dg v2^T = (dh W_O2 W_V2) h1^T: one folded d×d
  // matrix instead of two products with the rows
  const dgV = tf.matMul(dh, tf.matMul(need(params, "wO2"), need(params, "wV2"))) as tf.Tensor2D;
  const ds2 = blockSoftmaxBackward(s.p2, blockScores(dgV, s.h1T, blocks));
  // scores2 = a2 h1^T: da2 = dS2 h1
  const da2 = times(ds2, s.h1);
  if (want("wK2")) grads.wK2 = tf.matMul(rowsT(s.h1), da2).div(Math.sqrt(d));
  if (want("wV2")) {
    const dg = tf.matMul(dh, need(params, "wO2")) as tf.Tensor2D;
    grads.wV2 = tf.matMul(rowsT(timesT(s.p2, dg)), s.h1);
  }
  if (!below2) return done();
  // dL/dh1: the residual, the value path β2^T (dg W_V2), the query path, the key path dS2^T a2
  const dh1 = dh
    .add(timesT(s.p2, dgV))
    .add(tf.matMul(da2, w.tr(w.wK2)))
    .add(timesT(ds2, s.a2)) as tf.Tensor2D;
  // h1 = x + β1 u1 with u1 = x M1: dβ1 = dh1 u1^T = (dh1 M1^T) x^T
  const ds1 = blockSoftmaxBackward(
    s.p1,
    blockScores(tf.matMul(dh1, w.tr(w.m1)) as tf.Tensor2D, s.xT, blocks),
  );
  // scores1 = a1 x^T: da1 = dS1 x
  const da1 = times(ds1, s.x);
  if (want("wK1")) grads.wK1 = tf.matMul(rowsT(s.x), da1).div(Math.sqrt(d));
  const belowX = want("wE") || want("pos");
  if (want("wV1") || want("wO1") || belowX) {
    const du1 = timesT(s.p1, dh1); // dL/du1 [rows, d]
    const wO1 = need(params, "wO1");
    const wV1 = need(params, "wV1");
    // u1 = x C^T with C = W_O1 W_V1, so dC = du1^T x
    const dC = tf.matMul(rowsT(du1), s.x) as tf.Tensor2D;
    if (want("wO1")) grads.wO1 = tf.matMul(dC, w.tr(wV1));
    if (want("wV1")) grads.wV1 = tf.matMul(w.tr(wO1), dC);
    if (belowX) {
      const dx = dh1
        .add(tf.matMul(du1, w.tr(w.m1)))
        .add(tf.matMul(da1, w.tr(w.wK1)))
        .add(timesT(ds1, s.a1)) as tf.Tensor2D;
      if (want("wE")) {
        // dW_E = oneHot(z)^T dx: the rows of dx summed per token id
        const oneHot = tf.oneHot(s.ids, config.vocabSize).toFloat() as tf.Tensor2D;
        grads.wE = tf.matMul(rowsT(oneHot), dx);
      }
      if (want("pos")) {
        const dpos = dx.reshape([batch, seq, d]).sum(0) as tf.Tensor2D; // [seq, d]
        grads.pos = seq < config.maxLen ? dpos.pad([[0, config.maxLen - seq], [0, 0]]) : dpos;
      }
    }
  }
  return done();
}

/**
 * The fast forward pass (same result as {@linkcode forwardReference}). Differentiable with
 * respect to the parameters whose variable is `trainable` at call time; the gradients of those,
 * and only those, are computed by a hand-written backward pass.
 *
 * @param inputs Token ids, int32 `[batch, seq]` with seq <= `config.maxLen`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { defaultModelConfig, forward, initParams } from "@lib/model/mod.ts";
 * const config = { ...defaultModelConfig, dim: 32, maxLen: 16 };
 * const params = initParams(config);
 * const ids = tf.zeros([2, 16], "int32") as tf.Tensor2D;
 * const { grads } = tf.variableGrads(() => forward(params, config, ids).logits.square().mean());
 * Object.keys(grads).length; // 3: W_K1, W_K2, W_O2
 * ```
 */
export function forward(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  options: ForwardOptions = {},
): ForwardOutput {
  checkInputs(inputs, config);
  const [batch, seq] = inputs.shape;
  const names = PARAM_NAMES.filter((n) => params[n]?.trainable);
  const blocks = causalBlocks(seq, options.causalBlock);
  let attention: tf.Tensor3D[] = [];
  const logitsOf = (s: Saved) => tf.matMul(s.h3, tf.transpose(need(params, "wU")));
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const s = fastForwardValues(params, config, inputs, blocks);
    save(flattenSaved(s));
    if (options.attention) attention = [tf.keep(blockFull(s.p1)), tf.keep(blockFull(s.p2))];
    return {
      value: logitsOf(s).reshape([batch, seq, config.vocabSize]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const restored = restoreSaved(saved, blocks.length);
        const dLogits = dy.reshape([batch * seq, config.vocabSize]) as tf.Tensor2D;
        return fastBackward(params, config, restored, dLogits, names, blocks);
      },
    };
  });
  const logits = (names.length > 0 ? run(...names.map((n) => params[n]!)) : tf.tidy(() => {
    const s = fastForwardValues(params, config, inputs, blocks);
    if (options.attention) attention = [tf.keep(blockFull(s.p1)), tf.keep(blockFull(s.p2))];
    return logitsOf(s).reshape([batch, seq, config.vocabSize]);
  })) as tf.Tensor3D;
  if (!options.attention) return { logits };
  // The maps were kept out of the forward's scope; hand back tracked clones instead.
  const [attn1, attn2] = attention.map((t) => t.clone());
  tf.dispose(attention);
  return { logits, attn1, attn2 };
}
