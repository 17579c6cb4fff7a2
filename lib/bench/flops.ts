/**
 * How many floating-point operations one training step of the course's model needs: the
 * benchmark divides this count by the measured step time to get the achieved GFLOP/s.
 *
 * The count is the model's, not an implementation's, so that every implementation is measured
 * against the same work:
 *
 * - Only matrix products are counted, at 2 FLOPs per multiply-add. Element-wise work (softmax,
 *   the mask, residual additions, the loss, the optimizer update) is O(B·T·T + B·T·d) and left
 *   out: it costs memory traffic, not arithmetic.
 * - The embedding w_E(z_t) is a lookup (no FLOPs), even where an implementation writes it as
 *   `oneHot(z) @ W_E` because the gradient of `tf.gather` fails on wasm.
 * - A product of two frozen matrices (W_O W_V when both are frozen) is folded into one d×d matrix:
 *   it is applied once per token, not twice.
 * - Attention scores are counted for the full T×T square, as the course's step computes them;
 *   with `causalBlock` (lib/model's `forward(..., { causalBlock })`, lib/model/causal_blocks.ts)
 *   for the blocks at or below the diagonal only, which is what that path computes.
 * - With `lossRows` (K of the M rows are read by the loss: lib/model's `forward(..., { lossRows })`,
 *   which lesson 5's step passes), layer 2's queries and everything above them are computed on
 *   those K rows only, which is what is counted: each such product on K rows instead of M, and
 *   layer 2's per-sequence products on K query rows against all T keys (K·T entries instead of
 *   B·T²). Layer 2's values (and dh1 through them, and dW_V2) still take every row.
 * - The backward pass has, for each forward product Y = A B, the product dA = dY Bᵀ when A
 *   needs a gradient and dB = Aᵀ dY when B does. A value needs a gradient when a trainable
 *   matrix is upstream of it, so with the paper's trainable set (W_K1, W_K2, W_O2) layer 1 never
 *   propagates a gradient to the embeddings.
 *
 * With B sequences of length T, M = B·T rows, width d and vocabulary N, the paper's set-up
 * gives 22·M·d² + 20·B·T²·d + 4·M·N·d per step: about 369 GFLOP at d = T = 256, B = 512.
 *
 * @example
 * ```ts
 * import { stepFlops } from "@lib/bench/flops.ts";
 * const count = stepFlops({ batch: 512, seq: 256, dim: 256, vocab: 65, finalFfn: false,
 *   trainable: ["wK1", "wK2", "wO2"] });
 * (count.total / 1e9).toFixed(0); // "369"
 * ```
 * @module
 */
import type { ParamName } from "@lib/model/mod.ts";
import { blockedEntries } from "@lib/model/causal_blocks.ts";

/** The shapes that fix a step's work. */
export interface StepShape {
  /** B: sequences per step. */
  batch: number;
  /** T: tokens per sequence. */
  seq: number;
  /** d: the width of the residual stream. */
  dim: number;
  /** N: the vocabulary size. */
  vocab: number;
  /** The model's final layer: none (false), linear W_F (true) or ReLU d -> 4d -> d ("relu"). */
  finalFfn: boolean | "relu";
  /** The matrices that receive gradients. */
  trainable: readonly ParamName[];
  /** Rows per causal block when the attention square is computed in blocks (default: whole). */
  causalBlock?: number;
  /** K: the rows (of B·T) the loss reads, when the step computes layer 2's top on them only. */
  lossRows?: number;
}

/** One counted matrix product. */
export interface FlopTerm {
  /** What it computes, e.g. "layer 2: scores a·hᵀ". */
  what: string;
  /** `forward` or `backward`. */
  pass: "forward" | "backward";
  /** 2·m·k·n for an [m,k]@[k,n] product (summed over the batch for per-sequence products). */
  flops: number;
}

/** The count, with its terms. */
export interface FlopCount {
  /** Forward-pass FLOPs. */
  forward: number;
  /** Backward-pass FLOPs. */
  backward: number;
  /** forward + backward. */
  total: number;
  /** Every counted product. */
  terms: FlopTerm[];
}

/**
 * FLOPs of a 2-D matrix product `[m, k] @ [k, n]`: 2·m·k·n.
 *
 * @example
 * ```ts
 * import { matmulFlops } from "@lib/bench/flops.ts";
 * matmulFlops(512, 512, 512); // 268435456
 * ```
 */
export function matmulFlops(m: number, k: number, n: number): number {
  return 2 * m * k * n;
}

/**
 * FLOPs of one training step (forward and backward) of the two-layer model; see the module
 * documentation for what is counted.
 *
 * @example
 * ```ts
 * import { stepFlops } from "@lib/bench/flops.ts";
 * const c = stepFlops({ batch: 64, seq: 64, dim: 64, vocab: 65, finalFfn: false,
 *   trainable: ["wK1", "wK2", "wO2"] });
 * c.terms.length; // 23 products: 10 forward, 13 backward
 * ```
 */
export function stepFlops(shape: StepShape): FlopCount {
  const { batch: b, seq: t, dim: d, vocab: n, finalFfn } = shape;
  for (const [name, v] of Object.entries({ batch: b, seq: t, dim: d, vocab: n })) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`stepFlops: ${name} must be a positive integer, got ${v}`);
    }
  }
  const m = b * t;
  const kept = shape.lossRows ?? m;
  if (!(kept > 0 && kept <= m)) {
    throw new Error(`stepFlops: lossRows must be in (0, ${m}] (rows of the batch), got ${kept}`);
  }
  const has = (p: ParamName) => shape.trainable.includes(p);
  const terms: FlopTerm[] = [];
  const add = (pass: FlopTerm["pass"], what: string, flops: number) =>
    terms.push({ pass, what, flops });
  const rowsTimesSquare = matmulFlops(m, d, d); // [M, d] @ [d, d]
  // per sequence [T, d] @ [d, T] (or [T,T]@[T,d]): 2·d per entry of the square computed
  const attention = b * 2 * d * blockedEntries(t, shape.causalBlock);

  // Which values need a gradient: those with a trainable matrix upstream.
  const needX = has("wE") || has("pos");
  const needH1 = needX || has("wK1") || has("wV1") || has("wO1");
  const needH2 = needH1 || has("wK2") || has("wV2") || has("wO2");
  const needH3 = needH2 || has("wF") || has("wF1") || has("wF2");

  // With lossRows, layer 2's query side and everything above it run on the K kept rows.
  const topRows = matmulFlops(kept, d, d);
  const topAttention = shape.lossRows === undefined ? attention : 2 * d * kept * t;

  const layer = (i: 1 | 2, needIn: boolean) => {
    const [k, v, o] = [has(`wK${i}`), has(`wV${i}`), has(`wO${i}`)];
    const folded = !v && !o;
    const input = i === 1 ? "x" : "h1";
    // query rows (all, or layer 2's kept ones) and per-sequence products of those rows
    const [rows, att] = i === 2 ? [topRows, topAttention] : [rowsTimesSquare, attention];
    add("forward", `layer ${i}: queries ${input}·W_K${i}`, rows);
    add("forward", `layer ${i}: scores (per sequence)`, att);
    if (folded) {
      add("forward", `layer ${i}: values ${input}·(W_O${i}W_V${i})ᵀ, folded`, rowsTimesSquare);
    } else add("forward", `layer ${i}: values ${input}·W_V${i}ᵀ`, rowsTimesSquare);
    add("forward", `layer ${i}: weights·values (per sequence)`, att);
    if (!folded) add("forward", `layer ${i}: output ·W_O${i}ᵀ`, rows);
    const needScores = k || needIn;
    const needValues = v || needIn;
    if (!needScores && !needValues && !o) return;
    if (!folded) {
      if (o) add("backward", `layer ${i}: dW_O${i}`, rows);
      if (needScores || needValues) {
        add("backward", `layer ${i}: d(weights·values)`, rows);
      }
    }
    if (needScores) add("backward", `layer ${i}: d weights (per sequence)`, att);
    if (needValues) add("backward", `layer ${i}: d values (per sequence)`, att);
    if (!folded && v) add("backward", `layer ${i}: dW_V${i}`, rowsTimesSquare);
    if (needIn) add("backward", `layer ${i}: d${input} through the values`, rowsTimesSquare);
    if (needScores) add("backward", `layer ${i}: d queries (per sequence)`, att);
    if (needIn) add("backward", `layer ${i}: d${input} through the keys (per sequence)`, att);
    if (k) add("backward", `layer ${i}: dW_K${i}`, rows);
    if (needIn) add("backward", `layer ${i}: d${input} through the queries`, rows);
  };

  layer(1, needX);
  layer(2, needH1);
  if (finalFfn === "relu") {
    const wide = matmulFlops(kept, d, 4 * d); // [K, d] @ [d, 4d] and its transposes
    add("forward", "W_F1: h2·W_F1ᵀ (d -> 4d)", wide);
    add("forward", "W_F2: relu(·)·W_F2ᵀ (4d -> d)", wide);
    if (has("wF2")) add("backward", "dW_F2", wide);
    if (needH2 || has("wF1")) add("backward", "d relu(·) through W_F2", wide);
    if (has("wF1")) add("backward", "dW_F1", wide);
    if (needH2) add("backward", "dh2 through W_F1", wide);
  } else if (finalFfn) {
    add("forward", "W_F: h2·W_Fᵀ", topRows);
    if (has("wF")) add("backward", "dW_F", topRows);
    if (needH2) add("backward", "dh2 through W_F", topRows);
  }
  add("forward", "logits h·W_Uᵀ", matmulFlops(kept, d, n));
  if (has("wU")) add("backward", "dW_U", matmulFlops(n, kept, d));
  if (needH3) add("backward", "dh through W_U", matmulFlops(kept, n, d));

  const sum = (pass: FlopTerm["pass"]) =>
    terms.filter((x) => x.pass === pass).reduce((s, x) => s + x.flops, 0);
  const forward = sum("forward");
  const backward = sum("backward");
  return { forward, backward, total: forward + backward, terms };
}
