import assert from "node:assert/strict";
import { matmulFlops, stepFlops, type StepShape } from "@lib/bench/flops.ts";

const paper: StepShape = {
  batch: 512,
  seq: 256,
  dim: 256,
  vocab: 65,
  finalFfn: false,
  trainable: ["wK1", "wK2", "wO2"],
};

Deno.test("matmulFlops counts 2 FLOPs per multiply-add", () => {
  assert.equal(matmulFlops(2, 3, 4), 48);
});

Deno.test("stepFlops: the paper's trainable set gives 22·M·d² + 20·B·T²·d + 4·M·N·d", () => {
  const m = paper.batch * paper.seq;
  const d = paper.dim;
  const expected = 22 * m * d * d + 20 * paper.batch * paper.seq ** 2 * d + 4 * m * paper.vocab * d;
  const count = stepFlops(paper);
  assert.equal(count.total, expected);
  assert.equal(count.terms.filter((t) => t.pass === "forward").length, 10);
  assert.equal(count.terms.filter((t) => t.pass === "backward").length, 13);
});

Deno.test("stepFlops: nothing trainable means no backward pass", () => {
  const count = stepFlops({ ...paper, trainable: [] });
  assert.equal(count.backward, 0);
  // W_O2 frozen too: layer 2's value path folds into one product, so one forward product fewer.
  assert.equal(count.terms.length, 9);
});

Deno.test("stepFlops: W_F adds one forward and two backward products when trained", () => {
  const base = stepFlops(paper);
  const ffn = stepFlops({ ...paper, finalFfn: true, trainable: [...paper.trainable, "wF"] });
  const sq = 2 * paper.batch * paper.seq * paper.dim ** 2;
  assert.equal(ffn.forward - base.forward, sq);
  assert.equal(ffn.backward - base.backward, 2 * sq);
});

Deno.test("stepFlops: the ReLU layer adds two forward and four backward d×4d products", () => {
  const base = stepFlops(paper);
  const relu = stepFlops({
    ...paper,
    finalFfn: "relu",
    trainable: [...paper.trainable, "wF1", "wF2"],
  });
  const wide = 2 * paper.batch * paper.seq * paper.dim * 4 * paper.dim;
  assert.equal(relu.forward - base.forward, 2 * wide);
  assert.equal(relu.backward - base.backward, 4 * wide);
  // only W_F2 trained, nothing below it: its own gradient, no product back through the layer
  const top = stepFlops({ ...paper, finalFfn: "relu", trainable: ["wF2"] });
  assert.deepEqual(top.terms.filter((t) => t.pass === "backward").map((t) => t.what), [
    "dW_F2",
    "dh through W_U",
  ]);
});

Deno.test("stepFlops: training W_V1 unfolds layer 1 and sends gradients through it", () => {
  const more = stepFlops({ ...paper, trainable: [...paper.trainable, "wV1"] });
  const sq = 2 * paper.batch * paper.seq * paper.dim ** 2;
  const att = 2 * paper.batch * paper.seq ** 2 * paper.dim;
  // forward: one more [M,d]@[d,d] (W_V1 and W_O1 apart); backward: dW_V1, d values (attention),
  // d(weights·values) through W_O1.
  assert.equal(more.forward - stepFlops(paper).forward, sq);
  assert.equal(more.backward - stepFlops(paper).backward, 2 * sq + att);
});

Deno.test("stepFlops rejects a non-integer shape with a clear message", () => {
  let message = "";
  try {
    stepFlops({ ...paper, seq: 0 });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.equal(message, "stepFlops: seq must be a positive integer, got 0");
});

Deno.test("stepFlops: causal blocks count the blocks at or below the diagonal only", () => {
  const m = paper.batch * paper.seq;
  const d = paper.dim;
  // blocks of 64 rows at T = 256: Σ rows·end = 64·(64 + 128 + 192 + 256) = 5/8 of T²
  const entries = (5 / 8) * paper.seq ** 2;
  const expected = 22 * m * d * d + 20 * paper.batch * entries * d + 4 * m * paper.vocab * d;
  assert.equal(stepFlops({ ...paper, causalBlock: 64 }).total, expected);
  assert.equal(stepFlops({ ...paper, causalBlock: 256 }).total, stepFlops(paper).total);
});

Deno.test("stepFlops: lossRows counts layer 2's queries and all above them on the K kept rows", () => {
  const m = paper.batch * paper.seq;
  const [b, t, d, n] = [paper.batch, paper.seq, paper.dim, paper.vocab];
  const k = 1000;
  // layer 1: 3 products on M rows, 4 per-sequence; layer 2: values and dh1 through them on M
  // rows, 6 products on K rows, 6 per-sequence products of K rows against T keys; W_U: 2 on K
  const expected = 2 * d * d * (5 * m + 6 * k) + 2 * d * (4 * b * t * t + 6 * k * t) +
    4 * k * n * d;
  assert.equal(stepFlops({ ...paper, lossRows: k }).total, expected);
  // every row kept: K·T = B·T², the whole count
  assert.equal(stepFlops({ ...paper, lossRows: m }).total, stepFlops(paper).total);
  let message = "";
  try {
    stepFlops({ ...paper, lossRows: 0 });
  } catch (e) {
    message = (e as Error).message;
  }
  assert.equal(message, `stepFlops: lossRows must be in (0, ${m}] (rows of the batch), got 0`);
});

Deno.test("lesson 6's derivation, one line per product, is stepFlops' count, product by product", async () => {
  const readme = await Deno.readTextFile(
    new URL("../../lessons/06_webgpu/README.md", import.meta.url),
  );
  const rows = [
    ...readme.matchAll(/^\| *(\d+) *\|[^|]*\| *`([^`]+)` *\|[^|]*\|[^|]*\| *\$([^$]+)\$ *\|$/gm),
  ]
    .map(([, n, what, flops]) => ({ n: Number(n), what, flops }));
  assert.deepEqual(rows.map((r) => r.n), rows.map((_, i) => i + 1), "rows numbered 1, 2, ...");
  const coefficient = (term: string) =>
    Number(readme.match(new RegExp(`(\\d+)\\\\,${term}`))?.[1] ?? NaN);
  const stated = {
    md2: coefficient("M d\\^2"),
    bt2d: coefficient("B T\\^2 d"),
    mnd: coefficient("M N d"),
  };
  assert.deepEqual(stated, { md2: 22, bt2d: 20, mnd: 4 }, "the formula under the table");
  for (const shape of [paper, { ...paper, batch: 64, seq: 64, dim: 128 }]) {
    const [b, t, d, n] = [shape.batch, shape.seq, shape.dim, shape.vocab];
    const m = b * t;
    const value: Record<string, number> = {
      "2Md^2": 2 * m * d * d,
      "2BT^2d": 2 * b * t * t * d,
      "2MNd": 2 * m * n * d,
    };
    const count = stepFlops(shape);
    assert.deepEqual(rows.map((r) => r.what), count.terms.map((x) => x.what), "the same products");
    rows.forEach((r, i) => {
      assert.ok(r.flops in value, `row ${r.n}: unknown FLOPs ${r.flops}`);
      assert.equal(value[r.flops], count.terms[i].flops, `row ${r.n}: ${r.what}`);
    });
    assert.equal(
      count.total,
      stated.md2 * m * d * d + stated.bt2d * b * t * t * d + stated.mnd * m * n * d,
    );
  }
});
