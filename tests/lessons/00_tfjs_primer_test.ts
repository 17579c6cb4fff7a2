/**
 * Tests of lesson 0's exercises (the TensorFlow.js primer). Expected values come from plain
 * JavaScript loops over arrays written below, independent of the learner's code; each classic
 * mistake (float32 ids, `x @ W` for `x @ W^T`, a mean without `keepDims`, argmax over the wrong
 * axis, a gradient ascent, ...) is recognised and named in the failure message.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  accuracy,
  applyToRows,
  centerRows,
  embedRows,
  flattenBatch,
  onBackend,
  readRows,
  readScalar,
  rowNorms,
  sgdStep,
  squaredErrorGrad,
  sumOfOuterProducts,
  tensorsLeftBy,
  tokenTensor,
  zeroBefore,
} from "@exercises/00_tfjs_primer/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertArrayEqual,
  assertNoLeak,
  assertShape,
  assertUnchanged,
  check,
  CourseAssertionError,
  exerciseCase,
  NotImplementedError,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

// ---------------------------------------------------------------- slow references

type M = number[][];

/** A `[rows, cols]` array of N(0, 1) draws. */
function randn(rng: Rng, rows: number, cols: number): M {
  return Array.from({ length: rows }, () => Array.from(rng.normals(cols, 1)));
}

function transpose(m: M): M {
  return m[0].map((_, j) => m.map((row) => row[j]));
}

/** A B for plain arrays. */
function matmul(a: M, b: M): M {
  return a.map((row) => b[0].map((_, k) => row.reduce((acc, v, j) => acc + v * b[j][k], 0)));
}

/** Runs `fn`, which must throw an error of the learner's own (not a stub); returns it. */
function thrown(fn: () => unknown): Error | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof NotImplementedError) throw error;
    return error as Error;
  }
  return undefined;
}

// ---------------------------------------------------------------- 0.1 tensors

Deno.test(exerciseCase("tokenTensor", "shape [batch, seq] and dtype int32", () => {
  const t = tokenTensor([[5, 1, 2], [0, 64, 3]]);
  check(t instanceof tf.Tensor, `tokenTensor should return a tensor, got ${typeof t}`);
  assertShape(t, [2, 3], "tokenTensor([[5, 1, 2], [0, 64, 3]])");
  check(
    t.dtype === "int32",
    `tokenTensor should make an int32 tensor, got ${t.dtype}. Token ids are integers: ` +
      '`tf.tensor2d(ids)` alone makes float32; pass "int32" as the dtype.',
  );
  t.dispose();
}));

Deno.test(exerciseCase("tokenTensor", "ids[b][t] is entry [b, t]", () => {
  const ids = [[5, 1, 2, 7], [0, 64, 3, 9]];
  const t = tokenTensor(ids);
  assertArrayEqual(t, ids, "tokenTensor(ids) compared with ids");
  t.dispose();
}));

Deno.test(exerciseCase("tokenTensor", "a seeded batch, its input left unchanged", () => {
  const rng = new Rng(3);
  const ids = Array.from({ length: 4 }, () => Array.from({ length: 9 }, () => rng.int(65)));
  const t = assertUnchanged({ ids }, () => tokenTensor(ids), "tokenTensor");
  assertArrayEqual(t, ids, "tokenTensor of a random [4, 9] batch");
  t.dispose();
}));

Deno.test(exerciseCase("flattenBatch", "[batch, seq, dim] -> [batch * seq, dim]", () => {
  const x = tf.zeros([2, 3, 4]) as tf.Tensor3D;
  const y = flattenBatch(x);
  assertShape(y, [6, 4], "flattenBatch(x [2, 3, 4])");
  tf.dispose([x, y]);
}));

Deno.test(exerciseCase("flattenBatch", "row b * seq + t is x[b][t] (a reshape)", () => {
  const rng = new Rng(4);
  const x = Array.from({ length: 2 }, () => randn(rng, 3, 3)); // [2, 3, 3]
  const xt = tf.tensor3d(x);
  const y = flattenBatch(xt);
  const swapped = [0, 1, 2].flatMap((t) => [0, 1].map((b) => x[b][t])); // [seq, batch] order
  assertAllClose(y, x.flat(), {
    what: "flattenBatch of a [2, 3, 3] batch",
    mistakes: [{
      value: swapped,
      means: "The rows come in the order (t, b): a transpose moved the data. Merging the first " +
        "two axes is a plain reshape, which keeps each sequence's rows together.",
    }],
  });
  tf.dispose([xt, y]);
}));

Deno.test(exerciseCase("flattenBatch", "keeps the dim axis whole (not [batch, seq * dim])", () => {
  const xt = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]); // [1, 3, 2]
  const y = flattenBatch(xt);
  assertShape(y, [3, 2], "flattenBatch(x [1, 3, 2]) (rows of dim = 2 numbers)");
  assertArrayEqual(y, [[1, 2], [3, 4], [5, 6]], "flattenBatch(x [1, 3, 2])");
  tf.dispose([xt, y]);
}));

// ---------------------------------------------------------------- 0.2 matMul

Deno.test(exerciseCase("applyToRows", "[n, in] and W [out, in] give [n, out]", () => {
  const x = tf.ones([3, 4]) as tf.Tensor2D;
  const w = tf.ones([2, 4]) as tf.Tensor2D;
  const y = applyToRows(x, w);
  assertShape(
    y,
    [3, 2],
    "applyToRows(x [3, 4], W [2, 4]) (W maps R^4 to R^2: x @ W^T is [3, 4] @ [4, 2])",
  );
  tf.dispose([x, w, y]);
}));

Deno.test(exerciseCase("applyToRows", "a tiny case: row i is W x_i, not W^T x_i", () => {
  // W e_1 = e_0: W = [[0, 1], [0, 0]]. x = [e_1, e_0]: W x_0 = e_0, W x_1 = 0.
  const x = tf.tensor2d([[0, 1], [1, 0]]);
  const w = tf.tensor2d([[0, 1], [0, 0]]);
  const y = applyToRows(x, w);
  assertAllClose(y, [[1, 0], [0, 0]], {
    what: "applyToRows([e_1, e_0], W = [[0, 1], [0, 0]])",
    mistakes: [{
      value: [[0, 0], [0, 1]],
      means: "This is x @ W, which applies W^T to each row. Row i must be W x_i = x_i W^T: " +
        "`tf.matMul(x, w, false, true)`.",
    }],
  });
  tf.dispose([x, w, y]);
}));

Deno.test(exerciseCase("applyToRows", "matches W x_i on a seeded batch", () => {
  const rng = new Rng(5);
  const x = randn(rng, 6, 4);
  const w = randn(rng, 4, 4);
  const [xt, wt] = [tf.tensor2d(x), tf.tensor2d(w)];
  const y = applyToRows(xt, wt);
  assertAllClose(y, matmul(x, transpose(w)), {
    atol: 1e-4,
    what: "applyToRows of a random x [6, 4] by a random W [4, 4]",
    mistakes: [{
      value: matmul(x, w),
      means: "This is x @ W (W^T applied to each row); the course's convention is x @ W^T.",
    }],
  });
  tf.dispose([xt, wt, y]);
}));

Deno.test(exerciseCase("sumOfOuterProducts", "[n, p] and [n, q] give [p, q]", () => {
  const a = tf.ones([5, 2]) as tf.Tensor2D;
  const b = tf.ones([5, 3]) as tf.Tensor2D;
  const m = sumOfOuterProducts(a, b);
  assertShape(m, [2, 3], "sumOfOuterProducts(a [5, 2], b [5, 3]) (Σ_i a_i b_i^T is [p, q])");
  tf.dispose([a, b, m]);
}));

Deno.test(exerciseCase("sumOfOuterProducts", "a tiny case: a_0 = e_0, b_0 = 2 e_1", () => {
  const a = tf.tensor2d([[1, 0]]);
  const b = tf.tensor2d([[0, 2]]);
  const m = sumOfOuterProducts(a, b);
  assertAllClose(m, [[0, 2], [0, 0]], {
    what: "sumOfOuterProducts([e_0], [2 e_1]) = e_0 (2 e_1)^T",
    mistakes: [{
      value: [[0, 0], [2, 0]],
      means: "This is Σ_i b_i a_i^T, the transpose: the result is A^T B, " +
        "`tf.matMul(a, b, true, false)`.",
    }],
  });
  tf.dispose([a, b, m]);
}));

Deno.test(exerciseCase("sumOfOuterProducts", "matches Σ_i a_i b_i^T on seeded rows", () => {
  const rng = new Rng(6);
  const a = randn(rng, 7, 3);
  const b = randn(rng, 7, 3);
  const [at, bt] = [tf.tensor2d(a), tf.tensor2d(b)];
  const m = sumOfOuterProducts(at, bt);
  const expected = matmul(transpose(a), b);
  assertAllClose(m, expected, {
    atol: 1e-4,
    what: "sumOfOuterProducts of random a, b [7, 3]",
    mistakes: [{
      value: transpose(expected),
      means: "Your matrix is transposed: Σ_i a_i b_i^T is A^T B, not B^T A.",
    }],
  });
  tf.dispose([at, bt, m]);
}));

// ---------------------------------------------------------------- 0.3 broadcasting

Deno.test(exerciseCase("centerRows", "shape [n, dim] unchanged", () => {
  const x = tf.ones([3, 5]) as tf.Tensor2D;
  const y = centerRows(x);
  assertShape(y, [3, 5], "centerRows(x [3, 5])");
  tf.dispose([x, y]);
}));

Deno.test(exerciseCase("centerRows", "a tiny case: each row minus its own mean", () => {
  const x = [[1, 3, 5], [10, 10, 10], [0, 0, 30]];
  const xt = tf.tensor2d(x);
  const y = centerRows(xt);
  const rowMeans = [3, 10, 10];
  const colMeans = [11 / 3, 13 / 3, 15];
  const all = 23 / 3;
  assertAllClose(y, [[-2, 0, 2], [0, 0, 0], [-10, -10, 20]], {
    atol: 1e-4,
    what: "centerRows([[1, 3, 5], [10, 10, 10], [0, 0, 30]])",
    mistakes: [
      {
        value: x.map((row) => row.map((v, j) => v - rowMeans[j])),
        means: "Row j's mean was subtracted from column j: the means have shape [n], which " +
          "broadcasting aligns with the last axis. Keep the reduced axis: " +
          "`tf.mean(x, -1, true)` is [n, 1].",
      },
      {
        value: x.map((row) => row.map((v, j) => v - colMeans[j])),
        means: "You subtracted each column's mean (axis 0); the mean is over each row (axis -1).",
      },
      {
        value: x.map((row) => row.map((v) => v - all)),
        means: "You subtracted the mean of the whole tensor; each row needs its own mean.",
      },
    ],
  });
  tf.dispose([xt, y]);
}));

Deno.test(exerciseCase("centerRows", "seeded rows sum to 0 and keep their differences", () => {
  const x = randn(new Rng(7), 4, 6);
  const xt = tf.tensor2d(x);
  const y = centerRows(xt);
  const expected = x.map((row) => {
    const m = row.reduce((a, b) => a + b, 0) / row.length;
    return row.map((v) => v - m);
  });
  assertAllClose(y, expected, { atol: 1e-4, what: "centerRows of a random [4, 6] matrix" });
  tf.dispose([xt, y]);
}));

// ---------------------------------------------------------------- 0.4 memory

Deno.test(exerciseCase("rowNorms", "a tiny case: 3-4-5 and [n] out", () => {
  const x = tf.tensor2d([[3, 4, 0], [0, 0, 2]]);
  const y = rowNorms(x);
  assertShape(y, [2], "rowNorms(x [2, 3]) (one norm per row)");
  assertAllClose(y, [5, 2], {
    what: "rowNorms([[3, 4, 0], [0, 0, 2]])",
    mistakes: [
      { value: [25, 4], means: "These are the squared norms: take `tf.sqrt` of the sums." },
      { value: [7, 2], means: "This is the sum of the entries, not √(Σ x²)." },
    ],
  });
  tf.dispose([x, y]);
}));

Deno.test(exerciseCase("rowNorms", "frees its intermediate tensors", async () => {
  const x = tf.tensor2d(randn(new Rng(8), 5, 4));
  tf.dispose(await assertNoLeak(() => rowNorms(x), "rowNorms"));
  x.dispose();
}));

Deno.test(exerciseCase("rowNorms", "seeded rows, input not disposed", () => {
  const x = randn(new Rng(9), 6, 5);
  const xt = tf.tensor2d(x);
  const y = assertUnchanged({ x: xt }, () => rowNorms(xt), "rowNorms");
  assertAllClose(y, x.map((r) => Math.hypot(...r)), {
    atol: 1e-4,
    what: "rowNorms of a random [6, 5]",
  });
  tf.dispose([xt, y]);
}));

Deno.test(exerciseCase("tensorsLeftBy", "a tidy function leaves 0 tensors", () => {
  const x = tf.ones([3]);
  const n = tensorsLeftBy(() => tf.tidy(() => x.add(1).mul(2)));
  check(
    n === 0,
    `tensorsLeftBy(a tidy function) should be 0, got ${n}` +
      (n === 1 ? ": the tensor fn returns does not count (subtract it)." : "."),
  );
  x.dispose();
}));

Deno.test(exerciseCase("tensorsLeftBy", "counts what a leaky function leaves", () => {
  const x = tf.ones([3]);
  const made: tf.Tensor[] = [];
  const before = tf.memory().numTensors;
  // x.add(1), .mul(2) and .sub(3) are left behind; .div(4) is returned.
  const n = tensorsLeftBy(() => {
    made.push(x.add(1));
    made.push(made[0].mul(2));
    made.push(made[1].sub(3));
    return made[2].div(4);
  });
  const left = tf.memory().numTensors - before;
  check(
    n === 3,
    `tensorsLeftBy(() => x.add(1).mul(2).sub(3).div(4)) should be 3 (add, mul and sub are never ` +
      `freed; div is returned), got ${n}` +
      (n === 4 ? ": do not count the tensor fn returns." : "."),
  );
  check(
    left === 3,
    `after tensorsLeftBy, ${left} tensors remain instead of the 3 that fn leaked: ` +
      (left === 4
        ? "dispose the tensor fn returned (the caller never sees it)."
        : "tensorsLeftBy itself should create or free nothing else."),
  );
  tf.dispose([x, ...made]);
}));

Deno.test(exerciseCase("tensorsLeftBy", "disposes the returned tensor, counts tensors", () => {
  let result: tf.Tensor | undefined;
  const big = tf.zeros([100]);
  const n = tensorsLeftBy(() => {
    result = tf.tidy(() => big.add(1)); // 400 bytes, one tensor
    return result;
  });
  check(
    n === 0,
    `a tidy fn returning one tensor of 100 values leaves 0 tensors, got ${n} (count ` +
      "tensors with `tf.memory().numTensors`, not bytes).",
  );
  check(result?.isDisposed === true, "tensorsLeftBy should dispose the tensor fn returned");
  big.dispose();
}));

// ---------------------------------------------------------------- 0.5 reading back

Deno.test(exerciseCase("readScalar", "returns a number, from any one-value shape", () => {
  const ts = [tf.scalar(2.5), tf.tensor1d([-3]), tf.tensor2d([[7]]), tf.scalar(4, "int32")];
  const got = ts.map((t) => readScalar(t));
  for (const v of got) {
    check(
      typeof v === "number",
      `readScalar should return a number, got ${Object.prototype.toString.call(v)}: ` +
        "`dataSync()` is a typed array; take its entry [0].",
    );
  }
  assertArrayEqual(got, [2.5, -3, 7, 4], "readScalar of [], [1], [1, 1] and int32 tensors");
  tf.dispose(ts);
}));

Deno.test(exerciseCase("readScalar", "throws on a tensor with more than one value", () => {
  const t = tf.tensor1d([1, 2]);
  const error = thrown(() => readScalar(t));
  check(
    error !== undefined,
    "readScalar(tensor1d([1, 2])) should throw an error (two values are not a scalar); it " +
      "returned a value instead",
  );
  t.dispose();
}));

Deno.test(exerciseCase("readScalar", "leaves its input alive", () => {
  const t = tf.scalar(1.25);
  const v = assertUnchanged({ t }, () => readScalar(t), "readScalar");
  check(v === 1.25, `readScalar(scalar(1.25)) should be 1.25, got ${v}`);
  t.dispose();
}));

Deno.test(exerciseCase("readRows", "rows as plain arrays, in row-major order", async () => {
  const t = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const rows = await readRows(t);
  check(
    Array.isArray(rows) && rows.every((r) => Array.isArray(r)),
    "readRows should return plain arrays (`Array.from(typedArray)`), got " +
      Object.prototype.toString.call(Array.isArray(rows) ? rows[0] : rows),
  );
  assertArrayEqual(rows, [[1, 2, 3], [4, 5, 6]], "readRows([[1, 2, 3], [4, 5, 6]])");
  t.dispose();
}));

Deno.test(exerciseCase("readRows", "seeded [5, 3] matrix, not column-major", async () => {
  const x = randn(new Rng(10), 5, 3);
  const t = tf.tensor2d(x);
  const rows = await readRows(t);
  assertShape(rows, [5, 3], "readRows(t [5, 3])");
  const flat = x.flat();
  const columnMajor = Array.from({ length: 5 }, (_, i) => [0, 1, 2].map((j) => flat[j * 5 + i]));
  assertAllClose(rows, x, {
    what: "readRows of a random [5, 3]",
    mistakes: [{
      value: columnMajor,
      means: "The flat data is row-major: row i is entries i * dim to (i + 1) * dim.",
    }],
  });
  t.dispose();
}));

Deno.test(exerciseCase("readRows", "reads asynchronously (no dataSync or arraySync)", async () => {
  const t = tf.tensor2d([[1, 2], [3, 4]]);
  const proto = tf.Tensor.prototype as unknown as Record<string, unknown>;
  const saved = { dataSync: proto.dataSync, arraySync: proto.arraySync };
  const blocked = (name: string) => () => {
    throw new CourseAssertionError(
      `readRows called ${name}(), which blocks until the backend is done: read with ` +
        "`await t.data()` (or `await t.array()`) instead",
    );
  };
  let rows: number[][];
  let pending: unknown;
  try {
    proto.dataSync = blocked("dataSync");
    proto.arraySync = blocked("arraySync");
    pending = readRows(t);
    rows = await (pending as Promise<number[][]>);
  } finally {
    Object.assign(proto, saved);
  }
  check(pending instanceof Promise, "readRows should be async (return a Promise)");
  assertArrayEqual(rows, [[1, 2], [3, 4]], "readRows([[1, 2], [3, 4]])");
  t.dispose();
}));

// ---------------------------------------------------------------- 0.6 picking entries

const TABLE = [[1, 10], [2, 20], [3, 30], [4, 40]]; // [vocab 4, dim 2]

Deno.test(exerciseCase("embedRows", "row i is table[ids[i]], shape [n, dim]", () => {
  const table = tf.tensor2d(TABLE);
  const ids = tf.tensor1d([3, 0, 3, 1, 2], "int32");
  const y = embedRows(table, ids);
  assertShape(y, [5, 2], "embedRows(table [4, 2], ids [5])");
  assertAllClose(y, [3, 0, 3, 1, 2].map((i) => TABLE[i]), {
    what: "embedRows(table, [3, 0, 3, 1, 2])",
  });
  tf.dispose([table, ids, y]);
}));

Deno.test(exerciseCase(
  "embedRows",
  "has a gradient on the course's backend (wasm has no tf.gather gradient)",
  () => {
    const table = tf.tensor2d(TABLE);
    const ids = tf.tensor1d([3, 0, 3], "int32");
    const r = tf.tensor2d([[1, 2], [3, 4], [5, 6]]); // d loss / d output
    let grad: tf.Tensor;
    try {
      grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(embedRows(t as tf.Tensor2D, ids), r)))(table);
    } catch (error) {
      if (error instanceof NotImplementedError) throw error;
      throw new Error(
        `the gradient of embedRows failed on the ${tf.getBackend()} backend ` +
          `(${(error as Error).message.split("\n")[0]}). tf.gather's gradient needs a kernel ` +
          "the wasm backend lacks: write the lookup as `tf.matMul(tf.oneHot(ids, vocab), table)`.",
      );
    }
    // Row v of the gradient is the sum of r's rows i with ids[i] = v.
    assertAllClose(grad, [[3, 4], [0, 0], [0, 0], [6, 8]], {
      what: "the gradient of sum(embedRows(table, [3, 0, 3]) * r) for the table",
    });
    tf.dispose([table, ids, r, grad]);
  },
));

Deno.test(exerciseCase("embedRows", "frees its intermediate tensors", async () => {
  const table = tf.tensor2d(TABLE);
  const ids = tf.tensor1d([1, 2], "int32");
  tf.dispose(await assertNoLeak(() => embedRows(table, ids), "embedRows"));
  tf.dispose([table, ids]);
}));

Deno.test(exerciseCase("zeroBefore", "a tiny case: rows t < start become 0", () => {
  const x = [[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]];
  const xt = tf.tensor2d(x);
  const y = zeroBefore(xt, 2);
  assertShape(y, [4, 3], "zeroBefore(x [4, 3], 2)");
  assertAllClose(y, [[0, 0, 0], [0, 0, 0], [3, 3, 3], [4, 4, 4]], {
    what: "zeroBefore(x, 2)",
    mistakes: [
      {
        value: [[0, 0, 0], [0, 0, 0], [0, 0, 0], [4, 4, 4]],
        means: "Row `start` itself is kept: the condition is t >= start (`tf.greaterEqual`).",
      },
      {
        value: [[0, 0, 0], [2, 2, 2], [3, 3, 3], [4, 4, 4]],
        means: "Only rows t < start become 0, all of them (here rows 0 and 1).",
      },
      {
        value: [[1, 1, 1], [2, 2, 2], [0, 0, 0], [0, 0, 0]],
        means: "The rows from `start` on are kept, the ones before become 0: the condition is " +
          "reversed.",
      },
    ],
  });
  tf.dispose([xt, y]);
}));

Deno.test(exerciseCase("zeroBefore", "rows, not columns, on a square matrix", () => {
  const x = randn(new Rng(11), 4, 4);
  const xt = tf.tensor2d(x);
  const y = zeroBefore(xt, 1);
  assertAllClose(y, x.map((row, t) => row.map((v) => (t < 1 ? 0 : v))), {
    what: "zeroBefore(x [4, 4], 1)",
    mistakes: [{
      value: x.map((row) => row.map((v, j) => (j < 1 ? 0 : v))),
      means: "Columns were zeroed: a condition of shape [seq] aligns with the last axis. " +
        "Reshape the row index to [seq, 1] so that it broadcasts across each row.",
    }],
  });
  tf.dispose([xt, y]);
}));

Deno.test(
  exerciseCase("zeroBefore", "start 0 keeps all, start seq zeroes all, no leak", async () => {
    const x = randn(new Rng(12), 3, 2);
    const xt = tf.tensor2d(x);
    const all = await assertNoLeak(() => zeroBefore(xt, 0), "zeroBefore");
    assertAllClose(all, x, { what: "zeroBefore(x, 0) (every row kept)" });
    const none = zeroBefore(xt, 3);
    assertAllClose(none, [[0, 0], [0, 0], [0, 0]], { what: "zeroBefore(x [3, 2], 3)" });
    tf.dispose([xt, all, none]);
  }),
);

Deno.test(exerciseCase("accuracy", "a tiny case, a number in [0, 1]", () => {
  const logits = tf.tensor2d([[0, 5, 1], [9, 0, 0]]);
  const targets = tf.tensor1d([1, 2], "int32");
  const acc = accuracy(logits, targets);
  check(
    typeof acc === "number",
    `accuracy should return a number (read it back with dataSync), got ${typeof acc}`,
  );
  check(acc === 0.5, `accuracy([[0, 5, 1], [9, 0, 0]], targets [1, 2]) should be 0.5, got ${acc}`);
  tf.dispose([logits, targets]);
}));

Deno.test(exerciseCase("accuracy", "the argmax of each row (axis -1), not of each column", () => {
  // Row argmaxes: [2, 0, 1]; column argmaxes: [1, 2, 0].
  const logits = tf.tensor2d([[0, 1, 3], [5, 0, 2], [4, 6, 1]]);
  const targets = tf.tensor1d([2, 0, 0], "int32");
  const acc = accuracy(logits, targets);
  check(
    Math.abs(acc - 2 / 3) < 1e-6,
    `accuracy should be 2/3 (rows 0 and 1 are right), got ${acc}` +
      (Math.abs(acc - 1 / 3) < 1e-6
        ? ": the argmax ran over axis 0 (each column); it is over each row, `tf.argMax(x, -1)`."
        : "."),
  );
  tf.dispose([logits, targets]);
}));

Deno.test(exerciseCase("accuracy", "seeded logits against a loop, no leak", async () => {
  const rng = new Rng(13);
  const x = randn(rng, 40, 7);
  const tgt = Array.from({ length: 40 }, () => rng.int(7));
  const expected = x.filter((row, i) => row.indexOf(Math.max(...row)) === tgt[i]).length / 40;
  const [xt, tt] = [tf.tensor2d(x), tf.tensor1d(tgt, "int32")];
  const acc = await assertNoLeak(() => accuracy(xt, tt), "accuracy");
  check(
    Math.abs(acc - expected) < 1e-6,
    `accuracy of random logits: expected ${expected}, got ${acc}`,
  );
  tf.dispose([xt, tt]);
}));

// ---------------------------------------------------------------- 0.7 gradients

/** dL/dW = 2/(n out) (x W^T - y)^T x for L = mean((x W^T - y)²). */
function refGrad(w: M, x: M, y: M): M {
  const r = matmul(x, transpose(w)).map((row, i) => row.map((v, k) => v - y[i][k]));
  const scale = 2 / (x.length * w.length);
  return matmul(transpose(r), x).map((row) => row.map((v) => v * scale));
}

/** The gradient of the wrong model x @ W: 2/(n out) x^T (x W - y). */
function refGradOfXW(w: M, x: M, y: M): M {
  const r = matmul(x, w).map((row, i) => row.map((v, k) => v - y[i][k]));
  const scale = 2 / (x.length * w.length);
  return matmul(transpose(x), r).map((row) => row.map((v) => v * scale));
}

Deno.test(
  exerciseCase("squaredErrorGrad", "a tiny case: d/dw mean((w x - y)²) = 2 (w x - y) x", () => {
    const [w, x, y] = [tf.tensor2d([[2]]), tf.tensor2d([[3]]), tf.tensor2d([[1]])];
    const g = squaredErrorGrad(w, x, y);
    assertShape(g, [1, 1], "squaredErrorGrad(w [1, 1], x [1, 1], y [1, 1])");
    assertAllClose(g, [[30]], {
      what: "the gradient at w = 2, x = 3, y = 1: 2 (6 - 1) 3",
      mistakes: [
        { value: [[25]], means: "This is the loss itself, not its gradient (tf.grad(f)(w))." },
        {
          value: [[15]],
          means: "The factor 2 of the square is missing: use tf.grad, not a formula.",
        },
      ],
    });
    tf.dispose([w, x, y, g]);
  }),
);

Deno.test(
  exerciseCase("squaredErrorGrad", "matches 2/(n·out) (xW^T - y)^T x on seeded data", () => {
    const rng = new Rng(14);
    const [w, x, y] = [randn(rng, 3, 3), randn(rng, 8, 3), randn(rng, 8, 3)];
    const ts = [tf.tensor2d(w), tf.tensor2d(x), tf.tensor2d(y)] as const;
    const g = squaredErrorGrad(...ts);
    const expected = refGrad(w, x, y);
    assertAllClose(g, expected, {
      atol: 1e-4,
      what: "dL/dW for random W [3, 3], x [8, 3], y [8, 3]",
      mistakes: [
        {
          value: expected.map((row) => row.map((v) => v * 24)),
          means: "24 = n · out times too large: L is the mean over all entries, not the sum.",
        },
        {
          value: refGradOfXW(w, x, y),
          means: "This is the gradient of the model x @ W (not x @ W^T): apply W to the rows " +
            "as in exercise 0.2.",
        },
      ],
    });
    tf.dispose([...ts, g]);
  }),
);

Deno.test(exerciseCase("squaredErrorGrad", "[out, in] for a non-square W, no leak", async () => {
  const rng = new Rng(15);
  const [w, x, y] = [randn(rng, 2, 4), randn(rng, 5, 4), randn(rng, 5, 2)];
  const ts = [tf.tensor2d(w), tf.tensor2d(x), tf.tensor2d(y)] as const;
  const g = await assertNoLeak(() => squaredErrorGrad(...ts), "squaredErrorGrad");
  assertAllClose(g, refGrad(w, x, y), { atol: 1e-4, what: "dL/dW for W [2, 4] (out 2, in 4)" });
  tf.dispose([...ts, g]);
}));

Deno.test(
  exerciseCase("sgdStep", "one step: v - lr · 2 (v - target), returns the loss before", () => {
    const v = tf.variable(tf.tensor1d([3, -1]));
    const target = tf.tensor1d([1, 1]);
    const loss = sgdStep([v], () => tf.sum(tf.square(tf.sub(v, target))), 0.25);
    check(
      typeof loss === "number",
      `sgdStep should return the loss as a number, got ${typeof loss}`,
    );
    check(
      Math.abs(loss - 8) < 1e-5,
      `sgdStep should return the loss before the step, (3 - 1)² + (-1 - 1)² = 8, got ${loss}`,
    );
    // gradient 2 (v - target) = [4, -4]; v - 0.25 · [4, -4] = [2, 0].
    assertAllClose(v, [2, 0], {
      what: "v after one step from [3, -1] with lr 0.25 on sum((v - [1, 1])²)",
      mistakes: [
        { value: [4, -2], means: "The step went uphill: subtract lr · gradient, do not add it." },
        { value: [3, -1], means: "v did not change: `v.assign(newValue)` updates a variable." },
        { value: [-1, 3], means: "lr was not applied: the step is lr · gradient." },
      ],
    });
    tf.dispose([v, target]);
  }),
);

Deno.test(exerciseCase("sgdStep", "only the listed variables move; no leak", async () => {
  const a = tf.variable(tf.scalar(2));
  const b = tf.variable(tf.scalar(5));
  const f = () => tf.mul(tf.square(a), b) as tf.Scalar; // da = 2ab = 20
  await assertNoLeak(() => sgdStep([a], f, 0.01), "sgdStep");
  assertAllClose(a, 1.8, { what: "a after one step of a²b with lr 0.01 (2 - 0.01 · 20)" });
  assertAllClose(b, 5, { what: "b, a variable the loss reads but that is not in the list" });
  tf.dispose([a, b]);
}));

Deno.test(exerciseCase("sgdStep", "repeated steps fit a linear map (seeded)", () => {
  const rng = new Rng(16);
  const truth = randn(rng, 2, 3);
  const x = tf.tensor2d(randn(rng, 32, 3));
  const y = tf.tidy(() => tf.matMul(x, tf.tensor2d(truth), false, true));
  const w = tf.variable(tf.zeros([2, 3]));
  const f = () => tf.mean(tf.square(tf.sub(tf.matMul(x, w, false, true), y))) as tf.Scalar;
  const losses: number[] = [];
  for (let i = 0; i < 60; i++) losses.push(sgdStep([w], f, 0.3));
  check(
    losses[59] < losses[0] * 1e-3,
    `60 steps at lr 0.3 should bring the loss from ${losses[0].toFixed(3)} below a thousandth ` +
      `of it, got ${losses[59].toExponential(2)}`,
  );
  assertAllClose(w, truth, { atol: 0.05, what: "W after 60 steps, against the map it fits" });
  tf.dispose([x, y, w]);
}));

// ---------------------------------------------------------------- 0.8 backends

Deno.test(exerciseCase("onBackend", "runs fn on the cpu backend, then switches back", async () => {
  const before = tf.getBackend();
  const run = await onBackend("cpu", () => tf.tensor1d([1, 2, 3]).mul(2));
  check(run.backend === "cpu", `onBackend("cpu", ...) should run on cpu, ran on ${run.backend}`);
  check(
    Array.isArray(run.values),
    "onBackend's values should be a plain array (`Array.from(await t.data())`)",
  );
  assertArrayEqual(run.values, [2, 4, 6], 'onBackend("cpu", () => [1, 2, 3] * 2).values');
  check(
    tf.getBackend() === before,
    `after onBackend the backend should be ${before} again, it is ${tf.getBackend()}`,
  );
}));

Deno.test(exerciseCase("onBackend", "switches back even when fn throws", async () => {
  const before = tf.getBackend();
  let error: unknown;
  try {
    await onBackend("cpu", () => {
      throw new Error("boom");
    });
  } catch (e) {
    if (e instanceof NotImplementedError) throw e;
    error = e;
  }
  check(
    error instanceof Error && /boom/.test(error.message),
    "onBackend should let fn's error through",
  );
  check(
    tf.getBackend() === before,
    `after fn threw, the backend should be ${before} again, it is ${tf.getBackend()}: ` +
      "switch back in a `finally` block",
  );
}));

Deno.test(exerciseCase("onBackend", "the current backend too; frees fn's tensors", async () => {
  const name = tf.getBackend();
  const x = tf.tensor2d([[1, 2], [3, 4]]);
  const tensors = tf.memory().numTensors;
  const run = await onBackend(name, () => tf.matMul(x, x).add(1));
  check(run.backend === name, `onBackend("${name}", ...) ran on ${run.backend}`);
  assertArrayEqual(run.values, [8, 11, 16, 23], "onBackend: x @ x + 1 for x = [[1, 2], [3, 4]]");
  const left = tf.memory().numTensors - tensors;
  check(
    left === 0,
    `onBackend left ${left} tensor${left === 1 ? "" : "s"} alive: run fn under tf.tidy and ` +
      "dispose its result after reading it",
  );
  x.dispose();
}));
