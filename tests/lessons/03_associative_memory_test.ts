/**
 * Tests of lesson 3's exercises (associative memories). The references below are written with
 * plain JavaScript loops, independent of the learner's code; the statistical checks compare with
 * the capacity table of the paper spec (§5.1, [MEAS]) using seeded draws.
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import {
  capacityTable,
  decode,
  memoryGradient,
  memoryLoss,
  memoryScores,
  oneStepMemory,
  type Pair,
  randomEmbeddings,
  randomMemoryRecall,
  randomPermutation,
  randomRemapping,
  recallAccuracy,
  storePairs,
} from "@exercises/03_associative_memory/exercises.ts";
import { Rng } from "@lib/rng/mod.ts";
import {
  assertAllClose,
  assertArrayEqual,
  assertFinite,
  assertNoLeak,
  assertSeeded,
  assertShape,
  check,
  exerciseCase,
} from "@lib/testing/mod.ts";
import { backendFromEnv, initBackend } from "@lib/tf/mod.ts";

await initBackend(backendFromEnv());

// ---------------------------------------------------------------- slow references

type M = number[][];

function randn(rng: Rng, rows: number, cols: number, std = 1): M {
  return Array.from({ length: rows }, () => Array.from(rng.normals(cols, std)));
}

function dot(a: number[], b: number[]): number {
  return a.reduce((acc, ai, i) => acc + ai * b[i], 0);
}

function matVec(w: M, v: number[]): number[] {
  return w.map((row) => dot(row, v));
}

function zeros(rows: number, cols: number): M {
  return Array.from({ length: rows }, () => new Array(cols).fill(0));
}

/** Σ α v_j u_i^T with loops. */
function refStore(u: M, v: M, pairs: Pair[], alpha?: number[]): M {
  const d = u[0].length;
  const w = zeros(d, d);
  pairs.forEach(([i, j], p) => {
    const a = alpha ? alpha[p] : 1;
    for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) w[r][c] += a * v[j][r] * u[i][c];
  });
  return w;
}

/** scores[i][j] = v_j · (W u_i). */
function refScores(w: M, u: M, v: M): M {
  return u.map((ui) => {
    const read = matVec(w, ui);
    return v.map((vj) => dot(vj, read));
  });
}

function softmaxRow(row: number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((x) => Math.exp(x - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

/** -Σ_z p(z) Σ_k p(k|z) log softmax(logits[z])_k with loops. */
function refLoss(w: M, embed: M, unembed: M, pz: number[], pkz: M): number {
  const logits = refScores(w, embed, unembed);
  let loss = 0;
  logits.forEach((row, z) => {
    const p = softmaxRow(row);
    row.forEach((_, k) => (loss -= pkz[z][k] > 0 ? pz[z] * pkz[z][k] * Math.log(p[k]) : 0));
  });
  return loss;
}

/** The same loss with TensorFlow.js's built-ins, for `tf.grad`. */
function tfLoss(
  w: tf.Tensor2D,
  embed: tf.Tensor2D,
  unembed: tf.Tensor2D,
  pz: tf.Tensor1D,
  pkz: tf.Tensor2D,
) {
  const logits = tf.matMul(tf.matMul(embed, w, false, true), unembed, false, true); // [nz, nk]
  return tf.neg(tf.sum(tf.mul(pz.reshape([-1, 1]), tf.mul(pkz, tf.logSoftmax(logits)))));
}

/** A random problem for the loss and gradient: d, nz inputs, nk outputs, distributions. */
function lossProblem(seed: number, d: number, nz: number, nk: number) {
  const rng = new Rng(seed);
  const embed = randn(rng, nz, d, 1 / Math.sqrt(d));
  const unembed = randn(rng, nk, d, 1 / Math.sqrt(d));
  const w = randn(rng, d, d, 1);
  const raw = Array.from({ length: nz }, () => rng.next() + 0.1);
  const pz = raw.map((x) => x / raw.reduce((a, b) => a + b, 0));
  const pkz = Array.from({ length: nz }, () => softmaxRow(Array.from(rng.normals(nk, 2))));
  return { embed, unembed, w, pz, pkz };
}

function tensors(p: { embed: M; unembed: M; w: M; pz: number[]; pkz: M }) {
  return {
    embed: tf.tensor2d(p.embed),
    unembed: tf.tensor2d(p.unembed),
    w: tf.tensor2d(p.w),
    pz: tf.tensor1d(p.pz),
    pkz: tf.tensor2d(p.pkz),
  };
}

/** Zipf input frequencies p(z) ∝ 1/(z+1) and a deterministic output k = f(z). */
function zipfTask(n: number, f: number[]) {
  const raw = Array.from({ length: n }, (_, z) => 1 / (z + 1));
  const total = raw.reduce((a, b) => a + b, 0);
  const pz = raw.map((x) => x / total);
  const pkz = f.map((k) => Array.from({ length: n }, (_, j) => (j === k ? 1 : 0)));
  return { pz, pkz };
}

// ---------------------------------------------------------------- 3.1 embeddings

Deno.test(exerciseCase("randomEmbeddings", "shape [count, dim], float32", () => {
  const e = randomEmbeddings(new Rng(1), 10, 32);
  assertShape(e, [10, 32], "randomEmbeddings(rng, 10, 32)");
  check(e.dtype === "float32", `embeddings should be float32, got ${e.dtype}`);
  e.dispose();
}));

Deno.test(
  exerciseCase("randomEmbeddings", "entries have variance 1/d, so norms are about 1", () => {
    const e = randomEmbeddings(new Rng(2), 200, 256);
    const rows = e.arraySync() as M;
    e.dispose();
    const values = rows.flat();
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    assertAllClose(mean, 0, { atol: 0.005, what: "mean of the entries" });
    assertAllClose(variance, 1 / 256, {
      rtol: 0.05,
      atol: 0,
      what: "variance of the entries (1/d)",
    });
    const norms = rows.map((r) => Math.sqrt(dot(r, r)));
    check(
      norms.every((n) => n > 0.8 && n < 1.2),
      `every norm should be close to 1 at d = 256, got a range ${Math.min(...norms).toFixed(3)}..${
        Math.max(...norms).toFixed(3)
      }`,
    );
  }),
);

Deno.test(
  exerciseCase("randomEmbeddings", "nearly orthogonal: |u_i · u_j| is of order 1/√d", () => {
    const e = randomEmbeddings(new Rng(3), 100, 256);
    const rows = e.arraySync() as M;
    e.dispose();
    let sumSq = 0;
    let n = 0;
    for (let i = 0; i < 100; i++) {
      for (let j = i + 1; j < 100; j++) {
        sumSq += dot(rows[i], rows[j]) ** 2;
        n++;
      }
    }
    assertAllClose(Math.sqrt(sumSq / n), 1 / 16, {
      rtol: 0.1,
      atol: 0,
      what: "root-mean-square dot product of two different embeddings (1/√d = 1/16)",
    });
  }),
);

Deno.test(
  exerciseCase("randomEmbeddings", "seeded: the same seed gives the same embeddings", () => {
    const a = randomEmbeddings(new Rng(4), 5, 8);
    const b = randomEmbeddings(new Rng(4), 5, 8);
    const c = randomEmbeddings(new Rng(5), 5, 8);
    assertAllClose(a, b, { atol: 0, rtol: 0, what: "two draws with seed 4" });
    check(!a.equal(c).all().dataSync()[0], "seeds 4 and 5 should give different embeddings");
    tf.dispose([a, b, c]);
  }),
);

// ---------------------------------------------------------------- 3.2 storing and reading

Deno.test(
  exerciseCase("storePairs", "a tiny case with one-hot embeddings: W = Σ α v_j u_i^T", () => {
    const e = tf.eye(3) as tf.Tensor2D;
    const w = storePairs(e, e, [[0, 2], [1, 0]], [2, 1]);
    // 2 e_2 e_0^T + e_0 e_1^T: column i is where u_i goes.
    assertAllClose(w, [[0, 1, 0], [0, 0, 0], [2, 0, 0]], {
      what: "storePairs(I, I, [[0, 2], [1, 0]], strengths [2, 1])",
    });
    tf.dispose([e, w]);
  }),
);

Deno.test(exerciseCase(
  "storePairs",
  "matches the loop reference (outputs on the left, inputs on the right)",
  () => {
    const rng = new Rng(6);
    const u = randn(rng, 6, 5);
    const v = randn(rng, 4, 5);
    const pairs: Pair[] = [[0, 1], [3, 3], [5, 0], [2, 1]];
    const w = storePairs(tf.tensor2d(u), tf.tensor2d(v), pairs);
    assertShape(w, [5, 5], "storePairs of 5-dimensional embeddings");
    assertAllClose(w, refStore(u, v, pairs), { atol: 1e-4, what: "Σ v_j u_i^T" });
    const w2 = storePairs(tf.tensor2d(u), tf.tensor2d(v), pairs, [1, -2, 0.5, 3]);
    assertAllClose(w2, refStore(u, v, pairs, [1, -2, 0.5, 3]), {
      atol: 1e-4,
      what: "Σ α v_j u_i^T with strengths [1, -2, 0.5, 3]",
    });
    tf.dispose([w, w2]);
  },
));

Deno.test(exerciseCase("storePairs", "W u_i is close to v_j for a stored pair (d = 256)", () => {
  const rng = new Rng(7);
  const u = randomEmbeddings(rng, 20, 256);
  const v = randomEmbeddings(rng, 20, 256);
  const pairs: Pair[] = Array.from({ length: 20 }, (_, i) => [i, (i * 7) % 20]);
  const w = storePairs(u, v, pairs);
  const read = tf.matMul(u, w, false, true); // row i: W u_i
  const target = tf.gather(v, pairs.map((p) => p[1]));
  const cos = tf.div(
    tf.sum(tf.mul(read, target), -1),
    tf.mul(tf.norm(read, 2, -1), tf.norm(target, 2, -1)),
  );
  const c = Array.from(cos.dataSync());
  tf.dispose([u, v, w, read, target, cos]);
  check(
    c.every((x) => x > 0.8),
    `cos(W u_i, v_j) should be close to 1 for every stored pair; the smallest is ${
      Math.min(...c).toFixed(3)
    }`,
  );
}));

Deno.test(exerciseCase("memoryScores", "a tiny hand-computed case", () => {
  // W = e_1 e_0^T maps u = e_0 onto e_1: scores[0] = [0, 1, 0]; u = e_1 maps to 0.
  const e = tf.eye(3) as tf.Tensor2D;
  const w = tf.tensor2d([[0, 0, 0], [1, 0, 0], [0, 0, 0]]);
  const inputs = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
  const s = memoryScores(w, inputs, e);
  assertAllClose(s, [[0, 1, 0], [0, 0, 0]], { what: "scores of W = e_1 e_0^T" });
  tf.dispose([e, w, inputs, s]);
}));

Deno.test(
  exerciseCase("memoryScores", "matches v_j · (W u_i) on random data (not the transpose)", () => {
    const rng = new Rng(8);
    const w = randn(rng, 5, 5);
    const u = randn(rng, 3, 5);
    const v = randn(rng, 4, 5);
    const s = memoryScores(tf.tensor2d(w), tf.tensor2d(u), tf.tensor2d(v));
    assertShape(s, [3, 4], "memoryScores with 3 inputs and 4 outputs");
    assertAllClose(s, refScores(w, u, v), { atol: 1e-4, rtol: 1e-4, what: "v_j · (W u_i)" });
    s.dispose();
  }),
);

Deno.test(
  exerciseCase("memoryScores", "a stored pair scores about 1, the others about 0 (d = 512)", () => {
    const rng = new Rng(9);
    const u = randomEmbeddings(rng, 8, 512);
    const v = randomEmbeddings(rng, 8, 512);
    const pairs: Pair[] = Array.from({ length: 8 }, (_, i) => [i, 7 - i]);
    const w = storePairs(u, v, pairs);
    const s = memoryScores(w, u, v).arraySync() as M;
    tf.dispose([u, v, w]);
    s.forEach((row, i) =>
      row.forEach((x, j) =>
        check(
          j === 7 - i ? Math.abs(x - 1) < 0.3 : Math.abs(x) < 0.3,
          `scores[${i}][${j}] should be about ${j === 7 - i ? 1 : 0}, got ${x.toFixed(3)}`,
        )
      )
    );
  }),
);

// ---------------------------------------------------------------- 3.3 recall

Deno.test(exerciseCase("recallAccuracy", "a tiny hand-computed case", () => {
  const e = tf.eye(3) as tf.Tensor2D;
  // W sends e_0 -> e_2 and e_1 -> e_2: the pair (1 -> 0) is not recalled.
  const w = tf.tensor2d([[0, 0, 0], [0, 0, 0], [1, 1, 0]]);
  const r = recallAccuracy(w, e, e, [[0, 2], [1, 0], [1, 2], [0, 2]]);
  assertAllClose(r, 0.75, { what: "recall of 4 pairs, one of them wrong" });
  tf.dispose([e, w]);
}));

Deno.test(
  exerciseCase("recallAccuracy", "is 1 for a small memory and chance for a wrong one", () => {
    const rng = new Rng(10);
    const u = randomEmbeddings(rng, 32, 128);
    const v = randomEmbeddings(rng, 32, 128);
    const pairs: Pair[] = randomPermutation(rng, 32).map((j, i) => [i, j]);
    const good = tf.tensor2d(refStore(u.arraySync() as M, v.arraySync() as M, pairs));
    const auto = tf.tensor2d(
      refStore(u.arraySync() as M, u.arraySync() as M, pairs.map(([i]) => [i, i])),
    );
    const rGood = recallAccuracy(good, u, v, pairs);
    const rAuto = recallAccuracy(auto, u, v, pairs);
    tf.dispose([u, v, good, auto]);
    assertAllClose(rGood, 1, { what: "recall of 32 pairs stored as Σ v_j u_i^T at d = 128" });
    check(
      rAuto < 0.2,
      `a memory of Σ u_i u_i^T should not recall the pairs (chance), got ${rAuto}`,
    );
  }),
);

Deno.test(
  exerciseCase("recallAccuracy", "argmax over all outputs, compared with the stored output", () => {
    const e = tf.eye(4) as tf.Tensor2D;
    const w = tf.tensor2d(refStore(
      [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]],
      [[0, 3], [1, 2], [2, 1], [3, 0]],
    ));
    const all: Pair[] = [[0, 3], [1, 2], [2, 1], [3, 0]];
    assertAllClose(recallAccuracy(w, e, e, all), 1, { what: "recall of the 4 stored pairs" });
    assertAllClose(recallAccuracy(w, e, e, [[0, 0], [1, 1]]), 0, {
      what: "recall of 2 pairs not stored",
    });
    tf.dispose([e, w]);
  }),
);

Deno.test(
  exerciseCase("recallAccuracy", "pairs in any order: each pair's own input is scored", () => {
    // All 4 inputs are stored, but the pairs are listed in another order than the inputs: pair k
    // must be scored with its own input pairs[k][0], not with input k.
    const e = tf.eye(4) as tf.Tensor2D;
    const pairs: Pair[] = [[2, 0], [0, 3], [3, 1], [1, 2]];
    const w = tf.tensor2d(refStore(e.arraySync() as M, e.arraySync() as M, pairs));
    const r = recallAccuracy(w, e, e, pairs);
    tf.dispose([e, w]);
    check(
      r === 1,
      `recall of the 4 stored pairs [[2, 0], [0, 3], [3, 1], [1, 2]] (listed out of input order) ` +
        `should be 1, got ${r}: score each pair (i, j) with its own input u_i ` +
        "(`tf.gather(inputs, pairs.map((p) => p[0]))`), not the inputs 0..n-1 in order.",
    );
  }),
);

Deno.test(
  exerciseCase("recallAccuracy", "argmax of the raw scores v_j · W u_i, not cosines", () => {
    // W = I: the scores of u = e_0 are v_0 · e_0 = 1 and v_1 · e_0 = 3, so the argmax is 1; divided
    // by the norms (1 and 3√2) the order flips. Outputs of larger norm win, as in the model.
    const u = tf.tensor2d([[1, 0], [0, 1]]);
    const v = tf.tensor2d([[1, 0], [3, 3]]);
    const w = tf.eye(2) as tf.Tensor2D;
    const r = recallAccuracy(w, u, v, [[0, 1]]);
    tf.dispose([u, v, w]);
    check(
      r === 1,
      `with W = I, outputs v_0 = [1, 0] and v_1 = [3, 3], input e_0 scores 1 and 3, so the pair ` +
        `(0 -> 1) is recalled (recall 1), got ${r}: take the argmax of the scores themselves, ` +
        "not divided by the outputs' norms (cosine similarity).",
    );
  }),
);

// ---------------------------------------------------------------- 3.4 capacity

Deno.test(exerciseCase(
  "randomMemoryRecall",
  "d = 64 recalls 64 pairs almost perfectly (table: 0.995)",
  () => {
    const rng = new Rng(11);
    const r = [0, 1, 2].map(() => randomMemoryRecall(rng, 64, 64));
    const mean = r.reduce((a, b) => a + b, 0) / 3;
    check(
      mean >= 0.95,
      `mean recall of 3 random memories (d = 64, N = 64) should be >= 0.95, got ${mean.toFixed(3)}`,
    );
  },
));

Deno.test(
  exerciseCase("randomMemoryRecall", "d = 64 recalls 256 pairs about 66% of the time", () => {
    const rng = new Rng(12);
    const mean = (randomMemoryRecall(rng, 64, 256) + randomMemoryRecall(rng, 64, 256)) / 2;
    assertAllClose(mean, 0.663, {
      atol: 0.09,
      rtol: 0,
      what: "mean recall of 2 random memories with d = 64, N = 256 (spec table: 0.663)",
    });
  }),
);

Deno.test(exerciseCase(
  "randomMemoryRecall",
  "d = 256 recalls 1024 pairs (0.999); d = 16 fails on 256 (0.04)",
  () => {
    const rng = new Rng(13);
    const big = randomMemoryRecall(rng, 256, 1024);
    const small = randomMemoryRecall(rng, 16, 256);
    check(big >= 0.99, `recall with d = 256, N = 1024 should be >= 0.99, got ${big.toFixed(4)}`);
    check(
      small <= 0.1,
      `recall with d = 16, N = 256 should be <= 0.1 (over capacity), got ${small.toFixed(4)}`,
    );
    check(small > 0, "recall with d = 16, N = 256 should still recall a few pairs, got 0");
  },
));

Deno.test(
  exerciseCase(
    "randomMemoryRecall",
    "same seed, same draws; different seed, different draws",
    () => {
      assertSeeded((seed) => {
        const rng = new Rng(seed);
        return Array.from({ length: 6 }, () => randomMemoryRecall(rng, 8, 24));
      }, "6 recalls of randomMemoryRecall(rng, 8, 24)");
    },
  ),
);

Deno.test(
  exerciseCase("capacityTable", "same seed, same table; different seed, different table", () => {
    assertSeeded(
      (seed) => capacityTable(new Rng(seed), [4, 8], [16, 24], { draws: 2 }),
      "capacityTable(rng, [4, 8], [16, 24], { draws: 2 })",
    );
  }),
);

Deno.test(exerciseCase("capacityTable", "shape [dims][counts] and the progress callback", () => {
  const calls: [number, number][] = [];
  const table = capacityTable(new Rng(14), [8, 16, 32], [4, 8], {
    draws: 2,
    onProgress: (done, total) => calls.push([done, total]),
  });
  assertShape(table, [3, 2], "capacityTable(rng, 3 dims, 2 counts)");
  check(
    calls.length === 12,
    `onProgress should be called once per memory (3 x 2 x 2 = 12), got ${calls.length}`,
  );
  calls.forEach(([done, total], i) =>
    check(
      done === i + 1 && total === 12,
      `call ${i + 1} of onProgress got (${done}, ${total}), expected (${i + 1}, 12)`,
    )
  );
}));

Deno.test(
  exerciseCase("capacityTable", "recall falls with N and rises with d (spec §5.1 shape)", () => {
    const table = capacityTable(new Rng(15), [16, 64], [16, 256], { draws: 2 });
    // The spec's table (§5.1, mean of 3 draws): d = 16: N = 16 .667, N = 256 .038;
    // d = 64: N = 16 1.00, N = 256 .663. A mean of 2 draws of 16 pairs varies a lot, so the
    // bounds are wide where the table is in between.
    assertShape(table, [2, 2], "capacityTable(rng, [16, 64], [16, 256])");
    const [[a, b], [c, e]] = table;
    const where = "capacityTable(rng, [16, 64], [16, 256], { draws: 2 })";
    check(
      a > 0.4 && a < 0.95,
      `${where}: d = 16, N = 16 should be about 0.67, got ${a.toFixed(3)}`,
    );
    check(b < 0.1, `${where}: d = 16, N = 256 should be about 0.04, got ${b.toFixed(3)}`);
    check(c >= 0.99, `${where}: d = 64, N = 16 should be 1, got ${c.toFixed(3)}`);
    assertAllClose(e, 0.663, { atol: 0.1, rtol: 0, what: `${where}: d = 64, N = 256` });
  }),
);

Deno.test(exerciseCase(
  "capacityTable",
  "averages the draws (with N = 1 every memory recalls its pair)",
  () => {
    // With a single pair, any memory recalls it: every cell must be exactly 1.
    const table = capacityTable(new Rng(16), [2, 4], [1], { draws: 3 });
    assertAllClose(table, [[1], [1]], { what: "capacityTable with N = 1" });
    // Mean of draws: at d = 2, N = 8 the recall is low and a mean of 4 draws is a multiple of 1/32.
    const t = capacityTable(new Rng(17), [2], [8], { draws: 4 })[0][0];
    check(
      Math.abs(t * 32 - Math.round(t * 32)) < 1e-6 && t < 0.7,
      `the mean of 4 recalls of 8 pairs should be a multiple of 1/32 and low at d = 2, got ${t}`,
    );
  },
));

// ---------------------------------------------------------------- 3.5 loss and gradient

Deno.test(exerciseCase("memoryLoss", "at W = 0 the loss is log N", () => {
  const p = tensors(lossProblem(18, 6, 5, 7));
  const zero = tf.zeros([6, 6]) as tf.Tensor2D;
  const loss = memoryLoss(zero, p.embed, p.unembed, p.pz, p.pkz);
  assertShape(loss, [], "memoryLoss (a scalar)");
  assertAllClose(loss, Math.log(7), { atol: 1e-5, what: "memoryLoss at W = 0 with N = 7 outputs" });
  tf.dispose([...Object.values(p), zero, loss]);
}));

Deno.test(exerciseCase("memoryLoss", "a tiny hand-computed case: -log 0.75", () => {
  // One input, W = ln 3 * e_1 e_0^T: logits [0, ln 3], p̂ = [0.25, 0.75], target k = 1.
  const e = tf.eye(2) as tf.Tensor2D;
  const w = tf.tensor2d([[0, 0], [Math.log(3), 0]]);
  const loss = memoryLoss(w, tf.tensor2d([[1, 0]]), e, tf.tensor1d([1]), tf.tensor2d([[0, 1]]));
  assertAllClose(loss, -Math.log(0.75), {
    what: "cross-entropy of p̂ = [0.25, 0.75] against k = 1",
  });
  tf.dispose([e, w, loss]);
}));

Deno.test(exerciseCase("memoryLoss", "matches the loop reference, weighted by p(z)", () => {
  const raw = lossProblem(19, 6, 5, 7);
  const p = tensors(raw);
  const loss = memoryLoss(p.w, p.embed, p.unembed, p.pz, p.pkz);
  assertAllClose(loss, refLoss(raw.w, raw.embed, raw.unembed, raw.pz, raw.pkz), {
    atol: 1e-4,
    rtol: 1e-4,
    what: "-Σ_z p(z) Σ_k p(k|z) log p̂(k|z)",
  });
  tf.dispose([...Object.values(p), loss]);
}));

Deno.test(exerciseCase("memoryLoss", "is differentiable in W", () => {
  const p = tensors(lossProblem(20, 6, 5, 7));
  const g = tf.grad((w: tf.Tensor) =>
    memoryLoss(w as tf.Tensor2D, p.embed, p.unembed, p.pz, p.pkz)
  )(p.w);
  const want = tf.grad((w: tf.Tensor) => tfLoss(w as tf.Tensor2D, p.embed, p.unembed, p.pz, p.pkz))(
    p.w,
  );
  assertAllClose(g, want, { atol: 1e-4, rtol: 1e-3, what: "tf.grad of your memoryLoss" });
  tf.dispose([...Object.values(p), g, want]);
}));

Deno.test(exerciseCase("memoryGradient", "equals tf.grad of the cross-entropy (random W)", () => {
  const p = tensors(lossProblem(21, 8, 6, 9));
  const g = memoryGradient(p.w, p.embed, p.unembed, p.pz, p.pkz);
  const want = tf.grad((w: tf.Tensor) => tfLoss(w as tf.Tensor2D, p.embed, p.unembed, p.pz, p.pkz))(
    p.w,
  );
  assertShape(g, [8, 8], "memoryGradient with d = 8");
  assertAllClose(g, want, { atol: 1e-4, rtol: 1e-3, what: "closed-form gradient vs tf.grad" });
  tf.dispose([...Object.values(p), g, want]);
}));

Deno.test(
  exerciseCase(
    "memoryGradient",
    "one-hot embeddings: entry [k][z] = p(z) (p̂(k|z) - p(k|z))",
    () => {
      // With w_E(z) = e_z and w_U(k) = e_k, the outer product w_U(k) w_E(z)^T is the entry [k][z].
      const e = tf.eye(3) as tf.Tensor2D;
      const wArr = [[0, 1, 0], [2, 0, 0], [0, 0, -1]];
      const pz = [0.5, 0.3, 0.2];
      const pkz = [[0.2, 0.8, 0], [1, 0, 0], [1 / 3, 1 / 3, 1 / 3]];
      const g = memoryGradient(tf.tensor2d(wArr), e, e, tf.tensor1d(pz), tf.tensor2d(pkz));
      const logits = refScores(wArr, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, 1, 0], [
        0,
        0,
        1,
      ]]);
      const expected = zeros(3, 3);
      logits.forEach((row, z) =>
        softmaxRow(row).forEach((ph, k) => (expected[k][z] = pz[z] * (ph - pkz[z][k])))
      );
      assertAllClose(g, expected, { atol: 1e-5, what: "gradient with one-hot embeddings" });
      tf.dispose([e, g]);
    },
  ),
);

Deno.test(exerciseCase("memoryGradient", "at W = 0: Σ p(z) (1/N - p(k|z)) w_U(k) w_E(z)^T", () => {
  const raw = lossProblem(22, 5, 4, 6);
  const p = tensors(raw);
  const zero = tf.zeros([5, 5]) as tf.Tensor2D;
  const g = memoryGradient(zero, p.embed, p.unembed, p.pz, p.pkz);
  const expected = zeros(5, 5);
  raw.pkz.forEach((row, z) =>
    row.forEach((pk, k) => {
      const c = raw.pz[z] * (1 / 6 - pk);
      for (let r = 0; r < 5; r++) {
        for (let s = 0; s < 5; s++) expected[r][s] += c * raw.unembed[k][r] * raw.embed[z][s];
      }
    })
  );
  assertAllClose(g, expected, { atol: 1e-5, what: "gradient at W = 0 (sum of outer products)" });
  tf.dispose([...Object.values(p), zero, g]);
}));

Deno.test(exerciseCase("memoryGradient", "is finite for large logits", () => {
  const p = tensors(lossProblem(30, 6, 5, 7));
  const big = tf.mul(p.w, 200) as tf.Tensor2D;
  const g = memoryGradient(big, p.embed, p.unembed, p.pz, p.pkz);
  assertFinite(g, "memoryGradient with logits of order 100");
  tf.dispose([...Object.values(p), big, g]);
}));

// ---------------------------------------------------------------- 3.6 one gradient step

Deno.test(exerciseCase("oneStepMemory", "equals -lr times the gradient at W = 0", () => {
  const raw = lossProblem(23, 6, 5, 7);
  const p = tensors(raw);
  const w1 = oneStepMemory(p.embed, p.unembed, p.pz, p.pkz, 3);
  const zero = tf.zeros([6, 6]) as tf.Tensor2D;
  const g = tf.grad((w: tf.Tensor) => tfLoss(w as tf.Tensor2D, p.embed, p.unembed, p.pz, p.pkz))(
    zero,
  );
  assertAllClose(w1, tf.mul(g, -3), { atol: 1e-5, what: "oneStepMemory(..., lr = 3)" });
  tf.dispose([...Object.values(p), w1, zero, g]);
}));

Deno.test(exerciseCase(
  "oneStepMemory",
  "orthonormal embeddings: strengths are exactly lr p(z) (p(k|z) - 1/N)",
  () => {
    const n = 4;
    const e = tf.eye(n) as tf.Tensor2D;
    const { pz, pkz } = zipfTask(n, [2, 0, 3, 1]);
    const w1 = oneStepMemory(e, e, tf.tensor1d(pz), tf.tensor2d(pkz), 2);
    const s = memoryScores(w1, e, e);
    const expected = pkz.map((row, z) => row.map((p) => 2 * pz[z] * (p - 1 / n)));
    assertAllClose(s, expected, {
      atol: 1e-6,
      what: "w_U(k)^T W_1 w_E(z) with one-hot embeddings",
    });
    tf.dispose([e, w1, s]);
  },
));

Deno.test(exerciseCase(
  "oneStepMemory",
  "frequent pairs are stored more strongly (Zipf inputs, d = 128)",
  () => {
    const n = 64;
    const rng = new Rng(24);
    const embed = randomEmbeddings(rng, n, 128);
    const unembed = randomEmbeddings(rng, n, 128);
    const f = randomPermutation(rng, n);
    const { pz, pkz } = zipfTask(n, f);
    const w1 = oneStepMemory(embed, unembed, tf.tensor1d(pz), tf.tensor2d(pkz), 1);
    const s = memoryScores(w1, embed, unembed).arraySync() as M;
    tf.dispose([embed, unembed, w1]);
    const strength = f.map((k, z) => s[z][k]);
    // The 8 most frequent pairs: strength about p(z)(1 - 1/N) ‖w_U‖²‖w_E‖², recalled by argmax.
    for (let z = 0; z < 8; z++) {
      const want = pz[z] * (1 - 1 / n);
      check(
        Math.abs(strength[z] - want) < 0.5 * want, // norms fluctuate by about 1/√d each
        `pair ${z} (p(z) = ${pz[z].toFixed(3)}) should have strength about ${
          want.toFixed(4)
        }, got ${strength[z].toFixed(4)}`,
      );
      check(
        s[z].indexOf(Math.max(...s[z])) === f[z],
        `the frequent input ${z} should recall its output ${f[z]}`,
      );
    }
    const top = strength.slice(0, 8).reduce((a, b) => a + b, 0);
    const bottom = strength.slice(-8).reduce((a, b) => a + b, 0);
    check(
      top > 5 * bottom,
      `the 8 most frequent pairs should be stored much more strongly than the 8 rarest (${
        top.toFixed(4)
      } vs ${bottom.toFixed(4)})`,
    );
  },
));

// ---------------------------------------------------------------- 3.7 remapping and superposition

Deno.test(exerciseCase("randomRemapping", "shape [d, d] with N(0, 1/d) entries", () => {
  const r = randomRemapping(new Rng(25), 128);
  assertShape(r, [128, 128], "randomRemapping(rng, 128)");
  const values = Array.from(r.dataSync());
  r.dispose();
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  assertAllClose(variance, 1 / 128, { rtol: 0.05, atol: 0, what: "variance of the entries (1/d)" });
  assertAllClose(mean, 0, { atol: 0.002, what: "mean of the entries" });
}));

Deno.test(
  exerciseCase("randomRemapping", "same seed, same draws; different seed, different draws", () => {
    assertSeeded((seed) => {
      const r = randomRemapping(new Rng(seed), 4);
      const values = Array.from(r.dataSync());
      r.dispose();
      return values;
    }, "randomRemapping(rng, 4)");
  }),
);

Deno.test(exerciseCase("randomRemapping", "keeps norms: ‖R u‖ ≈ ‖u‖", () => {
  const rng = new Rng(26);
  const r = randomRemapping(rng, 256);
  const u = randomEmbeddings(rng, 50, 256);
  const ratio = tf.div(tf.norm(tf.matMul(u, r, false, true), 2, -1), tf.norm(u, 2, -1));
  const values = Array.from(ratio.dataSync());
  tf.dispose([r, u, ratio]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assertAllClose(mean, 1, { atol: 0.1, what: "mean of ‖R u‖ / ‖u‖ over 50 embeddings" });
}));

Deno.test(exerciseCase(
  "randomRemapping",
  "R u is nearly orthogonal to u and to every other embedding",
  () => {
    const rng = new Rng(27);
    const r = randomRemapping(rng, 256);
    const u = randomEmbeddings(rng, 65, 256);
    const ru = tf.matMul(u, r, false, true); // row i: R u_i
    const cos = tf.div(
      tf.matMul(ru, u, false, true),
      tf.matMul(tf.norm(ru, 2, -1).reshape([-1, 1]), tf.norm(u, 2, -1).reshape([1, -1])),
    );
    const maxCos = tf.max(tf.abs(cos)).dataSync()[0];
    tf.dispose([r, u, ru, cos]);
    check(
      maxCos < 0.3,
      `every |cos(R u_i, u_j)| should be small at d = 256 (about 0.2 at most), got ${
        maxCos.toFixed(3)
      }`,
    );
  },
));

Deno.test(exerciseCase("decode", "a tiny hand-computed case: argmax of the dot products", () => {
  const ids = decode(tf.tensor2d([[0.1, 2, 0], [-5, 0, 0.5], [3, 1, 1]]), tf.eye(3) as tf.Tensor2D);
  assertArrayEqual(ids, [1, 2, 0], "decode of three vectors against e_0, e_1, e_2");
  check(Array.isArray(ids), "decode should return a plain array of numbers");
}));

Deno.test(
  exerciseCase("decode", "the dot product, not the cosine: a longer candidate can win", () => {
    // x = [1, 0.1]: dot products 1 with c_0 = [1, 0] and 3.3 with c_1 = [3, 3]; cosines 0.995 and
    // 0.778. The lesson decodes with the dot product: answer 1.
    const x = tf.tensor2d([[1, 0.1], [0.1, 1]]);
    const c = tf.tensor2d([[1, 0], [3, 3]]);
    const ids = decode(x, c);
    tf.dispose([x, c]);
    check(
      Array.isArray(ids) && ids[0] === 1 && ids[1] === 1,
      `decode([[1, 0.1], [0.1, 1]], candidates [[1, 0], [3, 3]]) should be [1, 1] (dot products ` +
        `1 vs 3.3 and 0.1 vs 3.3), got [${ids}]` +
        (Array.isArray(ids) && ids[0] === 0
          ? ": that is the cosine similarity's answer. Take the argmax of the dot products c · x, " +
            "without dividing by the norms."
          : "."),
    );
  }),
);

Deno.test(
  exerciseCase("decode", "reads each slot of x = w_E(a) + p_t + R w_E(b) at d = 256", () => {
    const rng = new Rng(28);
    const dim = 256;
    const embed = randomEmbeddings(rng, 65, dim);
    const pos = randomEmbeddings(rng, 64, dim);
    const r = randomRemapping(rng, dim);
    const a = Array.from({ length: 200 }, () => rng.int(65));
    const t = Array.from({ length: 200 }, () => rng.int(64));
    const b = Array.from({ length: 200 }, () => rng.int(65));
    const remapped = tf.matMul(embed, r, false, true) as tf.Tensor2D; // row k: R w_E(k)
    const x = tf.tidy(() =>
      tf.add(tf.add(tf.gather(embed, a), tf.gather(pos, t)), tf.gather(remapped, b))
    ) as tf.Tensor2D;
    const acc = (got: number[], want: number[]) =>
      got.filter((g, i) => g === want[i]).length / want.length;
    const ra = acc(decode(x, embed), a);
    const rt = acc(decode(x, pos), t);
    const rb = acc(decode(x, remapped), b);
    tf.dispose([embed, pos, r, remapped, x]);
    check(
      ra >= 0.99 && rt >= 0.99 && rb >= 0.99,
      `token, position and remapped token should be read back (>= 99%), got ${ra}, ${rt}, ${rb}`,
    );
  }),
);

Deno.test(exerciseCase(
  "decode",
  "the remapped slot is invisible to the plain embeddings, and vice versa",
  () => {
    const rng = new Rng(29);
    const dim = 256;
    const embed = randomEmbeddings(rng, 65, dim);
    const r = randomRemapping(rng, dim);
    const remapped = tf.matMul(embed, r, false, true) as tf.Tensor2D;
    // x = R w_E(b) only: decoding with the plain embeddings is chance, with the remapped ones exact.
    const b = Array.from({ length: 200 }, () => rng.int(65));
    const x = tf.gather(remapped, b) as tf.Tensor2D;
    const plain = decode(x, embed).filter((g, i) => g === b[i]).length / 200;
    const right = decode(x, remapped).filter((g, i) => g === b[i]).length / 200;
    tf.dispose([embed, r, remapped, x]);
    check(
      right === 1,
      `decoding R w_E(b) against the remapped embeddings should be exact, got ${right}`,
    );
    check(
      plain < 0.1,
      `R w_E(b) should look like no token to the plain embeddings (chance), got ${plain}`,
    );
  },
));

// ---------------------------------------------------------------- no leaks (every tensor exercise)

/** Inputs for the leak checks: 6 inputs and 5 outputs in d = 8, and the loss problem's tensors. */
function leakProblem() {
  const rng = new Rng(40);
  const u = tf.tensor2d(randn(rng, 6, 8, 1 / Math.sqrt(8)));
  const v = tf.tensor2d(randn(rng, 5, 8, 1 / Math.sqrt(8)));
  const pairs: Pair[] = [[0, 1], [2, 3], [4, 0]];
  const w = tf.tensor2d(refStore(u.arraySync(), v.arraySync(), pairs));
  const loss = tensors(lossProblem(41, 8, 6, 5));
  return {
    u,
    v,
    pairs,
    w,
    loss,
    dispose: () => tf.dispose([u, v, w, ...Object.values(loss)]),
  };
}

Deno.test(exerciseCase("randomEmbeddings", "frees its intermediate tensors", async () => {
  tf.dispose(await assertNoLeak(() => randomEmbeddings(new Rng(42), 4, 8), "randomEmbeddings"));
}));

Deno.test(exerciseCase("storePairs", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(await assertNoLeak(() => storePairs(p.u, p.v, p.pairs), "storePairs"));
  tf.dispose(await assertNoLeak(() => storePairs(p.u, p.v, p.pairs, [1, 2, 3]), "storePairs"));
  p.dispose();
}));

Deno.test(exerciseCase("memoryScores", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  tf.dispose(await assertNoLeak(() => memoryScores(p.w, p.u, p.v), "memoryScores"));
  p.dispose();
}));

Deno.test(exerciseCase("recallAccuracy", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => recallAccuracy(p.w, p.u, p.v, p.pairs), "recallAccuracy");
  p.dispose();
}));

Deno.test(exerciseCase("randomMemoryRecall", "frees its intermediate tensors", async () => {
  await assertNoLeak(() => randomMemoryRecall(new Rng(43), 8, 6), "randomMemoryRecall");
}));

Deno.test(exerciseCase("capacityTable", "frees its intermediate tensors", async () => {
  await assertNoLeak(
    () => capacityTable(new Rng(44), [4, 8], [2, 3], { draws: 2 }),
    "capacityTable",
  );
}));

Deno.test(exerciseCase("memoryLoss", "frees its intermediate tensors", async () => {
  const { loss: l, dispose } = leakProblem();
  tf.dispose(
    await assertNoLeak(() => memoryLoss(l.w, l.embed, l.unembed, l.pz, l.pkz), "memoryLoss"),
  );
  dispose();
}));

Deno.test(exerciseCase("memoryGradient", "frees its intermediate tensors", async () => {
  const { loss: l, dispose } = leakProblem();
  tf.dispose(
    await assertNoLeak(
      () => memoryGradient(l.w, l.embed, l.unembed, l.pz, l.pkz),
      "memoryGradient",
    ),
  );
  dispose();
}));

Deno.test(exerciseCase("oneStepMemory", "frees its intermediate tensors", async () => {
  const { loss: l, dispose } = leakProblem();
  tf.dispose(
    await assertNoLeak(() => oneStepMemory(l.embed, l.unembed, l.pz, l.pkz, 0.5), "oneStepMemory"),
  );
  dispose();
}));

Deno.test(exerciseCase("randomRemapping", "frees its intermediate tensors", async () => {
  tf.dispose(await assertNoLeak(() => randomRemapping(new Rng(45), 8), "randomRemapping"));
}));

Deno.test(exerciseCase("decode", "frees its intermediate tensors", async () => {
  const p = leakProblem();
  await assertNoLeak(() => decode(p.u, p.v), "decode");
  p.dispose();
}));
