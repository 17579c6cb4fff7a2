/**
 * The causal attention square `[batch, seq, seq]` (scores, weights and their gradients) computed
 * only on the blocks at or below the diagonal: the rows are cut into blocks of `size` queries, and
 * block i (rows `start..end`) needs only the keys `0..end`, so its scores are one product
 * `[batch, rows, d] @ [batch, d, end]`. A square is held as its list of block rows
 * `[batch, rows_i, end_i]`; with one block (`size` >= seq, the default) that is the whole square
 * and every function below is exactly the plain per-sequence product, with the same kernels.
 *
 * The fast forward pass of lib/model (`forward(..., { causalBlock })`) runs its attention through
 * these functions. The work of the per-sequence products falls from seq² to Σ_i rows_i · end_i
 * per sequence and feature ({@linkcode blockedEntries}): 5/8 of it with 4 blocks, about half
 * with many small ones, at the price of more, smaller products, slices and pads.
 *
 * @example
 * ```ts
 * import { blockedEntries, causalBlocks } from "@lib/model/causal_blocks.ts";
 * causalBlocks(64, 32); // [{ start: 0, end: 32 }, { start: 32, end: 64 }]
 * blockedEntries(64, 32); // 3072 of the 4096 entries of the 64×64 square
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { batchMatMul } from "./batch_matmul.ts";

/** The rows `start..end` (end exclusive) of one block; its keys are `0..end`. */
export interface CausalBlock {
  /** First query row. */
  start: number;
  /** One past the last query row: also the number of keys the block sees. */
  end: number;
}

/** A large negative score for masked (future) keys: exp(-1e9) is exactly 0 in float32. */
const MASKED = -1e9;

/**
 * The blocks of a causal square of `seq` rows cut every `size` rows (the last one may be
 * shorter); one block when `size` is undefined or at least `seq`.
 *
 * @example
 * ```ts
 * import { causalBlocks } from "@lib/model/causal_blocks.ts";
 * causalBlocks(5, 2); // [{ start: 0, end: 2 }, { start: 2, end: 4 }, { start: 4, end: 5 }]
 * causalBlocks(5).length; // 1
 * ```
 */
export function causalBlocks(seq: number, size?: number): CausalBlock[] {
  if (size !== undefined && !(Number.isInteger(size) && size >= 1)) {
    throw new Error(`causal blocks: the block size must be an integer >= 1, got ${size}`);
  }
  const step = size === undefined ? seq : Math.min(size, seq);
  const blocks: CausalBlock[] = [];
  for (let start = 0; start < seq; start += step) {
    blocks.push({ start, end: Math.min(seq, start + step) });
  }
  return blocks;
}

/**
 * How many entries of the `seq × seq` square the blocks compute (per sequence): Σ rows_i · end_i.
 * Every per-sequence product of the attention costs this times 2·d FLOPs.
 *
 * @example
 * ```ts
 * import { blockedEntries } from "@lib/model/causal_blocks.ts";
 * blockedEntries(256, 64); // 40960 = 5/8 of 256²
 * blockedEntries(256); // 65536: the whole square
 * ```
 */
export function blockedEntries(seq: number, size?: number): number {
  return causalBlocks(seq, size).reduce((s, b) => s + (b.end - b.start) * b.end, 0);
}

/**
 * The additive causal mask of each block `[rows_i, end_i]`: 0 where key s <= query t, -1e9 above.
 * With one block it is the whole `[seq, seq]` mask.
 *
 * @example
 * ```ts
 * import { blockMasks, causalBlocks } from "@lib/model/causal_blocks.ts";
 * blockMasks(causalBlocks(4, 2))[1].arraySync(); // [[0, 0, 0, -1e9], [0, 0, 0, 0]]
 * ```
 */
export function blockMasks(blocks: CausalBlock[]): tf.Tensor2D[] {
  return blocks.map(({ start, end }) =>
    tf.tidy(() => {
      // keep s <= t + start: a band of `start` diagonals above the main one
      const allowed = tf.linalg.bandPart(tf.ones([end - start, end]), -1, start);
      return tf.sub(1, allowed).mul(MASKED) as tf.Tensor2D;
    })
  );
}

/** Rows `[batch*seq, c]` as per-sequence matrices `[batch, seq, c]`. */
function perSequence(rows: tf.Tensor2D, batch: number): tf.Tensor3D {
  return rows.reshape([batch, rows.shape[0] / batch, rows.shape[1]]);
}

/** Rows `start..end` of every sequence of `m` `[batch, seq, c]` (no copy for all of them). */
function rowRange(m: tf.Tensor3D, start: number, end: number): tf.Tensor3D {
  const [batch, seq, c] = m.shape;
  return start === 0 && end === seq ? m : m.slice([0, start, 0], [batch, end - start, c]);
}

/**
 * The scores of the blocks: `rows_b @ colsT_b` restricted to each block, for rows
 * `[batch*seq, k]` and the per-sequence right operand `colsT` `[batch, k, seq]`. With `keep`
 * and one block, colsT stays packed for the next call with it (batchMatMul's `keepB`): for a
 * forward pass whose backward pass multiplies by the same colsT.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockScores, causalBlocks } from "@lib/model/causal_blocks.ts";
 * const s = blockScores(tf.ones([8, 3]), tf.ones([2, 3, 4]), causalBlocks(4, 2));
 * s.map((b) => b.shape); // [[2, 2, 2], [2, 2, 4]]
 * ```
 */
export function blockScores(
  rows: tf.Tensor2D,
  colsT: tf.Tensor3D,
  blocks: CausalBlock[],
  keep = false,
): tf.Tensor3D[] {
  const [batch, k, seq] = colsT.shape;
  const q = perSequence(rows, batch);
  return blocks.map(({ start, end }) => {
    if (end === seq) return batchMatMul(rowRange(q, start, end), colsT, { keepB: keep });
    return batchMatMul(rowRange(q, start, end), colsT.slice([0, 0, 0], [batch, k, end]));
  });
}

/**
 * Softmax of each block row after its causal mask ({@linkcode blockMasks}): the attention
 * weights, 0 above the diagonal.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockMasks, blockSoftmax, causalBlocks } from "@lib/model/causal_blocks.ts";
 * const blocks = causalBlocks(2);
 * blockSoftmax([tf.zeros([1, 2, 2])], blockMasks(blocks))[0].arraySync(); // [[[1, 0], [0.5, 0.5]]]
 * ```
 */
export function blockSoftmax(scores: tf.Tensor3D[], masks: tf.Tensor2D[]): tf.Tensor3D[] {
  return scores.map((s, i) => tf.softmax(s.add(masks[i])) as tf.Tensor3D);
}

/**
 * Backward of the softmax, block by block: dS = P ⊙ (dP − Σ_s dP ⊙ P). A block row holds every
 * key its rows may see, so the row sums are complete.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockSoftmaxBackward } from "@lib/model/causal_blocks.ts";
 * blockSoftmaxBackward([tf.tensor3d([[[1, 0]]])], [tf.tensor3d([[[2, 3]]])])[0].arraySync(); // [[[0, 0]]]
 * ```
 */
export function blockSoftmaxBackward(p: tf.Tensor3D[], dp: tf.Tensor3D[]): tf.Tensor3D[] {
  return p.map((pi, i) => pi.mul(dp[i].sub(dp[i].mul(pi).sum(-1, true))) as tf.Tensor3D);
}

/**
 * `square_b @ rows_b` for every sequence: block row i times the rows `0..end_i`. Rows in and out
 * are `[batch*seq, c]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockTimesRows, causalBlocks } from "@lib/model/causal_blocks.ts";
 * const blocks = causalBlocks(2, 1);
 * const square = [tf.tensor3d([[[1]]]), tf.tensor3d([[[0.5, 0.5]]])];
 * blockTimesRows(square, tf.tensor2d([[2], [4]]), blocks).arraySync(); // [[2], [3]]
 * ```
 */
export function blockTimesRows(
  square: tf.Tensor3D[],
  rows: tf.Tensor2D,
  blocks: CausalBlock[],
): tf.Tensor2D {
  const batch = square[0].shape[0];
  const r = perSequence(rows, batch);
  const parts = blocks.map(({ end }, i) => batchMatMul(square[i], rowRange(r, 0, end)));
  const out = parts.length === 1 ? parts[0] : tf.concat(parts, 1);
  return out.reshape([rows.shape[0], rows.shape[1]]);
}

/**
 * `square_bᵀ @ rows_b` for every sequence: block row i, transposed, times the rows
 * `start_i..end_i`, summed into the rows `0..end_i`. Rows in and out are `[batch*seq, c]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockTransposeTimesRows, causalBlocks } from "@lib/model/causal_blocks.ts";
 * const blocks = causalBlocks(2, 1);
 * const square = [tf.tensor3d([[[1]]]), tf.tensor3d([[[0.5, 0.5]]])];
 * blockTransposeTimesRows(square, tf.tensor2d([[2], [4]]), blocks).arraySync(); // [[4], [2]]
 * ```
 */
export function blockTransposeTimesRows(
  square: tf.Tensor3D[],
  rows: tf.Tensor2D,
  blocks: CausalBlock[],
): tf.Tensor2D {
  const batch = square[0].shape[0];
  const r = perSequence(rows, batch);
  const [, seq, c] = r.shape;
  const parts = blocks.map(({ start, end }, i) => {
    const product = batchMatMul(tf.transpose(square[i], [0, 2, 1]), rowRange(r, start, end));
    return end === seq ? product : product.pad([[0, 0], [0, seq - end], [0, 0]]);
  });
  const out = parts.length === 1 ? parts[0] : tf.addN(parts);
  return out.reshape([batch * seq, c]);
}

/**
 * The whole square `[batch, seq, seq]` from its block rows (zeros above the blocks).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { blockFull } from "@lib/model/causal_blocks.ts";
 * blockFull([tf.tensor3d([[[1]]]), tf.tensor3d([[[0.5, 0.5]]])]).arraySync(); // [[[1, 0], [0.5, 0.5]]]
 * ```
 */
export function blockFull(square: tf.Tensor3D[]): tf.Tensor3D {
  if (square.length === 1) return square[0];
  const seq = square[square.length - 1].shape[2];
  const padded = square.map((b) => {
    const end = b.shape[2];
    return end === seq ? b : b.pad([[0, 0], [0, 0], [0, seq - end]]);
  });
  return tf.concat(padded, 1) as tf.Tensor3D;
}
