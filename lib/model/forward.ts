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
 *   transposes so that every matmul takes the backend's fast path. Given the rows the loss
 *   reads (`{ lossRows: mask }`), it computes layer 2's queries, output and unembedding, and
 *   their backward pass, on those rows only (lib/model/row_groups.ts).
 *
 * Both compute, for token ids z ([batch, seq]):
 * ```
 * x_t  = w_E(z_t) + p_t
 * h1_t = x_t  + W_O1 Σ_{s≤t} β1_{t,s} W_V1 x_s,   β1_{t,·} = softmax_s(x_t · W_K1 x_s / √d)
 * h2_t = h1_t + W_O2 Σ_{s≤t} β2_{t,s} W_V2 h1_s,  β2_{t,·} = softmax_s(h1_t · W_K2 h1_s / √d)
 * h3_t = h2_t + F(h2_t),  F(h) = W_F h  (finalFfn: true)  or  W_F2 relu(W_F1 h)  (finalFfn: "relu")
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
import { finalLayer } from "./final_ffn.ts";
import {
  batchMatMul,
  copyRows,
  saveShared,
  shortcuts,
  transposePerSequence,
} from "./batch_matmul.ts";
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
import {
  gatherRows,
  groupMaskBias,
  groupScores,
  groupTimesRows,
  groupTransposeTimes,
  type RowGroups,
  rowGroups,
  scatterRows,
} from "./row_groups.ts";

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
  /**
   * The fast path only: `[batch, seq]`, nonzero at the rows whose logits the caller reads (the
   * loss mask, e.g. a batch's `inContextMask`). Layer 2's queries, its output and the
   * unembedding are then computed at those rows only, and so is their backward pass; the
   * logits of every other row are returned as **0** and carry no gradient. The loss and the
   * gradients of a loss that reads only those rows are those of the whole computation, to
   * float32 rounding. On the CPU backends (wasm, cpu) the rows are found in the mask's memory;
   * a GPU backend would have to read the mask back and stall, so there the whole computation
   * runs (the other rows' logits are still 0). Default: every row. Not with `attention` (the
   * maps need every row).
   */
  lossRows?: tf.Tensor2D;
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
    const h3 = config.finalFfn ? h2.add(finalLayer(params, config, h2)) : h2; // h2 + F(h2)
    const logits = apply(need(params, "wU"), h3) as tf.Tensor3D; // [batch, seq, N]
    return options.attention ? [logits, l1.weights, l2.weights] : [logits];
  });
  return { logits: result[0], attn1: result[1], attn2: result[2] };
}

// ------------------------------------------------------------------------------------------
// The fast path.

/** Layer 1's values, which every path computes on every row: rows `[batch*seq, ·]` or per sequence. */
interface LayerOne {
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
  /** h1 [rows, d] */
  h1: tf.Tensor2D;
  /** h1_b^T per sequence [batch, d, seq] */
  h1T: tf.Tensor3D;
}

/** The values of the fast forward pass on every row, saved for the backward pass. */
interface Saved extends LayerOne {
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
  /** relu(h2 W_F1^T) [rows, 4d], only with the ReLU final layer */
  hF?: tf.Tensor2D;
}

/**
 * The values of the forward pass with `lossRows`: layer 1 on every row, layer 2's queries and
 * everything above them on the k kept rows only, packed `[k, ·]` (lib/model/row_groups.ts).
 */
interface SavedRows extends LayerOne {
  /** h1 at the kept rows [k, d] */
  h1q: tf.Tensor2D;
  /** a2 at the kept rows [k, d] */
  a2: tf.Tensor2D;
  /** β2's kept rows [k, seq] */
  p2: tf.Tensor2D;
  /** g at the kept rows [k, d] */
  g: tf.Tensor2D;
  /** h2 at the kept rows [k, d] */
  h2: tf.Tensor2D;
  /** h3 at the kept rows [k, d] */
  h3: tf.Tensor2D;
  /** relu(h2 W_F1^T) at the kept rows [k, 4d], only with the ReLU final layer */
  hF?: tf.Tensor2D;
}

/** The single tensors of {@linkcode LayerOne}; the list `p1` is saved after them. */
const LAYER_ONE_KEYS = ["ids", "x", "xT", "a1", "h1", "h1T"] as const;
/** The single tensors of {@linkcode Saved} above layer 1; the list `p2` is saved last. */
const SAVED_KEYS = ["a2", "g", "h2", "h3"] as const;
/** The tensors of {@linkcode SavedRows} above layer 1. */
const SAVED_ROWS_KEYS = ["h1q", "a2", "p2", "g", "h2", "h3"] as const;

/**
 * Saved values as one list for `tf.customGrad`'s `save`: `keys`, then p1's blocks, then p2's,
 * then the ReLU layer's hF when there is one.
 */
function flattenSaved<S extends LayerOne>(s: S, keys: readonly (keyof S)[]): tf.Tensor[] {
  const p2 = Array.isArray((s as unknown as Saved).p2) ? (s as unknown as Saved).p2 : [];
  const single = [...LAYER_ONE_KEYS, ...keys].map((k) =>
    (s as Record<string, unknown>)[k as string]
  );
  const hF = (s as unknown as Saved).hF;
  return [...single as tf.Tensor[], ...s.p1, ...p2, ...(hF ? [hF] : [])];
}

/** {@linkcode flattenSaved} undone: `blocks` tensors for p1 (and, with `p2Blocks`, for p2). */
function restoreSaved<S extends LayerOne>(
  saved: tf.Tensor[],
  keys: readonly (keyof S)[],
  blocks: number,
  p2Blocks: boolean,
): S {
  const names = [...LAYER_ONE_KEYS, ...keys] as string[];
  const s = Object.fromEntries(names.map((k, i) => [k, saved[i]])) as Record<string, unknown>;
  s.p1 = saved.slice(names.length, names.length + blocks);
  if (p2Blocks) s.p2 = saved.slice(names.length + blocks, names.length + 2 * blocks);
  s.hF = saved[names.length + (p2Blocks ? 2 : 1) * blocks]; // undefined without the ReLU layer
  return s as unknown as S;
}

/** Rows `[batch*seq, c]` as per-sequence matrices `[batch, seq, c]`. */
function perSequence(rows: tf.Tensor2D, batch: number): tf.Tensor3D {
  return rows.reshape([batch, rows.shape[0] / batch, rows.shape[1]]);
}

/**
 * The transpose of a tall matrix of rows `[n, c]` -> `[c, n]`. Written as a rank-3
 * permutation (n = batch · rows per sequence) because wasm's rank-3 transpose is about ten times
 * faster than its 2-D one on tall matrices.
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

/** The matrices of {@linkcode rowMatrices}. */
type RowMatrices = ReturnType<typeof rowMatrices>;

/**
 * The token embedding w_E(z) of ids `[rows]`: the rows of W_E `[N, d]`, `[rows, d]`. Written as
 * the 2-D product oneHot(z) W_E (`[rows, N] @ [N, d]`): on wasm that fast-path matmul is about
 * ten times quicker than tf.gather, whose kernel copies row by row; with wasm's row copy
 * (copyRows, `shortcuts.gatherEmbedding`) the rows are copied from the ids read in memory, which
 * gives the product's very bits (each entry of oneHot(z) W_E adds exact zeros to one entry of
 * W_E) at a fraction of its cost. An id outside 0..N-1 gets a zero row, as oneHot gives it.
 */
function embed(wE: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const n = wE.shape[0];
  if (tf.getBackend() === "wasm" && shortcuts.gatherEmbedding) {
    const z = tf.backend().readSync(ids.dataId) as Int32Array; // host memory: a copy, no stall
    const to = Int32Array.from(z.keys()).filter((i) => z[i] >= 0 && z[i] < n);
    return copyRows(wE, z.length, Array.from(to, (i) => z[i]), to);
  }
  return tf.matMul(tf.oneHot(ids, n).toFloat(), wE);
}

/**
 * The embedding and layer 1, on every row (both paths need all of it: layer 2 reads every h1).
 * `keep`: a backward pass follows, which multiplies by x^T (and h1^T) again: they stay packed.
 */
function layerOneValues(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  blocks: CausalBlock[],
  w: RowMatrices,
  keep: boolean,
): LayerOne {
  const [batch, seq] = inputs.shape;
  const d = config.dim;
  const rows = batch * seq;
  const masks = blockMasks(blocks); // one [seq, seq] mask when there is one block
  // x = w_E(z_t) + p_t: [rows, d]
  const ids = inputs.reshape([rows]) as tf.Tensor1D;
  const pos = need(params, "pos").slice([0, 0], [seq, d]);
  const x = embed(need(params, "wE"), ids).reshape([batch, seq, d]).add(pos)
    .reshape([rows, d]) as tf.Tensor2D;
  // Layer 1: scores x_t·W_K1 x_s/√d = a1_t · x_s, values u1_s = W_O1 W_V1 x_s
  const a1 = tf.matMul(x, w.wK1) as tf.Tensor2D;
  const xT = transposePerSequence(x, batch);
  const transposed = tf.getBackend() === "wasm" && shortcuts.transposedLayerOne &&
    blocks.length === 1;
  const p1 = blockSoftmax(blockScores(a1, xT, blocks, keep || transposed), masks);
  if (transposed) {
    // h1_b^T = x_b^T + u1_b^T β1_b^T with u1_b^T = M1^T x_b^T: XNNPACK packs β1_b^T (4k floats)
    // instead of u1_b (8k), and x_b^T is still packed from the scores
    const m1T = w.tr(w.m1).expandDims(0) as tf.Tensor3D; // [1, d, d]
    const u1T = batchMatMul(m1T, xT, { keepB: true }); // [batch, d, seq]
    const h1T = xT.add(batchMatMul(u1T, tf.transpose(p1[0], [0, 2, 1]))) as tf.Tensor3D;
    const h1 = tf.transpose(h1T, [0, 2, 1]).reshape([rows, d]) as tf.Tensor2D;
    return { ids, x, xT, a1, p1, h1, h1T };
  }
  const u1 = tf.matMul(x, w.m1) as tf.Tensor2D;
  const h1 = x.add(blockTimesRows(p1, u1, blocks)) as tf.Tensor2D;
  return { ids, x, xT, a1, p1, h1, h1T: transposePerSequence(h1, batch) };
}

/**
 * h3 = h2 + F(h2) for rows `[n, d]`: h2 W_F^T, or hF W_F2^T with hF = relu(h2 W_F1^T) `[n, 4d]`
 * (kept for the backward pass); h2 itself without finalFfn.
 */
function finalValues(
  params: Params,
  config: ModelConfig,
  h2: tf.Tensor2D,
): { h3: tf.Tensor2D; hF?: tf.Tensor2D } {
  if (config.finalFfn === "relu") {
    const hF = tf.relu(tf.matMul(h2, need(params, "wF1"), false, true)) as tf.Tensor2D;
    return { h3: h2.add(tf.matMul(hF, need(params, "wF2"), false, true)) as tf.Tensor2D, hF };
  }
  if (!config.finalFfn) return { h3: h2 };
  return { h3: h2.add(tf.matMul(h2, tf.transpose(need(params, "wF")))) as tf.Tensor2D };
}

/** The fast forward computation on every row, returning every value the backward pass needs. */
function fastForwardValues(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  blocks: CausalBlock[],
  keep: boolean,
): Saved {
  const w = rowMatrices(params, config);
  const l1 = layerOneValues(params, config, inputs, blocks, w, keep);
  const { h1, h1T } = l1;
  // Layer 2: queries, keys and values from h1
  const a2 = tf.matMul(h1, w.wK2) as tf.Tensor2D;
  const p2 = blockSoftmax(blockScores(a2, h1T, blocks, keep), blockMasks(blocks));
  const g = blockTimesRows(p2, tf.matMul(h1, w.wV2T) as tf.Tensor2D, blocks);
  const h2 = h1.add(tf.matMul(g, w.wO2T)) as tf.Tensor2D;
  return { ...l1, a2, p2, g, h2, ...finalValues(params, config, h2) };
}

/**
 * The forward computation with `lossRows`: layer 1 on every row, layer 2's queries, its output
 * and h3 on the kept rows `g` only (the keys and values of layer 2 still read every h1).
 */
function rowsForwardValues(
  params: Params,
  config: ModelConfig,
  inputs: tf.Tensor2D,
  blocks: CausalBlock[],
  g: RowGroups,
  keep: boolean,
): SavedRows {
  const w = rowMatrices(params, config);
  const l1 = layerOneValues(params, config, inputs, blocks, w, keep);
  const h1q = gatherRows(l1.h1, g); // [k, d]
  const a2 = tf.matMul(h1q, w.wK2) as tf.Tensor2D;
  const p2 = tf.softmax(groupScores(a2, l1.h1, g).add(groupMaskBias(g))) as tf.Tensor2D;
  const v2 = tf.matMul(l1.h1, w.wV2T) as tf.Tensor2D; // [rows, d]
  const gq = groupTimesRows(p2, transposePerSequence(v2, g.batch), g); // [k, d]
  const h2 = h1q.add(tf.matMul(gq, w.wO2T)) as tf.Tensor2D;
  return { ...l1, h1q, a2, p2, g: gq, h2, ...finalValues(params, config, h2) };
}

/** The parameters' gradients, filled by the backward passes. */
type Grads = Partial<Record<ParamName, tf.Tensor>>;

/**
 * The top of the backward pass, from dL/dlogits `[n, N]` to dL/dh2 `[n, d]`, on n rows (all of
 * them, or the kept ones): the gradients of W_U and W_F (or W_F1, W_F2) on the way.
 */
function outputBackward(
  params: Params,
  config: ModelConfig,
  s: { h2: tf.Tensor2D; h3: tf.Tensor2D; hF?: tf.Tensor2D },
  dLogits: tf.Tensor2D,
  want: (n: ParamName) => boolean,
  grads: Grads,
  rowsT: (r: tf.Tensor2D) => tf.Tensor2D,
): tf.Tensor2D {
  // logits = h3 W_U^T
  if (want("wU")) grads.wU = tf.matMul(rowsT(dLogits), s.h3);
  let dh = tf.matMul(dLogits, need(params, "wU")) as tf.Tensor2D; // dL/dh3 [n, d]
  if (s.hF) {
    // h3 = h2 + hF W_F2^T with hF = relu(h2 W_F1^T)
    if (want("wF2")) grads.wF2 = tf.matMul(rowsT(dh), s.hF);
    if ((["wF1", "wO2", "wK2", "wV2", ...BELOW_TWO] as ParamName[]).some(want)) {
      const dHF = tf.matMul(dh, need(params, "wF2")).mul(tf.step(s.hF)) as tf.Tensor2D; // [n, 4d]
      if (want("wF1")) grads.wF1 = tf.matMul(rowsT(dHF), s.h2);
      dh = dh.add(tf.matMul(dHF, need(params, "wF1")));
    }
  } else if (config.finalFfn) {
    // h3 = h2 + h2 W_F^T
    if (want("wF")) grads.wF = tf.matMul(rowsT(dh), s.h2);
    dh = dh.add(tf.matMul(dh, need(params, "wF")));
  }
  return dh;
}

/** The parameters below layer 2's output, whose gradients need dL/dh1. */
const BELOW_TWO: ParamName[] = ["wK1", "wV1", "wO1", "wE", "pos"];

/**
 * Layer 1's backward pass, from dL/dh1 `[rows, d]` (every row) to the gradients of W_K1,
 * W_V1, W_O1, W_E and pos.
 */
function layerOneBackward(
  params: Params,
  config: ModelConfig,
  s: LayerOne,
  dh1: tf.Tensor2D,
  want: (n: ParamName) => boolean,
  grads: Grads,
  blocks: CausalBlock[],
  w: RowMatrices,
): void {
  const [batch, d, seq] = s.xT.shape;
  const rowsT = (r: tf.Tensor2D) => transposeRows(r, batch);
  const times = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTimesRows(m, r, blocks); // m_b r_b
  const timesT = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTransposeTimesRows(m, r, blocks);
  // h1 = x + β1 u1 with u1 = x M1: dβ1 = dh1 u1^T = (dh1 M1^T) x^T
  const ds1 = blockSoftmaxBackward(
    s.p1,
    blockScores(tf.matMul(dh1, w.tr(w.m1)) as tf.Tensor2D, s.xT, blocks, true),
  );
  // scores1 = a1 x^T: da1 = dS1 x. On wasm (shortcuts.transposedLayerOne) as da1_b^T =
  // x_b^T dS1_b^T, so that XNNPACK packs dS1_b^T (4k floats) instead of x_b (8k); then
  // dW_K1 = x^T da1 = (da1^T x)^T, the same sums.
  const transposed = tf.getBackend() === "wasm" && shortcuts.transposedLayerOne &&
    blocks.length === 1;
  const da1T = transposed ? batchMatMul(s.xT, tf.transpose(ds1[0], [0, 2, 1])) : undefined;
  let rows: tf.Tensor2D | undefined; // da1 [rows, d], made when needed
  const da1 = () =>
    rows ??= da1T
      ? tf.transpose(da1T, [0, 2, 1]).reshape([batch * seq, d]) as tf.Tensor2D
      : times(ds1, s.x);
  if (want("wK1")) {
    const product = da1T // [d, d]
      ? tf.transpose(tf.matMul(tf.transpose(da1T, [1, 0, 2]).reshape([d, batch * seq]), s.x))
      : tf.matMul(rowsT(s.x), da1());
    grads.wK1 = product.div(Math.sqrt(d));
  }
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
        .add(tf.matMul(da1(), w.tr(w.wK1)))
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
  const [batch, d] = s.xT.shape;
  const w = rowMatrices(params, config);
  const grads: Grads = {};
  const done = () => names.map((n) => grads[n]!);
  const rowsT = (r: tf.Tensor2D) => transposeRows(r, batch);
  const times = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTimesRows(m, r, blocks); // m_b r_b
  const timesT = (m: tf.Tensor3D[], r: tf.Tensor2D) => blockTransposeTimesRows(m, r, blocks);
  const dh = outputBackward(params, config, s, dLogits, want, grads, rowsT); // dL/dh2
  // h2 = h1 + g W_O2^T
  if (want("wO2")) grads.wO2 = tf.matMul(rowsT(dh), s.g);
  const below2 = BELOW_TWO.some(want);
  if (!want("wK2") && !want("wV2") && !below2) return done();
  // g = β2 v2 with v2 = h1 W_V2^T, so dβ2 = dg v2^T = (dh W_O2 W_V2) h1^T: one folded d×d
  // matrix instead of two products with the rows
  const dgV = tf.matMul(dh, tf.matMul(need(params, "wO2"), need(params, "wV2"))) as tf.Tensor2D;
  const ds2 = blockSoftmaxBackward(s.p2, blockScores(dgV, s.h1T, blocks, true));
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
  layerOneBackward(params, config, s, dh1, want, grads, blocks, w);
  return done();
}

/**
 * {@linkcode fastBackward} for the forward pass with `lossRows`: dL/dlogits is read only at the
 * kept rows (the others' logits are constants), so the output, W_O2 and layer 2's query side
 * work on k rows; the key and value paths bring dL/dh1 back to every row, and layer 1's
 * backward pass runs on all of them as before.
 */
function rowsBackward(
  params: Params,
  config: ModelConfig,
  s: SavedRows,
  dLogits: tf.Tensor2D,
  names: ParamName[],
  blocks: CausalBlock[],
  g: RowGroups,
): tf.Tensor[] {
  // No kept row: the loss reads nothing (a product over k = 0 rows is not zeros on every backend)
  if (g.rows.length === 0) return names.map((n) => tf.zerosLike(need(params, n)));
  const want = (n: ParamName) => names.includes(n);
  const d = config.dim;
  const w = rowMatrices(params, config);
  const grads: Grads = {};
  const done = () => names.map((n) => grads[n]!);
  const packedT = (r: tf.Tensor2D) => transposeRows(r, 1); // [k, c] -> [c, k]
  const dh = outputBackward(params, config, s, gatherRows(dLogits, g), want, grads, packedT);
  // h2 = h1 + g W_O2^T, at the kept rows
  if (want("wO2")) grads.wO2 = tf.matMul(packedT(dh), s.g);
  const below2 = BELOW_TWO.some(want);
  if (!want("wK2") && !want("wV2") && !below2) return done();
  const dgV = tf.matMul(dh, tf.matMul(need(params, "wO2"), need(params, "wV2"))) as tf.Tensor2D;
  const dp2 = groupScores(dgV, s.h1, g); // [k, seq]
  const ds2 = s.p2.mul(dp2.sub(dp2.mul(s.p2).sum(-1, true))) as tf.Tensor2D; // softmax backward
  const da2 = groupTimesRows(ds2, s.h1T, g); // [k, d]
  if (want("wK2")) grads.wK2 = tf.matMul(packedT(s.h1q), da2).div(Math.sqrt(d));
  if (want("wV2")) {
    const dg = tf.matMul(dh, need(params, "wO2")) as tf.Tensor2D;
    grads.wV2 = tf.matMul(transposeRows(groupTransposeTimes(s.p2, dg, g), g.batch), s.h1);
  }
  if (!below2) return done();
  // dL/dh1: the residual and the query path at the kept rows, the value and key paths everywhere,
  // added in fastBackward's order: the same float32 sums, so the same bits as the full path
  const dh1 = scatterRows(dh, g)
    .add(groupTransposeTimes(s.p2, dgV, g))
    .add(scatterRows(tf.matMul(da2, w.tr(w.wK2)) as tf.Tensor2D, g))
    .add(groupTransposeTimes(ds2, s.a2, g)) as tf.Tensor2D;
  layerOneBackward(params, config, s, dh1, want, grads, blocks, w);
  return done();
}

/** Backends whose tensors live in this process's memory: reading one is a copy, not a stall. */
const HOST_BACKENDS = ["wasm", "cpu"];

/**
 * The rows of `lossRows` as groups; undefined when every row is kept (the plain path is then
 * cheaper) or when the backend is a GPU's, where finding the rows would read the mask back and
 * stall the device every step (the plain path runs, and the other rows are zeroed).
 */
function keptRows(lossRows: tf.Tensor | undefined, batch: number, seq: number) {
  if (lossRows === undefined) return undefined;
  if (!(lossRows instanceof tf.Tensor) || lossRows.shape.join() !== [batch, seq].join()) {
    throw new Error(
      `forward: lossRows must be a [batch, seq] = [${batch}, ${seq}] tensor (the loss mask), got ${
        lossRows instanceof tf.Tensor ? `shape [${lossRows.shape}]` : String(lossRows)
      }`,
    );
  }
  if (!HOST_BACKENDS.includes(tf.getBackend())) return undefined;
  // The backend's own memory, as a kernel reads it (no Tensor readback, see lib/train/trainer.ts)
  const mask = tf.backend().readSync(lossRows.dataId) as ArrayLike<number>;
  const groups = rowGroups(mask, batch, seq);
  return groups.rows.length === batch * seq ? undefined : groups;
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
 * // a loss that reads two rows: only their logits are computed (the others are 0)
 * const lossRows = tf.tensor2d([[0, 1, ...new Array(14).fill(0)], [...new Array(15).fill(0), 1]]);
 * forward(params, config, ids, { lossRows }).logits.shape; // [2, 16, 65]
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
  const n = config.vocabSize;
  const names = PARAM_NAMES.filter((name) => params[name]?.trainable);
  const blocks = causalBlocks(seq, options.causalBlock);
  const groups = keptRows(options.lossRows, batch, seq);
  if (options.lossRows && options.attention) {
    throw new Error(
      "forward: attention maps need every row; do not combine attention with lossRows",
    );
  }
  let attention: tf.Tensor3D[] = [];
  const keepAttention = (s: Saved) => {
    if (options.attention) attention = [tf.keep(blockFull(s.p1)), tf.keep(blockFull(s.p2))];
  };
  const logitsOf = (h3: tf.Tensor2D) => tf.matMul(h3, tf.transpose(need(params, "wU")));
  // Every row, or the kept rows put back in place among zero rows: [batch, seq, N]
  const full = (s: Saved) => {
    const logits = logitsOf(s.h3).reshape([batch, seq, n]);
    // lossRows not used for speed here (every row kept, or a GPU backend): still 0 elsewhere
    if (!options.lossRows) return logits;
    return logits.mul(tf.notEqual(options.lossRows, 0).expandDims(-1).toFloat());
  };
  const kept = (s: SavedRows, g: RowGroups) =>
    scatterRows(logitsOf(s.h3) as tf.Tensor2D, g).reshape([batch, seq, n]);
  const run = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    if (groups) {
      const s = rowsForwardValues(params, config, inputs, blocks, groups, true);
      saveShared(save, flattenSaved(s, SAVED_ROWS_KEYS));
      return {
        value: kept(s, groups),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const restored = restoreSaved<SavedRows>(saved, SAVED_ROWS_KEYS, blocks.length, false);
          const dLogits = dy.reshape([batch * seq, n]) as tf.Tensor2D;
          return rowsBackward(params, config, restored, dLogits, names, blocks, groups);
        },
      };
    }
    const s = fastForwardValues(params, config, inputs, blocks, true);
    saveShared(save, flattenSaved(s, SAVED_KEYS));
    keepAttention(s);
    return {
      value: full(s),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const restored = restoreSaved<Saved>(saved, SAVED_KEYS, blocks.length, true);
        const dLogits = dy.reshape([batch * seq, n]) as tf.Tensor2D;
        return fastBackward(params, config, restored, dLogits, names, blocks);
      },
    };
  });
  const logits = (names.length > 0 ? run(...names.map((name) => params[name]!)) : tf.tidy(() => {
    if (groups) {
      return kept(rowsForwardValues(params, config, inputs, blocks, groups, false), groups);
    }
    const s = fastForwardValues(params, config, inputs, blocks, false);
    keepAttention(s);
    return full(s);
  })) as tf.Tensor3D;
  if (!options.attention) return { logits };
  // The maps were kept out of the forward's scope; hand back tracked clones instead.
  const [attn1, attn2] = attention.map((t) => t.clone());
  tf.dispose(attention);
  return { logits, attn1, attn2 };
}
