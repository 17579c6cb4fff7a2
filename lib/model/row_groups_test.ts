import * as tf from "@tensorflow/tfjs";
import { assertAllClose, assertArrayEqual, check } from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  gatherRows,
  groupMaskBias,
  groupScores,
  groupTimesRows,
  groupTransposeTimes,
  rowGroups,
  scatterRows,
} from "./row_groups.ts";

const info = await initBackend(backendFromEnv());
const backend = `on ${info.name}`; // wasm: one XNNPACK call per sequence; others: padded groups

/** A ragged mask: sequence 1 keeps no row, sequence 3 every row, the others some. */
function raggedMask(batch: number, seq: number, seed: number): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: batch * seq }, (_, i) => {
    const b = Math.floor(i / seq);
    return b === 1 ? 0 : b === 3 ? 1 : rng.int(3) === 0 ? 1 : 0;
  });
}

function random(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, "float32", seed);
}

Deno.test(`rowGroups: rows, positions and starts of a ragged mask (${backend})`, () => {
  const g = rowGroups([0, 1, 1, 0, 0, 0, 1, 0, 1], 3, 3);
  assertArrayEqual([...g.rows], [1, 2, 6, 8], "rows");
  assertArrayEqual([...g.positions], [1, 2, 0, 2], "positions");
  assertArrayEqual(g.starts, [0, 2, 2, 4], "starts");
  let message = "";
  try {
    rowGroups([1, 0], 2, 2);
  } catch (e) {
    message = (e as Error).message;
  }
  check(/2 entries for \[2, 2\]/.test(message), `a wrong-sized mask: got "${message}"`);
});

Deno.test(`row groups: the products equal the whole squares' kept rows (${backend})`, () => {
  const [batch, seq, c] = [5, 7, 4];
  const g = rowGroups(raggedMask(batch, seq, 1), batch, seq);
  const k = g.rows.length;
  check(k > 0 && k < batch * seq, `a ragged mask keeps some rows (kept ${k})`);
  tf.tidy(() => {
    const idx = tf.tensor1d(g.rows, "int32");
    const rows = random([batch * seq, c], 2) as tf.Tensor2D; // [batch*seq, c]
    const cols = random([batch * seq, c], 3) as tf.Tensor2D; // the keys, as rows
    const square = random([batch, seq, seq], 4) as tf.Tensor3D;
    const rowsOfSquare = (m: tf.Tensor3D) => tf.gather(m.reshape([-1, seq]), idx) as tf.Tensor2D;
    // scores: the whole per-sequence product, then the kept rows
    const q = gatherRows(rows, g);
    const full = tf.matMul(
      rows.reshape([batch, seq, c]),
      cols.reshape([batch, seq, c]),
      false,
      true,
    );
    assertAllClose(groupScores(q, cols, g), rowsOfSquare(full as tf.Tensor3D), {
      atol: 1e-5,
      what: "scores",
    });
    // kept rows of a square times the rows
    const p = rowsOfSquare(square); // [k, seq]
    const times = tf.matMul(square, rows.reshape([batch, seq, c])).reshape([-1, c]);
    const rowsT = tf.transpose(rows.reshape([batch, seq, c]), [0, 2, 1]) as tf.Tensor3D;
    assertAllClose(groupTimesRows(p, rowsT, g), tf.gather(times, idx), {
      atol: 1e-5,
      what: "square times rows",
    });
    // the square with only its kept rows (others 0), transposed, times packed rows
    const keep = tf.tensor1d(raggedMask(batch, seq, 1)).reshape([batch, seq, 1]);
    const r = random([k, c], 5) as tf.Tensor2D;
    const expected = tf.matMul(
      square.mul(keep),
      scatterRows(r, g).reshape([batch, seq, c]),
      true,
      false,
    ).reshape([-1, c]);
    const got = groupTransposeTimes(p, r, g);
    assertAllClose(got, expected, { atol: 1e-5, what: "square transposed times rows" });
    assertAllClose(got.slice([seq, 0], [seq, c]).abs().max(), 0, {
      atol: 0,
      what: "a sequence with no kept row gets zeros",
    });
  });
});

Deno.test(`row groups: gather, scatter and the causal mask of the kept rows (${backend})`, () => {
  const g = rowGroups([0, 1, 1, 0, 1, 0], 2, 3);
  tf.tidy(() => {
    const rows = tf.tensor2d([[1], [2], [3], [4], [5], [6]]);
    assertArrayEqual(gatherRows(rows, g), [[2], [3], [5]], "gatherRows");
    assertArrayEqual(
      scatterRows(gatherRows(rows, g), g),
      [[0], [2], [3], [0], [5], [0]],
      "scatter",
    );
    const m = -1e9;
    assertArrayEqual(
      groupMaskBias(g),
      [[0, 0, m], [0, 0, 0], [0, 0, m]],
      "mask of positions 1, 2, 1",
    );
  });
});

Deno.test(`row groups: no kept row at all gives empty products (${backend})`, () => {
  const g = rowGroups([0, 0, 0, 0], 2, 2);
  tf.tidy(() => {
    const out = groupTransposeTimes(tf.zeros([0, 2]), tf.zeros([0, 3]), g);
    assertArrayEqual(out, [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], "zeros");
    check(groupScores(tf.zeros([0, 3]), tf.ones([4, 3]), g).shape[0] === 0, "no score rows");
  });
});
