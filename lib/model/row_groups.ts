/**
 * The rows a loss reads, grouped by sequence, and the attention products on those rows only.
 *
 * The `cpu` run's loss reads about a quarter of the positions (the in-context targets), a
 * different number in each sequence (0 to 63 of 64). The second layer's queries, its output and
 * the unembedding are needed only there, so the fast forward pass (`forward(..., { lossRows })`)
 * computes them on the kept rows, packed one sequence after the other into `[k, ·]`: query rows
 * of sequence b are the packed rows `starts[b]..starts[b + 1]`. Their products with the keys
 * and values of their own sequence are ragged (a different number of rows per sequence): on wasm
 * each sequence's product is one XNNPACK call on views ({@linkcode segmentMatMul}); on other
 * backends the groups are padded to the longest one and multiplied as one batched product.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { groupScores, rowGroups } from "@lib/model/row_groups.ts";
 * const groups = rowGroups([0, 1, 1, 0, 0, 1], 2, 3); // rows 1, 2 of sequence 0, row 2 of sequence 1
 * groups.starts; // [0, 2, 3]
 * groupScores(tf.ones([3, 4]), tf.ones([6, 4]), groups).shape; // [3, 3]
 * ```
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  copyRows,
  type Segment,
  segmentMatMul,
  shortcuts,
  transposePerSequence,
} from "./batch_matmul.ts";

/** The kept rows of a `[batch, seq]` grid, grouped by sequence. */
export interface RowGroups {
  /** Sequences. */
  batch: number;
  /** Positions per sequence. */
  seq: number;
  /** The flat index b·seq + t of each kept row, in order: `[k]`. */
  rows: Int32Array;
  /** The position t of each kept row: `[k]`. */
  positions: Int32Array;
  /** Sequence b's kept rows are the packed rows `starts[b]..starts[b + 1]`: `[batch + 1]`. */
  starts: number[];
}

/**
 * The rows where `mask` (`[batch, seq]`, flat) is nonzero, grouped by sequence.
 *
 * @example
 * ```ts
 * import { rowGroups } from "@lib/model/row_groups.ts";
 * const g = rowGroups([1, 0, 0, 1], 2, 2);
 * [...g.rows]; // [0, 3]
 * [...g.positions]; // [0, 1]
 * ```
 */
export function rowGroups(mask: ArrayLike<number>, batch: number, seq: number): RowGroups {
  if (mask.length !== batch * seq) {
    throw new Error(`rowGroups: a mask of ${mask.length} entries for [${batch}, ${seq}]`);
  }
  const rows: number[] = [];
  const starts = [0];
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < seq; t++) if (mask[b * seq + t] !== 0) rows.push(b * seq + t);
    starts.push(rows.length);
  }
  return {
    batch,
    seq,
    rows: Int32Array.from(rows),
    positions: Int32Array.from(rows, (r) => r % seq),
    starts,
  };
}

/** Rows kept in sequence b. */
function count(g: RowGroups, b: number): number {
  return g.starts[b + 1] - g.starts[b];
}

/**
 * The causal mask of the kept rows `[k, seq]`: 0 where key s <= the row's position t, -1e9 above.
 *
 * @example
 * ```ts
 * import { groupMaskBias, rowGroups } from "@lib/model/row_groups.ts";
 * groupMaskBias(rowGroups([0, 1], 1, 2)).arraySync(); // [[0, 0]]
 * ```
 */
export function groupMaskBias(g: RowGroups): tf.Tensor2D {
  const bias = new Float32Array(g.rows.length * g.seq);
  g.positions.forEach((t, i) => bias.fill(-1e9, i * g.seq + t + 1, (i + 1) * g.seq));
  return tf.tensor2d(bias, [g.rows.length, g.seq]);
}

/**
 * The kept rows of `rows` `[batch*seq, c]`, packed: `[k, c]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { gatherRows, rowGroups } from "@lib/model/row_groups.ts";
 * gatherRows(tf.tensor2d([[1], [2]]), rowGroups([0, 1], 1, 2)).arraySync(); // [[2]]
 * ```
 */
export function gatherRows(rows: tf.Tensor2D, g: RowGroups): tf.Tensor2D {
  return copyRows(rows, g.rows.length, g.rows, packedIndex(g));
}

/** 0, 1, ..., k - 1: the packed rows in order. */
function packedIndex(g: RowGroups): Int32Array {
  return Int32Array.from(g.rows, (_, i) => i);
}

/**
 * Packed rows `[k, c]` put back in their places of a `[batch*seq, c]` matrix, zeros elsewhere.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { rowGroups, scatterRows } from "@lib/model/row_groups.ts";
 * scatterRows(tf.tensor2d([[2]]), rowGroups([0, 1], 1, 2)).arraySync(); // [[0], [2]]
 * ```
 */
export function scatterRows(packed: tf.Tensor2D, g: RowGroups): tf.Tensor2D {
  return copyRows(packed, g.batch * g.seq, packedIndex(g), g.rows);
}

/** Padded layout for other backends: packed row i sits at row b·longest + j. */
function padIndex(g: RowGroups): { longest: number; into: Int32Array; back: Int32Array } {
  const k = g.rows.length;
  const longest = Math.max(1, ...Array.from({ length: g.batch }, (_, b) => count(g, b)));
  const into = new Int32Array(g.batch * longest).fill(k); // padding reads the zero row k
  const back = new Int32Array(k);
  for (let b = 0; b < g.batch; b++) {
    for (let j = 0; j < count(g, b); j++) {
      into[b * longest + j] = g.starts[b] + j;
      back[g.starts[b] + j] = b * longest + j;
    }
  }
  return { longest, into, back };
}

/** Packed rows `[k, c]` as zero-padded groups `[batch, longest, c]`. */
function padGroups(packed: tf.Tensor2D, g: RowGroups, longest: number, into: Int32Array) {
  const withZero = tf.concat([packed, tf.zeros([1, packed.shape[1]])]);
  return tf.gather(withZero, tf.tensor1d(into, "int32"))
    .reshape([g.batch, longest, packed.shape[1]]) as tf.Tensor3D;
}

/**
 * Each sequence's kept query rows times its own keys: `q_b @ cols_bᵀ` for packed queries `q`
 * `[k, c]` and keys `cols` given as rows `[batch*seq, c]`; returns packed `[k, seq]`.
 *
 * On wasm each product is computed as `(cols_b @ q_bᵀ)ᵀ` (segmentMatMul's `packA`): XNNPACK
 * then copies the few query rows instead of the sequence's whole key matrix; same bits.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { groupScores, rowGroups } from "@lib/model/row_groups.ts";
 * groupScores(tf.ones([1, 2]), tf.ones([3, 2]), rowGroups([0, 1, 0], 1, 3)).arraySync(); // [[2, 2, 2]]
 * ```
 */
export function groupScores(q: tf.Tensor2D, cols: tf.Tensor2D, g: RowGroups): tf.Tensor2D {
  const [k, c] = q.shape;
  const seq = g.seq;
  if (tf.getBackend() === "wasm") {
    const packA = shortcuts.reorient;
    const segments: Segment[] = [];
    for (let b = 0; b < g.batch; b++) {
      const s = g.starts[b];
      segments.push({ a: s * c, b: b * seq * c, out: s * seq, m: count(g, b), k: c, n: seq });
    }
    return tf.tidy(() => {
      const right = packA ? cols : transposePerSequence(cols, g.batch); // B^T [seq, c] or B [c, seq] per sequence
      return segmentMatMul(q, right, [k, seq], segments, { packA }) as tf.Tensor2D;
    });
  }
  return tf.tidy(() => {
    const { longest, into, back } = padIndex(g);
    const colsT = transposePerSequence(cols, g.batch); // [batch, c, seq]
    const scores = tf.matMul(padGroups(q, g, longest, into), colsT); // [batch, longest, seq]
    return tf.gather(scores.reshape([-1, seq]), tf.tensor1d(back, "int32")) as tf.Tensor2D;
  });
}

/**
 * Each sequence's kept rows of a square times that sequence's rows: `p_b @ rows_b` for packed
 * `p` `[k, seq]`, the rows given as their per-sequence transposes `rowsT` `[batch, c, seq]`;
 * returns packed `[k, c]`.
 *
 * On wasm each product is computed as `(rows_bᵀ @ p_bᵀ)ᵀ` (segmentMatMul's `packA`, which
 * reads `rows_bᵀ`): XNNPACK then copies the few rows of p instead of the sequence's rows; same
 * bits.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { groupTimesRows, rowGroups } from "@lib/model/row_groups.ts";
 * const rowsT = tf.tensor3d([[[2, 4]]]); // the rows [[2], [4]] of the one sequence, transposed
 * groupTimesRows(tf.tensor2d([[0.5, 0.5]]), rowsT, rowGroups([0, 1], 1, 2)).arraySync(); // [[3]]
 * ```
 */
export function groupTimesRows(p: tf.Tensor2D, rowsT: tf.Tensor3D, g: RowGroups): tf.Tensor2D {
  const [k, seq] = p.shape;
  const c = rowsT.shape[1];
  if (tf.getBackend() === "wasm") {
    const packA = shortcuts.reorient;
    const segments: Segment[] = [];
    for (let b = 0; b < g.batch; b++) {
      const s = g.starts[b];
      segments.push({ a: s * seq, b: b * c * seq, out: s * c, m: count(g, b), k: seq, n: c });
    }
    return tf.tidy(() => {
      const right = packA ? rowsT : transposePerSequence(rowsT, g.batch); // B^T [c, seq] or B [seq, c] per sequence
      return segmentMatMul(p, right, [k, c], segments, { packA }) as tf.Tensor2D;
    });
  }
  return tf.tidy(() => {
    const { longest, into, back } = padIndex(g);
    const out = tf.matMul(padGroups(p, g, longest, into), transposePerSequence(rowsT, g.batch));
    return tf.gather(out.reshape([-1, c]), tf.tensor1d(back, "int32")) as tf.Tensor2D;
  });
}

/**
 * Each sequence's kept rows of a square, transposed, times packed rows: `p_bᵀ @ r_b` for packed
 * `p` `[k, seq]` and `r` `[k, c]`; returns every sequence's rows `[batch*seq, c]` (zeros for a
 * sequence with no kept row).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { groupTransposeTimes, rowGroups } from "@lib/model/row_groups.ts";
 * groupTransposeTimes(tf.tensor2d([[0.5, 0.5]]), tf.tensor2d([[2]]), rowGroups([0, 1], 1, 2)).arraySync(); // [[1], [1]]
 * ```
 */
export function groupTransposeTimes(p: tf.Tensor2D, r: tf.Tensor2D, g: RowGroups): tf.Tensor2D {
  const seq = p.shape[1];
  const c = r.shape[1];
  if (tf.getBackend() === "wasm") {
    const segments: Segment[] = [];
    for (let b = 0; b < g.batch; b++) {
      const s = g.starts[b];
      segments.push({ a: s * seq, b: s * c, out: b * seq * c, m: seq, k: count(g, b), n: c });
    }
    return segmentMatMul(p, r, [g.batch * seq, c], segments, {
      transposeA: true,
    }) as tf.Tensor2D;
  }
  return tf.tidy(() => {
    const { longest, into } = padIndex(g);
    const pt = tf.transpose(padGroups(p, g, longest, into), [0, 2, 1]); // [batch, seq, longest]
    return tf.matMul(pt, padGroups(r, g, longest, into)).reshape([-1, c]) as tf.Tensor2D;
  });
}
